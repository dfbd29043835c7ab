from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.contract.calendar import (
    PARIS,
    add_business_days,
    add_support_hours,
    clock_start,
    is_business_day,
    month_bounds,
    public_holidays,
    support_hours_between,
    support_intervals,
)
from tests.support.oracles import is_in_support_hours


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 6, 1), True),  # a Monday
        (date(2026, 6, 5), True),  # a Friday
        (date(2026, 6, 6), False),  # Saturday
        (date(2026, 6, 7), False),  # Sunday
        (date(2026, 1, 1), False),  # New Year's Day, a Thursday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 5, 1), False),  # Labour Day, a Friday
        (date(2026, 5, 8), False),  # Victory Day, a Friday
        (date(2026, 5, 14), False),  # Ascension, a Thursday
        (date(2026, 5, 25), False),  # Whit Monday (Lundi de Pentecôte) is in holidays.France()
        (date(2026, 7, 14), False),  # Bastille Day, a Tuesday
        (date(2026, 11, 11), False),  # Armistice, a Wednesday
        (date(2026, 12, 25), False),  # Christmas, a Friday
        (date(2026, 12, 26), False),  # Saturday: Alsace-Moselle's St Stephen is not national
        (date(2026, 4, 3), True),  # Good Friday: only Alsace-Moselle, not in the national list
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), False),
        (date(2027, 5, 6), False),  # Ascension 2027
        (date(2027, 5, 17), False),  # Whit Monday 2027
        (date(2006, 6, 5), True),  # Whit Monday was not a holiday in 2005-2007
    ],
)
def test_business_days(day: date, expected: bool) -> None:
    assert is_business_day(day) is expected


def test_public_holidays_are_cached_per_year() -> None:
    assert public_holidays(2026) is public_holidays(2026)
    assert len(public_holidays(2026)) == 11


def test_support_intervals_monday_to_thursday_and_friday() -> None:
    assert support_intervals(date(2026, 6, 4)) == [
        (paris("2026-06-04T09:00"), paris("2026-06-04T12:30")),
        (paris("2026-06-04T14:30"), paris("2026-06-04T17:30")),
    ]
    assert support_intervals(date(2026, 6, 5)) == [
        (paris("2026-06-05T09:00"), paris("2026-06-05T12:30")),
        (paris("2026-06-05T14:30"), paris("2026-06-05T17:00")),
    ]
    assert support_intervals(date(2026, 6, 6)) == []
    assert support_intervals(date(2026, 5, 14)) == []


def test_support_intervals_carry_the_summer_offset() -> None:
    opens, _ = support_intervals(date(2026, 3, 30))[0]
    assert opens.utcoffset() == timedelta(hours=2)
    opens, _ = support_intervals(date(2026, 3, 27))[0]
    assert opens.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-06-03T10:00", "2026-06-03T10:00"),  # inside: at once
        ("2026-06-03T09:00", "2026-06-03T09:00"),  # exactly at opening: inside
        ("2026-06-03T08:59:59", "2026-06-03T09:00"),
        ("2026-06-03T12:30", "2026-06-03T14:30"),  # exactly at closing: not inside
        ("2026-06-03T13:00", "2026-06-03T14:30"),  # lunch break
        ("2026-06-03T17:29", "2026-06-03T17:29"),
        ("2026-06-03T17:30", "2026-06-04T09:00"),
        ("2026-06-05T17:00", "2026-06-08T09:00"),  # Friday closes at 17:00
        ("2026-06-05T17:15", "2026-06-08T09:00"),  # Friday after 17:00
        ("2026-06-06T10:00", "2026-06-08T09:00"),  # Saturday
        ("2026-05-13T17:30", "2026-05-15T09:00"),  # Ascension Thursday skipped
        ("2026-05-22T18:00", "2026-05-26T09:00"),  # Whit Monday skipped
        ("2026-12-31T17:30", "2027-01-04T09:00"),  # year end, New Year's Day on Friday
        ("2026-03-29T02:30", "2026-03-30T09:00"),  # in the DST gap, a Sunday
    ],
)
def test_clock_start(at: str, expected: str) -> None:
    assert clock_start(paris(at)) == paris(expected)


def test_clock_start_accepts_any_zone_and_answers_in_paris() -> None:
    started = clock_start(datetime(2026, 6, 3, 8, 0, tzinfo=UTC))  # 10:00 in Paris
    assert started.tzinfo is PARIS
    assert started.isoformat() == "2026-06-03T10:00:00+02:00"
    started = clock_start(datetime(2026, 6, 3, 12, 0, tzinfo=timezone(timedelta(hours=5))))
    assert started.isoformat() == "2026-06-03T09:00:00+02:00"


