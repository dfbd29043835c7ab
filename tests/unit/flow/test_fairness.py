from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.flow.fairness import (
    MIN_PIPE,
    PIPE_ROUNDS,
    Cursor,
    Pending,
    group_pending,
    next_window,
    pipe_target,
    room,
)


def make_queues(sizes: dict[str, dict[str, int]]) -> dict[str, dict[str, list[str]]]:
    """Queues whose document ids say where they come from: 'account/dossier/index'."""
    return {
        account: {
            dossier: [f"{account}/{dossier}/{i}" for i in range(n)] for dossier, n in ds.items()
        }
        for account, ds in sizes.items()
    }


def drain(queues, picked):
    """The queues once `picked` has been dispatched."""
    gone = set(picked)
    return {
        account: {dossier: [d for d in queue if d not in gone] for dossier, queue in ds.items()}
        for account, ds in queues.items()
    }


def account_of(document_id: str) -> str:
    return document_id.split("/")[0]


def dossier_of(document_id: str) -> str:
    return "/".join(document_id.split("/")[:2])


# --- tables -------------------------------------------------------------------------------

def test_round_robin_across_accounts_then_dossiers():
    queues = make_queues({"a": {"x": 3, "y": 3}, "b": {"z": 3}, "c": {}})
    picked, cursor = next_window(queues, 6)
    assert picked == ["a/x/0", "b/z/0", "a/y/0", "b/z/1", "a/x/1", "b/z/2"]
    assert cursor == Cursor("b", {"a": "x", "b": "z"})


def test_cursor_resumes_mid_round_in_accounts_and_dossiers():
    queues = make_queues({"a": {"x": 3, "y": 3}, "b": {"z": 3}, "c": {"w": 1}})
    first, cursor = next_window(queues, 2)
    assert first == ["a/x/0", "b/z/0"]
    second, cursor = next_window(drain(queues, first), 2, cursor)
    assert second == ["c/w/0", "a/y/0"]
    third, _ = next_window(drain(queues, first + second), 3, cursor)
    assert third == ["b/z/1", "a/x/1", "b/z/2"]


def test_cursor_pointing_at_a_departed_account_continues_after_it():
    queues = make_queues({"a": {"x": 2}, "c": {"y": 2}})
    picked, _ = next_window(queues, 1, Cursor("b", {"b": "q"}))
    assert picked == ["c/y/0"]


def test_a_huge_archive_does_not_hold_back_a_new_one():
    queues = make_queues({"big": {"archive": 1_000_000}})
    first, cursor = next_window(queues, 4)
    assert first == [f"big/archive/{i}" for i in range(4)]
    queues = drain(queues, first) | make_queues({"new": {"d": 10}})
    second, _ = next_window(queues, 4, cursor)
    assert "new/d/0" in second and Counter(map(account_of, second)) == {"big": 2, "new": 2}


@pytest.mark.parametrize(("window", "expected"), [(0, []), (1, ["a/x/0"])])
def test_small_windows(window, expected):
    assert next_window(make_queues({"a": {"x": 2}}), window)[0] == expected


def test_nothing_pending_gives_nothing_and_keeps_the_account_cursor():
    assert next_window({}, 10, Cursor("a", {"a": "x"})) == ([], Cursor("a", {}))


def test_negative_window_is_refused():
    with pytest.raises(ValueError):
        next_window({}, -1)


@pytest.mark.parametrize(
    ("in_flight", "target", "expected"),
    [(0, 100, 100), (99, 100, 1), (100, 100, 0), (250, 100, 0)],
)
def test_room_tops_the_pipe_up_to_its_target(in_flight, target, expected):
    assert room(in_flight, target) == expected


@pytest.mark.parametrize(("in_flight", "target"), [(-1, 10), (0, 0)])
def test_room_refuses_nonsense(in_flight, target):
    with pytest.raises(ValueError):
        room(in_flight, target)


@pytest.mark.parametrize(
    ("rate", "interval", "ceiling", "expected"),
    [
        (None, 5, 200, MIN_PIPE),  # nothing measured: a small first round
        (0.0, 5, 200, MIN_PIPE),
        (0.2, 5, 200, MIN_PIPE),  # scans, 10 s each on two workers: the floor
        (4.0, 5, 200, 40),  # two rounds of work at 4 documents/s
        (4.01, 5, 200, 41),  # rounded up: never a pipe too short to last
        (40.0, 5, 200, 200),  # text PDFs on many workers: the ceiling
        (None, 5, 3, 3),  # a ceiling below the floor wins
    ],
)
def test_pipe_target_is_two_rounds_of_work_between_floor_and_ceiling(rate, interval, ceiling, expected):
    assert pipe_target(rate, interval, ceiling) == expected


@pytest.mark.parametrize(("interval", "ceiling"), [(0, 10), (5, 0)])
def test_pipe_target_refuses_nonsense(interval, ceiling):
    with pytest.raises(ValueError):
        pipe_target(1.0, interval, ceiling)


