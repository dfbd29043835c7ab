"""A month's availability from what is stored: measurements of every source and the
maintenance windows of that month (docs/contract.md §3). The rule itself is
``ingest.contract.availability.month_availability``; this module only gathers its inputs.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from ingest.availability.probes import stored_between
from ingest.contract.availability import (
    AvailabilityReport,
    HourState,
    hour_states,
    month_availability,
    parse_month,
)
from ingest.contract.calendar import PARIS, month_bounds, require_aware
from ingest.support.maintenance import windows_for_month


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def current_month(now: datetime) -> str:
    """The Paris calendar month ``now`` falls in, as 'YYYY-MM'."""
    local = require_aware(now, "now").astimezone(PARIS)
    return month_text(local.year, local.month)


def month_ended(month: str, now: datetime) -> bool:
    """True once the whole month lies in the past (Paris calendar)."""
    return require_aware(now, "now") >= month_bounds(*parse_month(month))[1]


def month_report(session: Session, month: str, now: datetime) -> AvailabilityReport:
    """The availability of ``month`` ('YYYY-MM') as known at ``now``: for a month not yet over,
    over its hours that have ended. ValueError for a malformed month."""
    return month_grid(session, month, now)[0]


def month_grid(session: Session, month: str, now: datetime) -> tuple[AvailabilityReport,
                                                                   list[tuple[datetime, HourState]]]:
    """The month's report and each of its working hours' state, from the same measurements and
    windows (ValueError for a malformed month)."""
    year, number = parse_month(month)
    start, end = month_bounds(year, number)
    windows = windows_for_month(session, year, number)
    until = _hour_start(now)
    report = month_availability((year, number), stored_between(session, start, end), windows, measured_until=until)
    return report, hour_states(report, windows, measured_until=until)


def _hour_start(now: datetime) -> datetime:
    """The start of the hour `now` is in: that hour has not ended, so it is not counted yet (Paris
    offsets are whole hours, so the UTC hour is the Paris hour)."""
    return require_aware(now, "now").astimezone(UTC).replace(minute=0, second=0, microsecond=0)
