"""Where documents stand, counted: what ``/metrics`` exports of processing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from ingest.platform.models import Batch, Document


def documents_by_state_and_kind(engine: Engine) -> dict[tuple[str, str], int]:
    with Session(engine) as session:
        rows = session.exec(select(Document.state, Document.kind, func.count())
                            .group_by(Document.state, Document.kind)).all()
    return {(state, kind): int(n) for state, kind, n in rows}


@dataclass(frozen=True)
class Finished:
    """A document that reached a final state: its flow (its batch's), kind, time from receipt to
    that state, and OCR time and pages (None without OCR)."""

    flow: str
    kind: str
    seconds: float
    ocr_seconds: float | None
    ocr_pages: int | None


def recently_finished(engine: Engine, since: datetime, limit: int) -> list[Finished]:
    """Documents finished at or after `since`, newest first, at most `limit` of them: a range of the
    `finished_at` index and one batch lookup per row, whatever the size of the table."""
    stmt = (sa.select(col(Batch.flow), col(Document.kind), col(Document.received_at), col(Document.finished_at),
                      col(Document.ocr_seconds), col(Document.ocr_pages))
            .join(Batch, col(Batch.id) == col(Document.batch_id))
            .where(col(Document.finished_at) >= since)
            .order_by(col(Document.finished_at).desc()).limit(limit))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [Finished(flow, kind, max((finished - received).total_seconds(), 0.0), ocr_seconds, ocr_pages)
            for flow, kind, received, finished, ocr_seconds, ocr_pages in rows if finished is not None]
