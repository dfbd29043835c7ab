"""Monthly anniversary periods (docs/contract.md §4), in Europe/Paris wall time."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.contract.periods import (
    PARIS,
    Period,
    period_at,
    period_bounds,
    period_index_at,
    period_start,
)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def utc(value: datetime) -> datetime:
    # Two datetimes sharing a tzinfo subtract and compare by wall time; elapsed time and
    # instant order need UTC.
    return value.astimezone(UTC)


@pytest.mark.parametrize(
    ("activation", "index", "expected"),
    [
        # Each start comes from the activation day: 31 Jan → 28 Feb → 31 Mar, not 28 Mar.
        (paris(2026, 1, 31, 10), 0, "2026-01-31T10:00:00+01:00"),
        (paris(2026, 1, 31, 10), 1, "2026-02-28T10:00:00+01:00"),
        (paris(2026, 1, 31, 10), 2, "2026-03-31T10:00:00+02:00"),
        (paris(2026, 1, 31, 10), 3, "2026-04-30T10:00:00+02:00"),
        (paris(2026, 1, 31, 10), 4, "2026-05-31T10:00:00+02:00"),
        (paris(2026, 1, 31, 10), 11, "2026-12-31T10:00:00+01:00"),
        (paris(2026, 1, 31, 10), 12, "2027-01-31T10:00:00+01:00"),
        # Leap year.
        (paris(2028, 1, 31, 10), 1, "2028-02-29T10:00:00+01:00"),
        (paris(2027, 12, 31, 10), 2, "2028-02-29T10:00:00+01:00"),
        (paris(2028, 2, 29, 9, 15), 12, "2029-02-28T09:15:00+01:00"),
        (paris(2028, 2, 29, 9, 15), 48, "2032-02-29T09:15:00+01:00"),
        (paris(2026, 1, 30, 10), 1, "2026-02-28T10:00:00+01:00"),
        (paris(2026, 1, 30, 10), 2, "2026-03-30T10:00:00+02:00"),
        (paris(2026, 1, 29, 10), 1, "2026-02-28T10:00:00+01:00"),
        (paris(2028, 1, 30, 10), 1, "2028-02-29T10:00:00+01:00"),
        # Seconds and microseconds are kept.
        (paris(2026, 5, 15, 8, 7, 6, 5), 1, "2026-06-15T08:07:06.000005+02:00"),
    ],
)
def test_period_start(activation: datetime, index: int, expected: str) -> None:
    start = period_start(activation, index)
    assert start.isoformat() == expected
    assert start.tzinfo is PARIS


@pytest.mark.parametrize(
    ("activation", "index", "expected"),
    [
        # 10:00 stays 10:00 local across both changes; only the offset moves.
        (paris(2026, 2, 15, 10), 1, "2026-03-15T10:00:00+01:00"),
        (paris(2026, 2, 15, 10), 2, "2026-04-15T10:00:00+02:00"),
        (paris(2026, 9, 30, 10), 1, "2026-10-30T10:00:00+01:00"),
        # 02:30 on 1 March never meets a gap: the change is on Sunday 29 March 2026.
        (paris(2026, 3, 1, 2, 30), 1, "2026-04-01T02:30:00+02:00"),
        # 02:30 on 29 March 2026 does not exist: moved forward by the gap, to 03:30 summer time.
        (paris(2026, 1, 29, 2, 30), 2, "2026-03-29T03:30:00+02:00"),
        # ... and the next period is back at 02:30.
        (paris(2026, 1, 29, 2, 30), 3, "2026-04-29T02:30:00+02:00"),
        # 02:30 on 25 October 2026 happens twice: the first occurrence (summer time).
        (paris(2026, 9, 25, 2, 30), 1, "2026-10-25T02:30:00+02:00"),
        (paris(2026, 9, 25, 2, 30), 2, "2026-11-25T02:30:00+01:00"),
    ],
)
def test_period_start_across_daylight_saving(activation: datetime, index: int, expected: str) -> None:
    assert period_start(activation, index).isoformat() == expected


def test_gap_period_keeps_its_length_consistent_with_neighbours() -> None:
    activation = paris(2026, 1, 29, 2, 30)
    before = period_bounds(activation, 1)
    gap = period_bounds(activation, 2)
    assert before[1] == gap[0]
    # 28 Feb 02:30 CET → 29 Mar 03:30 CEST is 29 days of elapsed time: the wall clock
    # jumped the missing hour, the period did not lose or gain one.
    assert utc(gap[0]) - utc(before[0]) == timedelta(days=29)


def test_period_zero_is_the_activation_even_on_the_second_autumn_occurrence() -> None:
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS)
    assert second.utcoffset() == timedelta(hours=1)
    start = period_start(second, 0)
    assert start == second
    assert period_index_at(second, second) == 0


def test_utc_activation_is_answered_in_paris_time() -> None:
    activation = datetime(2026, 1, 31, 9, tzinfo=UTC)  # 10:00 in Paris
    assert period_start(activation, 1).isoformat() == "2026-02-28T10:00:00+01:00"
    assert period_start(activation, 0).isoformat() == "2026-01-31T10:00:00+01:00"


def test_bounds_are_half_open_and_a_boundary_belongs_to_the_new_period() -> None:
    activation = paris(2026, 1, 31, 10)
    start, end = period_bounds(activation, 1)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-02-28T10:00:00+01:00",
        "2026-03-31T10:00:00+02:00",
    )
    assert period_index_at(activation, start) == 1
    assert period_index_at(activation, end) == 2
    assert period_index_at(activation, end - timedelta(microseconds=1)) == 1
    assert period_at(activation, end) == Period(2, end, period_start(activation, 3))


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (paris(2026, 1, 31, 10), 0),
        (paris(2026, 2, 28, 9, 59), 0),
        (paris(2026, 2, 28, 10), 1),
        (paris(2026, 3, 1), 1),
        (paris(2026, 3, 31, 9, 59, 59), 1),
        (paris(2026, 3, 31, 10), 2),
        (paris(2027, 1, 31, 10), 12),
        (datetime(2026, 2, 28, 9, tzinfo=UTC), 1),  # same instant as 10:00 Paris
    ],
)
def test_period_index_at(at: datetime, expected: int) -> None:
    assert period_index_at(paris(2026, 1, 31, 10), at) == expected


def test_period_at_contains_its_instant() -> None:
    activation = paris(2026, 1, 31, 10)
    at = paris(2026, 3, 15, 12)
    period = period_at(activation, at)
    assert period.index == 1
    assert at in period
    assert period.end not in period


def test_second_occurrence_of_an_autumn_hour_is_ordered_by_instant() -> None:
    activation = paris(2026, 9, 25, 2, 30)
    start = period_start(activation, 1)  # 2026-10-25 02:30+02:00, 00:30 UTC
    first_0210 = datetime(2026, 10, 25, 2, 10, fold=0, tzinfo=PARIS)  # 00:10 UTC
    second_0210 = datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=PARIS)  # 01:10 UTC
    assert period_index_at(activation, first_0210) == 0
    assert period_index_at(activation, second_0210) == 1
    assert second_0210 in period_at(activation, second_0210)
    assert period_at(activation, second_0210).start == start


def test_before_activation_is_refused() -> None:
    activation = paris(2026, 1, 31, 10)
    with pytest.raises(ValueError, match="before activation"):
        period_index_at(activation, activation - timedelta(microseconds=1))
    with pytest.raises(ValueError, match="before activation"):
        period_at(activation, paris(2025, 12, 31))


@pytest.mark.parametrize(
    "call",
    [
        lambda: period_start(datetime(2026, 1, 31, 10), 1),
        lambda: period_bounds(datetime(2026, 1, 31, 10), 1),
        lambda: period_index_at(datetime(2026, 1, 31, 10), paris(2026, 2, 1)),
        lambda: period_index_at(paris(2026, 1, 31, 10), datetime(2026, 2, 1)),
        lambda: period_at(paris(2026, 1, 31, 10), datetime(2026, 2, 1)),
        lambda: period_start(paris(2026, 1, 31, 10), -1),
    ],
)
def test_naive_datetimes_and_negative_indexes_are_refused(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        call()


def test_index_must_be_an_int() -> None:
    with pytest.raises(TypeError):
        period_start(paris(2026, 1, 31, 10), True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        period_start(paris(2026, 1, 31, 10), 1.0)  # type: ignore[arg-type]


# --- properties ---------------------------------------------------------------------------

activations = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2090, 12, 31),
    timezones=st.sampled_from([PARIS, UTC, timezone(timedelta(hours=-5))]),
    allow_imaginary=False,
)
indexes = st.integers(min_value=0, max_value=240)


@given(activations, indexes)
def test_periods_tile_time(activation: datetime, index: int) -> None:
    start, end = period_bounds(activation, index)
    next_start, _ = period_bounds(activation, index + 1)
    assert end == next_start
    # A month is 28 to 31 days, give or take the daylight-saving hour.
    elapsed = utc(end) - utc(start)
    assert timedelta(days=28, hours=-1) <= elapsed <= timedelta(days=31, hours=1)


@given(activations, indexes)
def test_start_keeps_the_anniversary(activation: datetime, index: int) -> None:
    local = activation.astimezone(PARIS)
    start = period_start(activation, index)
    year, month0 = divmod(local.year * 12 + local.month - 1 + index, 12)
    assert (start.year, start.month) == (year, month0 + 1)
    assert start.day == min(local.day, calendar.monthrange(year, month0 + 1)[1])
    wall = local.replace(year=start.year, month=start.month, day=start.day)
    # In the spring gap fold=0 reads the winter offset and fold=1 the summer one.
    in_gap = index > 0 and wall.replace(fold=0).utcoffset() < wall.replace(fold=1).utcoffset()
    shift = timedelta(hours=1) if in_gap else timedelta(0)
    assert start.replace(tzinfo=None) == wall.replace(tzinfo=None, fold=0) + shift


@given(activations, indexes)
def test_index_at_a_start_is_that_index(activation: datetime, index: int) -> None:
    assert period_index_at(activation, period_start(activation, index)) == index


@given(activations, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650)))
def test_every_instant_after_activation_is_in_its_period(activation: datetime, delta: timedelta) -> None:
    at = activation + delta
    period = period_at(activation, at)
    assert utc(period.start) <= utc(at) < utc(period.end)
    assert at in period
    assert (period.start, period.end) == period_bounds(activation, period.index)
