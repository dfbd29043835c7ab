"""Maintenance windows: announced by operators, published to everyone (CONTRACT §3, §8).

A window recorded before it starts is ``scheduled`` and removes its hours from the availability
count; one recorded once it has started is ``urgent`` (the booklet's *Maintenance Urgente*) and
excuses nothing. The kind is fixed when the window is recorded and never recomputed. Uploads stay
open during any window: nothing here blocks them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from ingest.accounts.principal import Principal
from ingest.contract.availability import MaintenanceWindow
from ingest.contract.calendar import PARIS, require_aware
from ingest.platform.columns import utcnow
from ingest.platform.errors import DomainError
from ingest.platform.pages import fetch_page
from ingest.support.tables import MaintenanceRecord

MAX_DESCRIPTION = 2000


class WindowKind(StrEnum):
    SCHEDULED = "scheduled"
    URGENT = "urgent"


class MaintenanceCode(StrEnum):
    INVALID_WINDOW = "invalid_window"
    OPERATORS_ONLY = "operators_only"


class MaintenanceError(DomainError):
    """A maintenance window refused (see `MaintenanceCode`)."""


def kind_at_recording(start: datetime, recorded_at: datetime) -> WindowKind:
    """Announced before it starts: scheduled; at or after its start: urgent."""
    if require_aware(recorded_at, "recorded_at") < require_aware(start, "start"):
        return WindowKind.SCHEDULED
    return WindowKind.URGENT


def announce_window(session: Session, principal: Principal, *, start: datetime, end: datetime,
                    description: str = "", now: datetime | None = None) -> MaintenanceRecord:
    """Record a window [start, end) announced at ``now``; its kind follows from the two."""
    if not principal.is_operator:
        raise MaintenanceError(MaintenanceCode.OPERATORS_ONLY,
                               "Only the provider's operators announce maintenance.")
    recorded_at = require_aware(now, "now") if now is not None else utcnow()
    require_aware(start, "start")
    require_aware(end, "end")
    if end <= start:
        raise MaintenanceError(MaintenanceCode.INVALID_WINDOW,
                               f"A window must end after it starts ({start.isoformat()} → {end.isoformat()}).")
    if len(description) > MAX_DESCRIPTION:
        raise MaintenanceError(MaintenanceCode.INVALID_WINDOW,
                               f"The description is longer than {MAX_DESCRIPTION} characters.")
    record = MaintenanceRecord(starts_at=start, ends_at=end, description=description.strip(),
                               kind=kind_at_recording(start, recorded_at), recorded_at=recorded_at,
                               recorded_by=principal.user_id)
    session.add(record)
    session.commit()
    return record


def list_windows(session: Session, *, start_from: datetime | None = None, to: datetime | None = None,
                 upcoming_at: datetime | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[list[MaintenanceRecord], int]:
    """Windows overlapping [start_from, to), or those not yet over at ``upcoming_at``; by start."""
    stmt = select(MaintenanceRecord)
    if start_from is not None:
        stmt = stmt.where(col(MaintenanceRecord.ends_at) > require_aware(start_from, "from"))
    if to is not None:
        stmt = stmt.where(col(MaintenanceRecord.starts_at) < require_aware(to, "to"))
    if upcoming_at is not None:
        stmt = stmt.where(col(MaintenanceRecord.ends_at) > require_aware(upcoming_at, "upcoming_at"))
    return fetch_page(session, stmt, col(MaintenanceRecord.starts_at), col(MaintenanceRecord.id), limit=limit,
                      offset=offset)


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The month's first and next month's first instants, at Paris midnight."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return (datetime(first.year, first.month, 1, tzinfo=PARIS),
            datetime(following.year, following.month, 1, tzinfo=PARIS))


def windows_for_month(session: Session, year: int, month: int) -> list[MaintenanceWindow]:
    """Every recorded window overlapping the Paris month, as the availability rule takes them
    (urgent ones flagged, so that they excuse nothing)."""
    start, end = month_bounds(year, month)
    rows = session.exec(select(MaintenanceRecord).where(
        col(MaintenanceRecord.ends_at) > start, col(MaintenanceRecord.starts_at) < end)
        .order_by(col(MaintenanceRecord.starts_at))).all()
    return [MaintenanceWindow(start=r.starts_at, end=r.ends_at, urgent=r.kind == WindowKind.URGENT)
            for r in rows]
