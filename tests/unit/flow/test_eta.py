from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.flow.eta import (
    HALF_LIFE_S,
    PRIOR_SECONDS,
    EtaBasis,
    Throughput,
    Work,
    bulk_eta,
    daily_eta,
    estimate_throughput,
    eta_range,
    weakest,
)
from ingest.flow.fairness import next_window

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


# --- throughput ---------------------------------------------------------------------------

def test_priors_before_any_measurement():
    assert estimate_throughput([]).seconds_per_document == PRIOR_SECONDS


def test_each_kind_is_the_mean_of_its_samples_or_its_prior():
    throughput = estimate_throughput([("text_pdf", 4.0), ("text_pdf", 0.1)])
    assert throughput.seconds_per_document["text_pdf"] == pytest.approx(2.05)
    assert throughput.seconds_per_document["scan"] == PRIOR_SECONDS["scan"]


def test_one_stuck_document_does_not_swing_the_mean():
    samples = [("text_pdf", 0.02)] * 399 + [("text_pdf", 300.0)]  # one ran into the time limit
    cost = estimate_throughput(samples).seconds_per_document["text_pdf"]
    assert cost == pytest.approx((399 * 0.02 + 10 * 0.02) / 400)


def test_measurements_replace_the_prior():
    assert estimate_throughput([("scan", 3.0)] * 200).seconds_per_document["scan"] == pytest.approx(3.0)


def test_a_zero_duration_keeps_costs_positive():
    assert estimate_throughput([("einvoice", 0.0)] * 1000).seconds_per_document["einvoice"] > 0


def test_older_measurements_weigh_less_by_half_each_half_life():
    # Last week's archive of scans at 8 s, today's at 2 s: today's counts twice as much.
    samples = [("scan", 8.0, HALF_LIFE_S)] * 100 + [("scan", 2.0, 0.0)] * 100
    assert estimate_throughput(samples).seconds_per_document["scan"] == pytest.approx((8 + 2 * 2) / 3)
    # Alone, an old measurement is the measurement: weights only rank what is there.
    alone = estimate_throughput([("scan", 8.0, 40 * HALF_LIFE_S)] * 10)
    assert alone.seconds_per_document["scan"] == pytest.approx(8.0)


def test_a_basis_is_its_weakest_part():
    assert weakest([EtaBasis.measured, EtaBasis.borrowed]) is EtaBasis.borrowed
    assert weakest([EtaBasis.borrowed, EtaBasis.none, EtaBasis.measured]) is EtaBasis.none
    assert weakest([]) is EtaBasis.measured


def test_an_eta_is_a_range_unless_it_is_measured():
    eta = NOW + timedelta(hours=10)
    assert eta_range(NOW, eta, EtaBasis.measured) is None
    assert eta_range(NOW, eta, EtaBasis.borrowed) == (NOW + timedelta(hours=6.5), NOW + timedelta(hours=14))
    # Priors err slow: the point is the latest end.
    earliest, latest = eta_range(NOW, eta, EtaBasis.none)  # type: ignore[misc]
    assert earliest == NOW + timedelta(minutes=30) and latest == eta
    # An ETA already passed is a range of one instant, now.
    assert eta_range(NOW, NOW - timedelta(minutes=1), EtaBasis.borrowed) == (NOW, NOW)


@pytest.mark.parametrize("samples", [[("fax", 1.0)], [("scan", -1.0)]])
def test_estimate_refuses_nonsense(samples):
    with pytest.raises(ValueError):
        estimate_throughput(samples)


def _work(throughput: Throughput, counts: dict[str, int]) -> Work:
    return Work(sum(counts.values()), sum(n * throughput.seconds_per_document[k] for k, n in counts.items()))


