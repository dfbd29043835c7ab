"""Batches as their account reads them back: one with its documents and rejections, counts by
state, and the paged list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, col, func, select

from ingest.accounts.principal import Principal, scoped
from ingest.intake.tables import Rejection
from ingest.platform.models import FINAL_STATES, Batch, Document, DocumentState
from ingest.platform.pages import fetch_page

Counts = dict[str, int]


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
                 state: Literal["open", "done"] | None = None, limit: int,
                 offset: int) -> tuple[list[Batch], int]:
    """The batches the principal sees, newest first, of one dossier and in one state if asked."""
    stmt = scoped(select(Batch), Batch.account_id, principal, Batch.dossier_id)
    if dossier_id:
        stmt = stmt.where(Batch.dossier_id == dossier_id)
    if state:
        unfinished = select(Document.batch_id).where(col(Document.state).not_in([s.value for s in FINAL_STATES]))
        stmt = stmt.where(col(Batch.id).in_(unfinished) if state == "open" else col(Batch.id).not_in(unfinished))
    return fetch_page(session, stmt, col(Batch.received_at).desc(), col(Batch.id), limit=limit, offset=offset)
