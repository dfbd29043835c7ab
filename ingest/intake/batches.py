"""Batches as their account reads them back: one with its documents and rejections, counts by
state, and the paged list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ingest.accounts.principal import Principal, scoped
from ingest.intake.tables import Rejection
from ingest.platform.models import FINAL_STATES, Batch, Document, DocumentState
from ingest.platform.pages import fetch_page

Counts = dict[str, int]
UNFINISHED_STATES = [s.value for s in DocumentState if s not in FINAL_STATES]


@dataclass
class Receipt:
    """A batch with its documents and the files it refused; `replayed` when an upload under the
    same idempotency key found it instead of creating it."""

    batch: Batch
    documents: list[Document]
    rejections: list[Rejection]
    replayed: bool = False


def load_receipt(session: Session, batch: Batch, replayed: bool = False) -> Receipt:
    docs = session.exec(select(Document).where(Document.batch_id == batch.id)
                        .order_by(col(Document.received_at), col(Document.filename))).all()
    rejs = session.exec(select(Rejection).where(Rejection.batch_id == batch.id).order_by(col(Rejection.id))).all()
    return Receipt(batch, list(docs), list(rejs), replayed)


def batch_counts(session: Session, batch_ids: list[str]) -> dict[str, Counts]:
    """Documents per state of each batch (every state present, 0 when none)."""
    counts: dict[str, Counts] = {b: {s.value: 0 for s in DocumentState} for b in batch_ids}
    if not batch_ids:
        return counts
    rows = session.exec(select(Document.batch_id, Document.state, func.count())
                        .where(col(Document.batch_id).in_(batch_ids))
                        .group_by(Document.batch_id, Document.state)).all()
    for batch_id, state, n in rows:
        counts[batch_id][state] = n
    return counts


def batch_state(counts: Counts) -> Literal["open", "done"]:
    """``open`` while any document is unfinished, then ``done``."""
    unfinished = sum(n for s, n in counts.items() if s not in FINAL_STATES)
    return "open" if unfinished else "done"


def list_batches(session: Session, principal: Principal, *, dossier_id: str | None = None,
                 state: Literal["open", "done"] | None = None, flow: str | None = None,
                 since: datetime | None = None, limit: int, offset: int) -> tuple[list[Batch], int]:
    """The batches the principal sees, newest first; of one dossier, in one state, of one flow and
    received since an instant if asked."""
    stmt = scoped(select(Batch), Batch.account_id, principal, Batch.dossier_id)
    if dossier_id:
        stmt = stmt.where(Batch.dossier_id == dossier_id)
    if flow:
        stmt = stmt.where(Batch.flow == flow)
    if since:
        stmt = stmt.where(col(Batch.received_at) >= since)
    if state:
        # The unfinished documents are few and the state index finds them: named as a list of states
        # (not "not final") and kept to the principal's account, the subquery stays small however
        # many documents the service holds.
        unfinished = scoped(select(Document.batch_id).where(col(Document.state).in_(UNFINISHED_STATES)),
                            Document.account_id, principal, Document.dossier_id)
        stmt = stmt.where(col(Batch.id).in_(unfinished) if state == "open" else col(Batch.id).not_in(unfinished))
    return fetch_page(session, stmt, col(Batch.received_at).desc(), col(Batch.id), limit=limit, offset=offset)


@dataclass(frozen=True)
class DossierFigures:
    batches: int
    documents: int
    unfinished: int


def dossier_figures(session: Session, dossier_ids: list[str]) -> dict[str, DossierFigures]:
    """Batches, documents and unfinished documents of each dossier (zeros when none)."""
    figures = {d: DossierFigures(0, 0, 0) for d in dossier_ids}
    if not dossier_ids:
        return figures
    batches = dict(session.exec(select(Batch.dossier_id, func.count()).where(col(Batch.dossier_id).in_(dossier_ids))
                                .group_by(Batch.dossier_id)).all())
    unfinished = func.sum(sa.case((col(Document.state).not_in([s.value for s in FINAL_STATES]), 1), else_=0))
    rows = session.exec(select(Document.dossier_id, func.count(), unfinished)
                        .where(col(Document.dossier_id).in_(dossier_ids)).group_by(Document.dossier_id)).all()
    docs = {d: (int(n), int(u or 0)) for d, n, u in rows}
    for d in dossier_ids:
        n, u = docs.get(d, (0, 0))
        figures[d] = DossierFigures(int(batches.get(d, 0)), n, u)
    return figures


def last_finished(session: Session, batch_ids: list[str]) -> dict[str, datetime | None]:
    """When the last document of each batch finished (None while none has): a done batch's end, before
    the SLA pass records it as the batch's ``finished_at``."""
    if not batch_ids:
        return {}
    rows = session.exec(select(Document.batch_id, func.max(Document.finished_at))
                        .where(col(Document.batch_id).in_(batch_ids)).group_by(Document.batch_id)).all()
    return {b: None for b in batch_ids} | {b: at for b, at in rows}