def test_eta_follows_throughput_as_it_is_measured():
    counts = {"scan": 1000, "text_pdf": 500}
    etas = []
    for seconds in (20.0, 40.0, 10.0):  # the recent scans: at the prior, then slower, then faster
        throughput = estimate_throughput([("scan", seconds)] * 100)
        etas.append(bulk_eta(NOW, _work(throughput, counts), [], [], capacity=8))
    assert etas[0] == NOW + timedelta(seconds=(1000 * 20.0 + 500 * 2.0) / 8)
    assert etas[1] > etas[0] and etas[2] < etas[1]
    assert etas[2] == NOW + timedelta(seconds=(1000 * 10.0 + 500 * 2.0) / 8)


# --- the round-robin oracle ----------------------------------------------------------------
# Finish times under round-robin, computed another way than `bulk_eta`: queues sorted by their
# documents; queue j ends once the queues before it are done and every queue from it on has done
# as many documents as it has (a prefix sum plus a suffix sum of per-document costs).

def round_robin_finish_times(remaining: dict[str, Work], capacity: float) -> dict[str, float]:
    ordered = sorted(remaining.items(), key=lambda item: item[1].documents)
    suffix_costs = [0.0] * (len(ordered) + 1)
    for i in range(len(ordered) - 1, -1, -1):
        suffix_costs[i] = suffix_costs[i + 1] + ordered[i][1].mean_seconds
    finished, done_seconds = {}, 0.0
    for i, (key, work) in enumerate(ordered):
        finished[key] = (done_seconds + work.documents * suffix_costs[i]) / capacity
        done_seconds += work.seconds
    return finished


def test_round_robin_counts_documents_not_seconds():
    # A: 10 scans of 10 s; B: 2 e-invoices of 1 s. Rounds of 11 s until B is done at 22 s.
    finish = round_robin_finish_times({"A": Work(10, 100), "B": Work(2, 2), "C": Work(0, 0)}, 1)
    assert finish == pytest.approx({"A": 102, "B": 22, "C": 0})


@pytest.mark.parametrize(
    "call",
    [
        lambda: bulk_eta(NOW, Work(1, 1), [], [], 0),
        lambda: daily_eta(NOW, 1, 1, 0),
        lambda: daily_eta(NOW, -1, 0, 1),
    ],
)
def test_refuses_no_capacity_and_negative_work(call):
    with pytest.raises(ValueError):
        call()


capacities = st.floats(min_value=0.1, max_value=64)


# --- bulk and daily ETAs ------------------------------------------------------------------

def test_bulk_eta_alone_is_its_own_work():
    assert bulk_eta(NOW, Work(100, 400.0), [], [], 4) == NOW + timedelta(seconds=100)


def test_bulk_eta_small_batch_behind_a_huge_archive():
    # Our account: 10 documents of 1 s. Another account: a million scans of 20 s. One worker.
    # Round-robin: ten rounds of 21 s, not the 20 million seconds of the whole queue.
    eta = bulk_eta(NOW, Work(10, 10.0), [], [Work(1_000_000, 20_000_000.0)], 1)
    assert eta == NOW + timedelta(seconds=210)


def test_bulk_eta_with_other_dossiers_of_the_same_account():
    # Our dossier: 4 documents of 2 s up to our batch. Sister dossiers: 2 and 10 documents of 1 s.
    # Other account: 100 documents of 1 s. Ours ends after 4 + 2 + 4 = 10 account documents.
    eta = bulk_eta(NOW, Work(4, 8.0), [Work(2, 2.0), Work(10, 10.0)], [Work(100, 100.0)], 2)
    assert eta == NOW + timedelta(seconds=(8 + 2 + 4 + 10) / 2)


@given(st.dictionaries(st.sampled_from("abcdef"), st.integers(1, 50), min_size=1), capacities)
def test_bulk_eta_agrees_with_round_robin_finish_times(docs, capacity):
    work = {a: Work(n, n * (1 + ord(a) % 5)) for a, n in docs.items()}
    finish = round_robin_finish_times(work, capacity)
    for a, own in work.items():
        others = [w for b, w in work.items() if b != a]
        expected = NOW + timedelta(seconds=finish[a])
        assert bulk_eta(NOW, own, [], others, capacity) == pytest.approx(
            expected, abs=timedelta(milliseconds=1)
        )


