from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.contract.retention import (
    PARIS,
    expiring_notice,
    history_start,
    is_purgeable,
    next_purge_boundary,
    outside_history,
    paris_date,
    reference_date,
)

LAST_MINUTE_2026 = datetime(2026, 12, 31, 23, 59, tzinfo=PARIS)
FIRST_MINUTE_2027 = datetime(2027, 1, 1, 0, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (datetime(2026, 11, 27, 12, 0, tzinfo=PARIS), date(2025, 1, 1)),
        (LAST_MINUTE_2026, date(2025, 1, 1)),
        (FIRST_MINUTE_2027, date(2026, 1, 1)),
        # 23:30 UTC on 31 December is already 00:30 on 1 January in Paris (UTC+1 in winter).
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2026, 1, 1)),
        (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), date(2025, 1, 1)),
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), date(2026, 1, 1)),
    ],
)
def test_history_start(as_of, expected):
    assert history_start(as_of) == expected


@pytest.mark.parametrize(
    ("reference", "as_of", "purgeable"),
    [
        # docs/contract.md §5's example: on 2026-11-27 the history is 2025 and 2026.
        (date(2024, 12, 31), datetime(2026, 11, 27, tzinfo=PARIS), True),
        (date(2025, 1, 1), datetime(2026, 11, 27, tzinfo=PARIS), False),
        # From 2027-01-01, 2025 remains and 2024 goes; 2025 goes only a year later.
        (date(2025, 1, 1), LAST_MINUTE_2026, False),
        (date(2025, 12, 31), FIRST_MINUTE_2027, True),
        (date(2026, 1, 1), FIRST_MINUTE_2027, False),
        (date(2025, 12, 31), datetime(2026, 12, 31, 23, 30, tzinfo=UTC), True),
        (date(2025, 12, 31), datetime(2026, 12, 31, 22, 30, tzinfo=UTC), False),
        # Leap days behave like any other day of their year.
        (date(2024, 2, 29), datetime(2025, 12, 31, 12, tzinfo=PARIS), False),
        (date(2024, 2, 29), datetime(2026, 1, 1, 0, 0, tzinfo=PARIS), True),
        (date(2028, 2, 29), datetime(2029, 2, 28, tzinfo=PARIS), False),
        # A future reference date (a mistyped invoice date) is kept, not purged.
        (date(2031, 5, 1), datetime(2026, 6, 1, tzinfo=PARIS), False),
    ],
)
def test_is_purgeable(reference, as_of, purgeable):
    assert is_purgeable(reference, as_of) is purgeable
    assert outside_history(reference, as_of) is purgeable


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        history_start(datetime(2026, 12, 31, 23, 59))


@pytest.mark.parametrize(
    ("invoice_date", "validated", "received_at", "expected"),
    [
        (date(2025, 3, 14), True, datetime(2026, 2, 1, 9, tzinfo=PARIS), date(2025, 3, 14)),
        # Extracted but not validated: the receipt date rules.
        (date(2016, 3, 14), False, datetime(2026, 2, 1, 9, tzinfo=PARIS), date(2026, 2, 1)),
        (None, True, datetime(2026, 2, 1, 9, tzinfo=PARIS), date(2026, 2, 1)),
        (None, False, datetime(2026, 2, 1, 9, tzinfo=PARIS), date(2026, 2, 1)),
        # Received at 23:30 UTC on 31 December: the Paris receipt date is in the new year.
        (None, False, datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 1)),
        # In summer Paris is UTC+2: 22:30 UTC is already the next day.
        (None, False, datetime(2026, 6, 30, 22, 30, tzinfo=UTC), date(2026, 7, 1)),
        (None, False, datetime(2026, 6, 30, 21, 59, tzinfo=UTC), date(2026, 6, 30)),
    ],
)
def test_reference_date(invoice_date, validated, received_at, expected):
    assert reference_date(invoice_date, validated, received_at) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (datetime(2026, 3, 1, tzinfo=PARIS), date(2027, 1, 1)),
        (LAST_MINUTE_2026, date(2027, 1, 1)),
        (FIRST_MINUTE_2027, date(2028, 1, 1)),
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2028, 1, 1)),
    ],
)
def test_next_purge_boundary(as_of, expected):
    assert next_purge_boundary(as_of) == expected


@pytest.mark.parametrize(
    ("as_of", "is_open", "year"),
    [
        (datetime(2026, 11, 30, 23, 59, tzinfo=PARIS), False, 2025),
        (datetime(2026, 12, 1, 0, 0, tzinfo=PARIS), True, 2025),
        # 23:00 UTC on 30 November is midnight on 1 December in Paris.
        (datetime(2026, 11, 30, 23, 0, tzinfo=UTC), True, 2025),
        (datetime(2026, 11, 30, 22, 59, tzinfo=UTC), False, 2025),
        (LAST_MINUTE_2026, True, 2025),
        # Once the year has turned, 2025 is being purged and the next wave is 2026, not yet open.
        (FIRST_MINUTE_2027, False, 2026),
        (datetime(2027, 6, 15, tzinfo=PARIS), False, 2026),
    ],
)
def test_expiring_notice(as_of, is_open, year):
    notice = expiring_notice(as_of)
    assert (notice.is_open, notice.expiring_year) == (is_open, year)
    assert notice.purge_on == next_purge_boundary(as_of)
    assert notice.last_reference_date == date(year, 12, 31)


def test_the_noticed_wave_is_exactly_what_the_next_purge_removes():
    notice = expiring_notice(datetime(2026, 12, 15, tzinfo=PARIS))
    purge_instant = datetime.combine(notice.purge_on, datetime.min.time(), tzinfo=PARIS)
    assert is_purgeable(notice.last_reference_date, purge_instant)
    assert not is_purgeable(notice.last_reference_date + timedelta(days=1), purge_instant)
    assert not is_purgeable(notice.last_reference_date, purge_instant - timedelta(minutes=1))


instants = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2098, 12, 31), timezones=st.just(UTC)
)


@given(reference=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), as_of=instants)
def test_purgeable_iff_year_before_previous(reference, as_of):
    paris_year = as_of.astimezone(PARIS).year
    assert is_purgeable(reference, as_of) is (reference.year < paris_year - 1)


@given(as_of=instants)
def test_history_start_and_boundary_bracket_two_years(as_of):
    start, boundary = history_start(as_of), next_purge_boundary(as_of)
    assert (start.month, start.day, boundary.month, boundary.day) == (1, 1, 1, 1)
    assert boundary.year - start.year == 2
    assert start <= paris_date(as_of) < boundary
