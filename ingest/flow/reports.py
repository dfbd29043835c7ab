"""What the flow wing reports: daily batches watched against their 48 hours (docs/contract.md §6),
and the figures ``/metrics`` exports."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from ingest.accounts.principal import Principal, scoped
from ingest.flow.classification import SlaState
from ingest.flow.tables import SlaBreach
from ingest.platform.models import Batch, Flow
from ingest.platform.pages import fetch_page

WATCHED = (SlaState.at_risk, SlaState.breached)


def watched_daily_batches(session: Session, principal: Principal, *, states: Sequence[SlaState] = WATCHED,
                          limit: int, offset: int) -> tuple[list[Batch], int]:
    """Daily batches in `states` (at risk or breached by default) that the principal sees, soonest
    due first."""
    stmt = select(Batch).where(Batch.flow == Flow.daily, col(Batch.sla_state).in_([s.value for s in states]))
    stmt = scoped(stmt, Batch.account_id, principal, Batch.dossier_id)
    return fetch_page(session, stmt, col(Batch.due_at), col(Batch.id), limit=limit, offset=offset)


def late_documents(session: Session, batch_ids: list[str]) -> dict[str, int]:
    """Documents of each batch not finished by its due time."""
    if not batch_ids:
        return {}
    rows = session.exec(select(SlaBreach.batch_id, func.count()).where(col(SlaBreach.batch_id).in_(batch_ids))
                        .group_by(SlaBreach.batch_id)).all()
    return dict(rows)


def daily_batches_by_state(engine: Engine) -> dict[str, int]:
    """Daily batches by SLA state (every state present), with the breached ones that have finished
    as ``breached_finished``, and the documents late at their due time as ``late_documents``."""
    with Session(engine) as session:
        by_state = dict(session.exec(select(Batch.sla_state, func.count())
                                     .where(Batch.flow == Flow.daily, col(Batch.sla_state).is_not(None))
                                     .group_by(Batch.sla_state)).all())
        finished_breached = session.exec(select(func.count()).select_from(Batch).where(
            Batch.flow == Flow.daily, Batch.sla_state == SlaState.breached.value,
            col(Batch.finished_at).is_not(None))).one()
        late = session.exec(select(func.count()).select_from(SlaBreach)).one()
    counts = {state.value: int(by_state.get(state.value, 0)) for state in SlaState}
    return {**counts, "breached_finished": int(finished_breached), "late_documents": int(late)}
