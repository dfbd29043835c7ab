"""The 48-hour commitment of the daily flow: batches at risk or breached (CONTRACT §6)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import func, select

from api.deps import PrincipalDep, SessionDep
from api.schemas import Page
from ingest.flow.classification import SlaState
from ingest.flow.tables import SlaBreach
from ingest.platform.models import Batch, Flow

router = APIRouter(prefix="/v1/sla", tags=["sla"])

WATCHED = (SlaState.at_risk.value, SlaState.breached.value)


class DailyBatchSla(BaseModel):
    id: str
    account_id: str
    dossier_id: str
    received_at: datetime
    due_at: datetime | None
    expected_at: datetime | None = Field(description="the latest expected finish")
    expected_computed_at: datetime | None
    finished_at: datetime | None
    sla_state: str
    late_documents: int = Field(description="documents not finished by the due time (breached only)")


@router.get("/daily", response_model=Page[DailyBatchSla])
def daily_at_risk(principal: PrincipalDep, session: SessionDep,
                  state: str | None = Query(None, pattern="^(at_risk|breached)$"),
                  limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> Page[DailyBatchSla]:
    """Daily batches at risk of missing their 48 hours, or past them; soonest due first.

    Operators see every account; a client sees its own.
    """
    stmt = select(Batch).where(Batch.flow == Flow.daily,
                               Batch.sla_state.in_([state] if state else WATCHED))  # type: ignore[union-attr]
    if not principal.is_operator:
        stmt = stmt.where(Batch.account_id == principal.account_id)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(Batch.due_at, Batch.id).offset(offset).limit(limit)).all()  # type: ignore[arg-type]
    late = _late_documents(session, [b.id for b in rows])
    items = [DailyBatchSla(id=b.id, account_id=b.account_id, dossier_id=b.dossier_id, received_at=b.received_at,
                           due_at=b.due_at, expected_at=b.eta, expected_computed_at=b.eta_computed_at,
                           finished_at=b.finished_at, sla_state=b.sla_state or "", late_documents=late.get(b.id, 0))
             for b in rows]
    return Page[DailyBatchSla].of(items, total, limit, offset)


def _late_documents(session: SessionDep, batch_ids: list[str]) -> dict[str, int]:
    if not batch_ids:
        return {}
    rows = session.exec(select(SlaBreach.batch_id, func.count()).where(
        SlaBreach.batch_id.in_(batch_ids)).group_by(SlaBreach.batch_id)).all()  # type: ignore[attr-defined]
    return dict(rows)