@pytest.mark.parametrize(
    "function",
    [
        clock_start,
        lambda at: add_support_hours(at, 1),
        lambda at: add_business_days(at, 1),
        lambda at: support_hours_between(at, at),
    ],
)
def test_naive_datetimes_are_refused(function) -> None:
    with pytest.raises(ValueError, match="naive"):
        function(datetime(2026, 6, 3, 10, 0))


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-06-03T10:00", 1, "2026-06-03T11:00"),
        ("2026-06-03T10:00", 2.5, "2026-06-03T12:30"),  # ends exactly at a closing: kept
        ("2026-06-03T10:00", 2.75, "2026-06-03T14:45"),
        ("2026-06-03T14:30", 3, "2026-06-03T17:30"),
        ("2026-06-03T13:00", 0, "2026-06-03T14:30"),  # zero budget: the clock start
        ("2026-06-05T16:00", 1.5, "2026-06-08T09:30"),  # Friday closes at 17:00
        ("2026-12-31T17:00", 1, "2027-01-04T09:30"),  # year end
        ("2026-03-27T16:00", 1.5, "2026-03-30T09:30"),  # across the spring DST change
        ("2026-10-23T16:00", 1.5, "2026-10-26T09:30"),  # across the autumn DST change
    ],
)
def test_add_support_hours(start: str, hours: float, expected: str) -> None:
    assert add_support_hours(paris(start), hours) == paris(expected)


def test_add_support_hours_takes_a_timedelta_and_refuses_negative_budgets() -> None:
    start = paris("2026-06-03T10:00")
    assert add_support_hours(start, timedelta(minutes=90)) == paris("2026-06-03T11:30")
    with pytest.raises(ValueError, match="negative"):
        add_support_hours(start, -1)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-06-03T10:00", 0, "2026-06-03T10:00"),
        ("2026-06-03T10:00", 2, "2026-06-05T10:00"),
        ("2026-06-05T16:50", 1, "2026-06-08T16:50"),
        ("2026-05-13T11:00", 1, "2026-05-15T11:00"),  # Ascension
        ("2026-05-22T11:00", 1, "2026-05-26T11:00"),  # Whit Monday
        ("2026-12-24T16:50", 6, "2027-01-05T16:50"),  # Christmas and New Year's Day
        ("2026-03-27T16:50", 1, "2026-03-30T16:50"),  # same wall time across DST
        ("2026-10-23T16:50", 1, "2026-10-26T16:50"),
    ],
)
def test_add_business_days(start: str, days: int, expected: str) -> None:
    result = add_business_days(paris(start), days)
    assert result == paris(expected)
    assert result.utcoffset() == paris(expected).utcoffset()


def test_add_business_days_refuses_negative_counts() -> None:
    with pytest.raises(ValueError):
        add_business_days(paris("2026-06-03T10:00"), -1)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2026-06-03T10:00", "2026-06-03T11:00", timedelta(hours=1)),
        ("2026-06-03T12:00", "2026-06-03T15:00", timedelta(hours=1)),  # lunch not counted
        ("2026-06-03T00:00", "2026-06-04T00:00", timedelta(hours=6, minutes=30)),
        ("2026-06-05T00:00", "2026-06-06T00:00", timedelta(hours=6)),  # Friday
        ("2026-06-06T00:00", "2026-06-08T00:00", timedelta(0)),  # weekend
        ("2026-05-14T00:00", "2026-05-15T00:00", timedelta(0)),  # Ascension
        ("2026-06-01T00:00", "2026-06-08T00:00", timedelta(hours=32)),  # 4 × 6.5 + 6
        ("2026-06-03T11:00", "2026-06-03T10:00", -timedelta(hours=1)),
    ],
)
def test_support_hours_between(a: str, b: str, expected: timedelta) -> None:
    assert support_hours_between(paris(a), paris(b)) == expected


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
budgets = st.integers(min_value=0, max_value=40 * 3600).map(lambda s: timedelta(seconds=s))


@given(instants)
def test_clock_start_is_in_support_hours_and_not_before(at: datetime) -> None:
    started = clock_start(at)
    assert started >= at
    assert is_in_support_hours(started)
    assert support_hours_between(at, started) == timedelta(0)


@given(instants, budgets)
def test_added_support_hours_are_found_between(start: datetime, budget: timedelta) -> None:
    end = add_support_hours(start, budget)
    assert support_hours_between(clock_start(start), end) == budget
    assert support_hours_between(start, end) == budget


@given(instants, st.integers(min_value=0, max_value=30))
def test_business_days_keep_the_wall_time(start: datetime, days: int) -> None:
    result = add_business_days(start, days)
    local = start.astimezone(PARIS)
    if days:
        assert is_business_day(result.date())
    assert result.date() >= local.date()
    if 3 <= local.hour:  # outside the night hours where DST may move the wall clock
        assert result.time() == local.time()

@pytest.mark.parametrize(("year", "month", "start", "end"), [
    (2026, 6, "2026-05-31T22:00:00+00:00", "2026-06-30T22:00:00+00:00"),
    (2026, 12, "2026-11-30T23:00:00+00:00", "2026-12-31T23:00:00+00:00"),  # year end
    (2026, 3, "2026-02-28T23:00:00+00:00", "2026-03-31T22:00:00+00:00"),  # DST in the month
])
def test_month_bounds_are_paris_midnights(year: int, month: int, start: str, end: str) -> None:
    assert month_bounds(year, month) == (datetime.fromisoformat(start), datetime.fromisoformat(end))
