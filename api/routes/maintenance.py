"""Maintenance windows: operators announce them; anyone may read them, without a key (docs/contract.md §8)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.bounds import Instant, Offset
from api.deps import OperatorDep, SessionDep
from api.problems import ApiCode, Problem
from api.schemas import Page
from api.schemas_support import MaintenanceCreate, MaintenancePublic, maintenance_public
from ingest.platform.columns import utcnow
from ingest.support import maintenance

router = APIRouter(prefix="/v1/maintenance", tags=["maintenance"])


@router.post("", status_code=201, response_model=MaintenancePublic)
def announce(body: MaintenanceCreate, operator: OperatorDep, session: SessionDep) -> MaintenancePublic:
    """Announce a window; one whose start has already passed is recorded as urgent."""
    record = maintenance.announce_window(session, operator, starts_at=body.starts_at, ends_at=body.ends_at,
                                         description=body.description)
    return maintenance_public(record)


@router.get("", response_model=Page[MaintenancePublic])
def list_windows(session: SessionDep,
                 start_from: Annotated[Instant | None,
                                       Query(alias="from", description="windows ending after this instant")] = None,
                 to: Annotated[Instant | None, Query(description="windows starting before this instant")] = None,
                 upcoming: bool = Query(False, description="only windows not over yet"),
                 limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Page[MaintenancePublic]:
    """Public: upcoming and past windows, by start."""
    if start_from is not None and to is not None and to <= start_from:
        raise Problem(ApiCode.invalid_range, "'to' must be after 'from'.")
    rows, total = maintenance.list_windows(session, start_from=start_from, to=to,
                                           upcoming_at=utcnow() if upcoming else None, limit=limit, offset=offset)
    return Page[MaintenancePublic].of([maintenance_public(r) for r in rows], total, limit, offset)
