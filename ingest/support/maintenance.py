"""Maintenance windows: announced by operators, published to everyone (docs/contract.md §3, §8).

A window recorded before it starts is ``scheduled`` and removes its hours from the availability
count; one recorded once it has started is ``urgent`` (the booklet's *Maintenance Urgente*) and
excuses nothing. The kind is fixed when the window is recorded and never recomputed. Uploads stay
open during any window: nothing here blocks them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ingest.accounts.principal import Principal
from ingest.contract import availability
from ingest.contract.availability import WindowKind
from ingest.contract.calendar import month_bounds, require_aware
from ingest.platform.columns import utcnow
from ingest.platform.errors import Code, DomainError
from ingest.platform.pages import fetch_page
from ingest.support.tables import MaintenanceWindow

MAX_DESCRIPTION = 2000


class MaintenanceCode(Code):
    INVALID_WINDOW = "invalid_window", "A window must end after it starts; its description is at most 2,000 characters."
    OPERATORS_ONLY = "operators_only", "Only the provider's operators announce maintenance."


class MaintenanceError(DomainError):
    """A maintenance window refused (see `MaintenanceCode`)."""


def kind_at_recording(starts_at: datetime, recorded_at: datetime) -> WindowKind:
    """Announced before it starts: scheduled; at or after its start: urgent."""
    if require_aware(recorded_at, "recorded_at") < require_aware(starts_at, "starts_at"):
        return WindowKind.SCHEDULED
    return WindowKind.URGENT


def announce_window(session: Session, principal: Principal, *, starts_at: datetime, ends_at: datetime,
                    description: str = "", now: datetime | None = None) -> MaintenanceWindow:
    """Record a window [starts_at, ends_at) announced at ``now``; its kind follows from the two."""
    if not principal.is_operator:
        raise MaintenanceError(MaintenanceCode.OPERATORS_ONLY,
                               "Only the provider's operators announce maintenance.")
    recorded_at = require_aware(now, "now") if now is not None else utcnow()
    require_aware(starts_at, "starts_at")
    require_aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise MaintenanceError(MaintenanceCode.INVALID_WINDOW, "A window must end after it starts "
                               f"({starts_at.isoformat()} → {ends_at.isoformat()}).")
    if len(description) > MAX_DESCRIPTION:
        raise MaintenanceError(MaintenanceCode.INVALID_WINDOW,
                               f"The description is longer than {MAX_DESCRIPTION} characters.")
    record = MaintenanceWindow(starts_at=starts_at, ends_at=ends_at, description=description.strip(),
                               kind=kind_at_recording(starts_at, recorded_at), recorded_at=recorded_at,
                               recorded_by=principal.user_id)
    session.add(record)
    session.commit()
    return record


def list_windows(session: Session, *, start_from: datetime | None = None, to: datetime | None = None,
                 upcoming_at: datetime | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[list[MaintenanceWindow], int]:
    """Windows overlapping [start_from, to), or those not yet over at ``upcoming_at``; by start."""
    stmt = select(MaintenanceWindow)
    if start_from is not None:
        stmt = stmt.where(col(MaintenanceWindow.ends_at) > require_aware(start_from, "from"))
    if to is not None:
        stmt = stmt.where(col(MaintenanceWindow.starts_at) < require_aware(to, "to"))
    if upcoming_at is not None:
        stmt = stmt.where(col(MaintenanceWindow.ends_at) > require_aware(upcoming_at, "upcoming_at"))
    return fetch_page(session, stmt, col(MaintenanceWindow.starts_at), col(MaintenanceWindow.id), limit=limit,
                      offset=offset)


def near_windows(session: Session, now: datetime, horizon: timedelta) -> list[MaintenanceWindow]:
    """Windows running at ``now`` or starting within ``horizon``, soonest first (the pages' banner)."""
    stmt = (select(MaintenanceWindow)
            .where(col(MaintenanceWindow.ends_at) > require_aware(now, "now"),
                   col(MaintenanceWindow.starts_at) < now + horizon)
            .order_by(col(MaintenanceWindow.starts_at)).limit(5))
    return list(session.exec(stmt).all())


def windows_for_month(session: Session, year: int, month: int) -> list[availability.MaintenanceWindow]:
    """Every recorded window overlapping the Paris month, as the availability rule takes them."""
    start, end = month_bounds(year, month)
    rows = session.exec(select(MaintenanceWindow).where(
        col(MaintenanceWindow.ends_at) > start, col(MaintenanceWindow.starts_at) < end)
        .order_by(col(MaintenanceWindow.starts_at))).all()
    return [availability.MaintenanceWindow(r.starts_at, r.ends_at, WindowKind(r.kind)) for r in rows]