@given(rate=st.none() | st.floats(0, 1e6), interval=st.floats(0.1, 600), ceiling=st.integers(1, 10_000))
def test_pipe_target_stays_within_bounds(rate, interval, ceiling):
    target = pipe_target(rate, interval, ceiling)
    assert 1 <= target <= ceiling
    if rate:
        assert target >= min(ceiling, rate * interval * PIPE_ROUNDS)


def test_group_pending_orders_by_batch_receipt_then_document_order():
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    rows = [
        Pending("a", "x", "b2", "late-0", t0 + timedelta(hours=1), 0),
        Pending("a", "x", "b1", "early-1", t0, 1),
        Pending("a", "y", "b3", "other", t0, 0),
        Pending("a", "x", "b1", "early-0", t0, 0),
        Pending("b", "z", "b0", "same-instant-b0", t0, 5),
        Pending("b", "z", "b9", "same-instant-b9", t0, 0),
    ]
    assert group_pending(rows) == {
        "a": {"x": ["early-0", "early-1", "late-0"], "y": ["other"]},
        "b": {"z": ["same-instant-b0", "same-instant-b9"]},
    }


# --- properties ---------------------------------------------------------------------------

names = st.sampled_from("abcdefgh")
sizes = st.dictionaries(names, st.dictionaries(names, st.integers(0, 12), max_size=4), max_size=6)
cursors = st.builds(Cursor, st.none() | names, st.dictionaries(names, names, max_size=6))


def accounts_with_work(queues) -> list[str]:
    return [a for a, ds in queues.items() if any(ds.values())]


@given(sizes=sizes, window=st.integers(0, 40), cursor=cursors)
def test_window_is_bounded_distinct_pending_and_in_dossier_order(sizes, window, cursor):
    queues = make_queues(sizes)
    picked, _ = next_window(queues, window, cursor)
    pending = [d for ds in queues.values() for queue in ds.values() for d in queue]
    assert len(picked) == min(window, len(pending))
    assert len(set(picked)) == len(picked)
    assert set(picked) <= set(pending)
    for account, ds in queues.items():
        for dossier, queue in ds.items():
            from_dossier = [d for d in picked if dossier_of(d) == f"{account}/{dossier}"]
            assert from_dossier == queue[: len(from_dossier)]


@given(sizes=sizes, window=st.integers(1, 40), cursor=cursors)
def test_every_account_gets_its_share(sizes, window, cursor):
    queues = make_queues(sizes)
    active = accounts_with_work(queues)
    if not active or window < len(active):
        return
    served = Counter(map(account_of, next_window(queues, window, cursor)[0]))
    for account in active:
        pending = sum(len(q) for q in queues[account].values())
        assert served[account] >= min(pending, window // len(active))


@given(sizes=sizes, window=st.integers(1, 40), cursor=cursors, new_docs=st.integers(1, 5))
def test_a_new_account_starts_in_the_first_window_after_it_arrives(sizes, window, cursor, new_docs):
    queues = make_queues(sizes) | make_queues({"newcomer": {"d": new_docs}})
    if window < len(accounts_with_work(queues)):
        return
    picked, _ = next_window(queues, window, cursor)
    assert "newcomer/d/0" in picked


@given(sizes=sizes, windows=st.lists(st.integers(1, 7), min_size=1, max_size=8), cursor=cursors)
def test_successive_windows_are_one_continuous_round_robin(sizes, windows, cursor):
    # Cutting the schedule into windows (draining what was sent in between) changes nothing:
    # the cursor carries the rotation exactly, so no account or dossier is favoured by the cuts.
    queues = make_queues(sizes)
    whole, _ = next_window(queues, sum(windows), cursor)
    pieces, remaining, state = [], queues, cursor
    for window in windows:
        picked, state = next_window(remaining, window, state)
        pieces += picked
        remaining = drain(remaining, picked)
    assert pieces == whole


@given(accounts=st.integers(2, 6), dossiers=st.integers(1, 4), calls=st.integers(1, 30))
def test_window_of_one_serves_accounts_and_dossiers_evenly(accounts, dossiers, calls):
    ids = [f"acct{a}" for a in range(accounts)]
    queues = make_queues({name: {f"d{d}": 100 for d in range(dossiers)} for name in ids})
    served, state = [], None
    for _ in range(calls):
        picked, state = next_window(queues, 1, state)
        served += picked
        queues = drain(queues, picked)
    per_account = Counter(map(account_of, served))
    per_dossier = Counter(map(dossier_of, served))
    account_counts = [per_account.get(name, 0) for name in ids]
    assert max(account_counts) - min(account_counts) <= 1
    for name in ids:
        counts = [per_dossier.get(f"{name}/d{d}", 0) for d in range(dossiers)]
        assert max(counts) - min(counts) <= 1
