"""The 48-hour commitment of the daily flow: batches at risk or breached (docs/contract.md §6)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.bounds import Offset
from api.deps import PrincipalDep, SessionDep
from api.schemas import Page
from ingest.flow import reports
from ingest.flow.classification import SlaState

router = APIRouter(prefix="/v1/sla", tags=["sla"])


class DailyBatchSla(BaseModel):
    id: str
    account_id: str
    dossier_id: str
    received_at: datetime
    due_at: datetime | None
    eta: datetime | None = Field(description="the latest expected finish")
    eta_computed_at: datetime | None
    finished_at: datetime | None
    sla_state: str
    late_documents: int = Field(description="documents not finished by the due time (breached only)")
    expected_at: datetime | None = Field(deprecated=True, description="Deprecated, removed in the next release: eta")
    expected_computed_at: datetime | None = Field(deprecated=True, description="Deprecated, removed in the next "
                                                                               "release: eta_computed_at")


@router.get("/daily", response_model=Page[DailyBatchSla])
def daily_at_risk(principal: PrincipalDep, session: SessionDep, state: Literal["at_risk", "breached"] | None = None,
                  limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Page[DailyBatchSla]:
    """Daily batches at risk of missing their 48 hours, or past them; soonest due first.

    Operators see every account; a client sees its own.
    """
    states = [SlaState(state)] if state else reports.WATCHED
    rows, total = reports.watched_daily_batches(session, principal, states=states, limit=limit, offset=offset)
    late = reports.late_documents(session, [b.id for b in rows])
    items = [DailyBatchSla(id=b.id, account_id=b.account_id, dossier_id=b.dossier_id, received_at=b.received_at,
                           due_at=b.due_at, eta=b.eta, eta_computed_at=b.eta_computed_at, expected_at=b.eta,
                           expected_computed_at=b.eta_computed_at,
                           finished_at=b.finished_at, sla_state=b.sla_state or "", late_documents=late.get(b.id, 0))
             for b in rows]
    return Page[DailyBatchSla].of(items, total, limit, offset)