queue_sizes = st.lists(st.tuples(st.integers(0, 15), st.integers(1, 9)), max_size=4)


@given(
    batch=st.integers(1, 15),
    after_batch=st.integers(0, 10),
    batch_cost=st.integers(1, 9),
    sisters=queue_sizes,
    accounts=queue_sizes,
)
def test_bulk_eta_matches_the_dispatch_order_within_one_round(
    batch, after_batch, batch_cost, sisters, accounts
):
    # Play the real dispatch order on one worker and time the batch's last document.
    queues = {"me": {"mine": [f"b{i}" for i in range(batch + after_batch)]}}
    cost = {f"b{i}": batch_cost for i in range(batch + after_batch)}
    for i, (n, c) in enumerate(sisters):
        queues["me"][f"s{i}"] = [f"s{i}-{j}" for j in range(n)]
        cost |= {f"s{i}-{j}": c for j in range(n)}
    for i, (n, c) in enumerate(accounts):
        queues[f"other{i}"] = {"d": [f"o{i}-{j}" for j in range(n)]}
        cost |= {f"o{i}-{j}": c for j in range(n)}
    order, _ = next_window(queues, len(cost))
    clock, played = 0, {}
    for doc in order:
        clock += cost[doc]
        played[doc] = clock
    eta = bulk_eta(
        NOW,
        Work(batch, batch * batch_cost),
        [Work(n, n * c) for n, c in sisters],
        [Work(n, n * c) for n, c in accounts],
        1,
    )
    predicted = (eta - NOW).total_seconds()
    # Never early; late by at most the documents that the round order put after ours.
    one_round = sum(c for _, c in accounts) + sum(c for _, c in sisters)
    assert played[f"b{batch - 1}"] <= predicted + 1e-6
    assert predicted - played[f"b{batch - 1}"] <= (len(sisters) + 1) * one_round + 1e-6


works = st.builds(Work, st.integers(0, 1000), st.floats(0, 1e5))


@given(
    own=st.builds(Work, st.integers(1, 1000), st.floats(0, 1e5)),
    sisters=st.lists(works, max_size=4),
    others=st.lists(works, max_size=4),
    more=works,
    capacity=capacities,
)
def test_bulk_eta_is_monotone(own, sisters, others, more, capacity):
    eta = bulk_eta(NOW, own, sisters, others, capacity)
    tolerance = timedelta(microseconds=10)
    assert bulk_eta(NOW, own + more, sisters, others, capacity) >= eta - tolerance
    assert bulk_eta(NOW, own, sisters + [more], others, capacity) >= eta - tolerance
    assert bulk_eta(NOW, own, sisters, others + [more], capacity) >= eta - tolerance
    assert bulk_eta(NOW, own, sisters, others, capacity * 2) <= eta + tolerance


@pytest.mark.parametrize(
    ("own", "ahead", "capacity", "after"),
    [(40.0, 0.0, 4, 10), (40.0, 360.0, 4, 100), (0.0, 0.0, 1, 0), (7.5, 2.5, 0.5, 20)],
)
def test_daily_eta(own, ahead, capacity, after):
    assert daily_eta(NOW, own, ahead, capacity) == NOW + timedelta(seconds=after)


@given(
    own=st.floats(0, 1e6), ahead=st.floats(0, 1e6), more=st.floats(0, 1e6), capacity=capacities
)
def test_daily_eta_is_monotone(own, ahead, more, capacity):
    eta = daily_eta(NOW, own, ahead, capacity)
    assert daily_eta(NOW, own, ahead + more, capacity) >= eta
    assert daily_eta(NOW, own + more, ahead, capacity) >= eta
    assert daily_eta(NOW, own, ahead, capacity * 2) <= eta
