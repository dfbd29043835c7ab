"""Handing documents out again: after a lapsed lease, at the embedded service's start, and once
what a waiting document needs is back (``ingest.processing.waiting``). Each writes outbox rows;
the lease makes any duplicate message harmless."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ingest.platform import outbox
from ingest.platform.columns import utcnow
from ingest.platform.models import Batch, Document, DocumentState


def requeue_stale(engine: Engine, limit: int = 1000) -> int:
    """Hand out again documents whose lease lapsed (their worker vanished and the
    broker did not redeliver). The lease makes a duplicate message harmless."""
    return requeue(engine, col(Document.state) == DocumentState.processing, col(Document.lease_until) < utcnow(),
                    limit=limit)


def resume_unfinished(engine: Engine, limit: int = 100_000) -> int:
    """At start-up of the embedded service, nothing else runs: every document not
    in a final state gets a fresh message (the embedded broker may have lost one)."""
    # Bulk documents still ``received`` wait for the dispatcher's fair schedule.
    waiting_daily = sa.and_(col(Document.state) == DocumentState.received, col(Batch.flow) == "daily")
    return requeue(engine, sa.or_(col(Document.state).in_([DocumentState.queued,
                                                            DocumentState.processing]), waiting_daily), limit=limit)


def requeue(engine: Engine, *conditions: Any, limit: int, **values: Any) -> int:
    """Queue again, with a message each, up to `limit` documents meeting `conditions`; `values`:
    more columns to set. Their batches are open again."""
    now = utcnow()
    with Session(engine) as session:
        rows = session.execute(sa.select(col(Document.id), col(Batch.flow), col(Batch.id))
                               .join(Batch, col(Batch.id) == Document.batch_id)
                               .where(*conditions).limit(limit)).all()
        for doc_id, flow, _ in rows:
            outbox.add_process_document(session, doc_id, flow)
        ids = [doc_id for doc_id, _, _ in rows]
        if ids:
            session.execute(sa.update(Document).where(col(Document.id).in_(ids))
                            .values(state=DocumentState.queued, lease_token=None, leased_by=None, lease_until=None,
                                    queued_at=now, **values))
            session.execute(sa.update(Batch).where(col(Batch.id).in_({batch for _, _, batch in rows}),
                                                   col(Batch.finished_at).is_not(None)).values(finished_at=None))
        session.commit()
    return len(rows)


def retry_failed(engine: Engine, *, reasons: Sequence[str] = (), since: datetime | None = None,
                 until: datetime | None = None, limit: int = 100_000) -> int:
    """Process again the documents that ended ``failed`` (of these `reasons`, finished in
    [`since`, `until`) when given): an operator's repair once what failed them is fixed.

    Safe to run twice: a document taken back is no longer failed. A failed document was never
    counted, so it counts once, when it is processed. Its attempts start again from zero."""
    conditions = [col(Document.state) == DocumentState.failed.value]
    if reasons:
        conditions.append(col(Document.reason).in_(list(reasons)))
    if since is not None:
        conditions.append(col(Document.finished_at) >= since)
    if until is not None:
        conditions.append(col(Document.finished_at) < until)
    return requeue(engine, *conditions, limit=limit, attempts=0, reason=None, message=None, finished_at=None)
