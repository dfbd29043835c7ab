"""A month's availability from what is stored: measurements of every source and the
maintenance windows of that month (CONTRACT.md §3). The rule itself is
``ingest.contract.availability.month_availability``; this module only gathers its inputs.
"""

from __future__ import annotations

import importlib
import logging
from datetime import UTC, datetime

from sqlmodel import Session

from ingest.availability.probes import stored_between
from ingest.contract.availability import (
    AvailabilityReport,
    MaintenanceWindow,
    month_availability,
    parse_month,
)
from ingest.contract.calendar import PARIS, require_aware

log = logging.getLogger(__name__)

MAINTENANCE_MODULE = "ingest.support.maintenance"


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) of a Paris calendar month, in UTC."""
    start = datetime(year, month, 1, tzinfo=PARIS)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=PARIS)
    return start.astimezone(UTC), following.astimezone(UTC)


def current_month(now: datetime) -> str:
    """The Paris calendar month ``now`` falls in, as 'YYYY-MM'."""
    local = require_aware(now, "now").astimezone(PARIS)
    return month_text(local.year, local.month)


def month_ended(month: str, now: datetime) -> bool:
    """True once the whole month lies in the past (Paris calendar)."""
    return require_aware(now, "now") >= month_bounds(*parse_month(month))[1]


def maintenance_windows(session: Session, year: int, month: int) -> list[MaintenanceWindow]:
    """The month's maintenance windows, from the maintenance feature's module.

    Until that module exists the month has no windows; any other import failure is a
    real fault and is raised."""
    try:
        module = importlib.import_module(MAINTENANCE_MODULE)
    except ModuleNotFoundError as error:
        if error.name != MAINTENANCE_MODULE:
            raise
        log.warning("%s is absent: availability is computed without maintenance windows",
                    MAINTENANCE_MODULE)
        return []
    return list(module.windows_for_month(session, year, month))


def _not_yet_measured(start: datetime, end: datetime, now: datetime) -> list[MaintenanceWindow]:
    """The part of the month from the start of the current hour on, as a window excluded
    from the count: an hour that has not ended cannot have its 20 measurements, and would
    otherwise count as KO. Paris offsets are whole hours, so the UTC hour is the Paris hour."""
    cut = max(start, require_aware(now, "now").astimezone(UTC).replace(minute=0, second=0, microsecond=0))
    return [MaintenanceWindow(cut, end)] if cut < end else []


def month_report(session: Session, month: str, now: datetime) -> AvailabilityReport:
    """The availability of ``month`` ('YYYY-MM') as known at ``now``: for a month not yet over,
    over its hours that have ended. ValueError for a malformed month."""
    year, number = parse_month(month)
    start, end = month_bounds(year, number)
    measurements = stored_between(session, start, end)
    windows = maintenance_windows(session, year, number) + _not_yet_measured(start, end, now)
    return month_availability((year, number), measurements, windows)
