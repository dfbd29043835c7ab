from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.contract.calendar import (
    PARIS,
    clock_start,
    support_hours_between,
)
from ingest.contract.support import Criticality, DeadlineState, deadline_state, due_at
from tests.support.oracles import is_in_support_hours


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


# docs/contract.md §2, every worked example: (criticality, qualified at, due, expected offset).
@pytest.mark.parametrize(
    ("criticality", "qualified_at", "due"),
    [
        (1, "2026-12-24T16:50", "2026-12-29T15:50:00+01:00"),  # 25 Dec is a holiday
        (2, "2026-12-24T16:50", "2027-01-05T16:50:00+01:00"),
        (1, "2026-11-27T16:59", "2026-12-01T16:29:00+01:00"),
        (1, "2026-11-28T10:00", "2026-12-01T16:30:00+01:00"),
        (2, "2026-11-28T10:00", "2026-12-08T09:00:00+01:00"),
        (1, "2026-03-27T16:00", "2026-03-31T15:30:00+02:00"),  # after the DST change
        (1, "2026-05-13T12:00", "2026-05-18T11:30:00+02:00"),  # Ascension
        (1, "2026-11-26T12:45", "2026-11-30T12:00:00+01:00"),  # during the lunch break
    ],
)
def test_contract_worked_examples(criticality: int, qualified_at: str, due: str) -> None:
    result = due_at(criticality, paris(qualified_at))
    assert result is not None
    assert result.isoformat() == due


@pytest.mark.parametrize(
    ("criticality", "qualified_at", "due"),
    [
        (1, "2026-05-22T15:00", "2026-05-27T12:30"),  # Whit Monday skipped; ends at a closing
        (1, "2026-10-23T16:00", "2026-10-27T15:30"),  # across the autumn DST change
        (1, "2026-06-05T17:10", "2026-06-09T16:30"),  # Friday after 17:00: from Monday 09:00
        (1, "2026-06-03T09:00", "2026-06-04T16:30"),  # exactly at opening
        (1, "2026-06-03T12:30", "2026-06-05T11:30"),  # exactly at closing: from 14:30
        (1, "2026-06-03T10:00", "2026-06-04T17:30"),  # the budget ends exactly at a closing
        (2, "2026-06-05T17:10", "2026-06-16T09:00"),  # from Monday 09:00
        (2, "2026-05-13T12:00", "2026-05-22T12:00"),  # Ascension skipped
        (2, "2026-10-23T16:00", "2026-11-02T16:00"),  # DST; All Saints is a Sunday
        (2, "2026-12-31T10:00", "2027-01-11T10:00"),  # year end
    ],
)
def test_more_deadlines(criticality: int, qualified_at: str, due: str) -> None:
    assert due_at(criticality, paris(qualified_at)) == paris(due)


def test_criticality_3_has_no_deadline() -> None:
    assert due_at(Criticality.MINOR, paris("2026-06-03T10:00")) is None


@pytest.mark.parametrize("criticality", [0, 4, -1])
def test_unknown_criticality_is_refused(criticality: int) -> None:
    with pytest.raises(ValueError):
        due_at(criticality, paris("2026-06-03T10:00"))


def test_naive_qualification_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        due_at(1, datetime(2026, 6, 3, 10, 0))


DUE = paris("2026-06-08T11:00")  # a Monday; Friday 17:00 → Monday 11:00 is 2 support hours


@pytest.mark.parametrize(
    ("done_at", "now", "expected"),
    [
        (None, paris("2026-06-03T10:00"), DeadlineState.ON_TIME),
        (None, paris("2026-06-05T14:59"), DeadlineState.ON_TIME),  # 4 h 01 left
        (None, paris("2026-06-05T15:00"), DeadlineState.DUE_SOON),  # exactly 4 h left: 2 + 2
        (None, paris("2026-06-06T12:00"), DeadlineState.DUE_SOON),  # Saturday: 2 h left
        (None, DUE, DeadlineState.DUE_SOON),  # the due instant itself is not late
        (None, DUE + timedelta(seconds=1), DeadlineState.LATE),
        (DUE, DUE + timedelta(days=3), DeadlineState.MET),
        (paris("2026-06-03T10:00"), paris("2026-06-10T10:00"), DeadlineState.MET),
        (DUE + timedelta(minutes=1), DUE + timedelta(days=3), DeadlineState.LATE),
    ],
)
def test_deadline_state(done_at: datetime | None, now: datetime, expected: DeadlineState) -> None:
    assert deadline_state(DUE, done_at, now) is expected


def test_deadline_state_is_none_without_deadline() -> None:
    assert deadline_state(None, None, paris("2026-06-03T10:00")) is None
    assert deadline_state(None, paris("2026-06-03T10:00"), paris("2026-06-03T10:00")) is None


def test_due_soon_window_is_a_parameter() -> None:
    now = paris("2026-06-05T15:00")  # 4 support hours before DUE
    assert deadline_state(DUE, None, now, timedelta(hours=1)) is DeadlineState.ON_TIME
    assert deadline_state(DUE, None, now, timedelta(hours=5)) is DeadlineState.DUE_SOON


def test_deadline_state_values_are_stable_codes() -> None:
    assert [state.value for state in DeadlineState] == ["on_time", "due_soon", "late", "met"]


starts = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@given(starts)
def test_criticality_1_due_is_in_support_hours_or_at_a_closing(start: datetime) -> None:
    due = due_at(1, start)
    assert due is not None
    just_before = due - timedelta(microseconds=1)
    at_closing = not is_in_support_hours(due) and is_in_support_hours(just_before)
    assert is_in_support_hours(due) or at_closing


@given(starts)
def test_criticality_1_is_twelve_support_hours(start: datetime) -> None:
    due = due_at(1, start)
    assert due is not None
    assert support_hours_between(clock_start(start), due) == timedelta(hours=12)


later_by = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20))


@given(st.sampled_from([1, 2]), starts, later_by)
def test_due_is_monotonic_in_the_start(criticality: int, start: datetime, later: timedelta) -> None:
    first, second = due_at(criticality, start), due_at(criticality, start + later)
    assert first is not None and second is not None
    assert first <= second
