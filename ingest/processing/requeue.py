"""Handing documents out again: after a lapsed lease, at the embedded service's
start, and once OCR is back. Each writes outbox rows; the lease makes any
duplicate message harmless."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ingest.documents.ocr import OcrConfig, OcrUnavailable, check_available
from ingest.platform import outbox
from ingest.platform.columns import utcnow
from ingest.platform.models import Batch, Document, DocumentState
from ingest.processing.process import Waiting


def requeue_stale(engine: Engine, limit: int = 1000) -> int:
    """Hand out again documents whose lease lapsed (their worker vanished and the
    broker did not redeliver). The lease makes a duplicate message harmless."""
    return _requeue(engine, col(Document.state) == DocumentState.processing, col(Document.lease_until) < utcnow(),
                    limit=limit)


def resume_unfinished(engine: Engine, limit: int = 100_000) -> int:
    """At start-up of the embedded service, nothing else runs: every document not
    in a final state gets a fresh message (the embedded broker may have lost one)."""
    # Bulk documents still ``received`` wait for the dispatcher's fair schedule.
    waiting_daily = sa.and_(col(Document.state) == DocumentState.received, col(Batch.flow) == "daily")
    return _requeue(engine, sa.or_(col(Document.state).in_([DocumentState.queued,
                                                            DocumentState.processing]), waiting_daily), limit=limit)


def _requeue(engine: Engine, *conditions: Any, limit: int) -> int:
    now = utcnow()
    with Session(engine) as session:
        rows = session.execute(sa.select(col(Document.id), col(Batch.flow))
                               .join(Batch, col(Batch.id) == Document.batch_id)
                               .where(*conditions).limit(limit)).all()
        for doc_id, flow in rows:
            outbox.add_process_document(session, doc_id, flow)
        ids = [doc_id for doc_id, _ in rows]
        if ids:
            session.execute(sa.update(Document).where(col(Document.id).in_(ids))
                            .values(state=DocumentState.queued, lease_token=None, leased_by=None, lease_until=None,
                                    queued_at=now))
        session.commit()
    return len(rows)


def requeue_waiting_for_ocr(engine: Engine, config: OcrConfig, limit: int = 1000) -> int:
    """Hand out again the documents that wait for OCR, once OCR is available here.

    The messages go out first, then the reason is cleared: a crash in between only
    means the next run sends them again, which the lease makes harmless.
    """
    try:
        check_available(config)
    except OcrUnavailable:
        return 0
    waiting = sa.and_(col(Document.state) == DocumentState.queued,
                      col(Document.reason) == Waiting.ocr_unavailable.value)
    with Session(engine) as session:
        ids = list(session.execute(sa.select(col(Document.id)).where(waiting).limit(limit)).scalars())
    if not ids:
        return 0
    count = _requeue(engine, col(Document.id).in_(ids), waiting, limit=limit)
    with Session(engine) as session:
        session.execute(sa.update(Document).where(col(Document.id).in_(ids), waiting)
                        .values(reason=None, message=None))
        session.commit()
    return count
