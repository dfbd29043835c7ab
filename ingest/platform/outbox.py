"""The transactional outbox: a task message is written with the rows it concerns
and published only after they committed (so a crash loses nothing).

The relay publishes pending rows and marks them published. A crash between the
publish and the mark publishes the row again later: tasks are safe to run twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from ingest.platform.columns import instant, utcnow

log = logging.getLogger(__name__)

PROCESS_DOCUMENT = "bordereau.process_document"


class OutboxMessage(SQLModel, table=True):
    """A task to publish, written in the transaction that made it necessary."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    task: str = Field(max_length=100)
    queue: str = Field(max_length=32)
    document_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = instant(default=True)
    published_at: datetime | None = instant(nullable=True, index=True)


@dataclass(frozen=True)
class Pending:
    id: int
    task: str
    queue: str
    document_id: str | None


Publisher = Callable[[Pending], None]


def add_process_document(session: Session, document_id: str, queue: str) -> None:
    session.add(OutboxMessage(task=PROCESS_DOCUMENT, queue=queue, document_id=document_id))


def relay(engine: Engine, publish: Publisher, limit: int = 500) -> int:
    """Publish up to ``limit`` pending messages; return how many went out.

    On PostgreSQL rows are locked with SKIP LOCKED so that several relays
    (the API after a commit, the periodic sweeper) never publish the same row
    at the same moment. A publish failure stops the round: the rest waits for
    the next one, in order.
    """
    sent = 0
    with Session(engine) as session:
        stmt = (select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))
                .order_by(col(OutboxMessage.id)).limit(limit))
        if engine.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = session.exec(stmt).all()
        published: list[int] = []
        try:
            for row in rows:
                assert row.id is not None
                publish(Pending(row.id, row.task, row.queue, row.document_id))
                published.append(row.id)
        except Exception:
            log.warning("outbox relay stopped after %d messages", len(published), exc_info=True)
        if published:
            session.execute(sa.update(OutboxMessage).where(col(OutboxMessage.id).in_(published))
                            .values(published_at=utcnow()))
        session.commit()
        sent = len(published)
    return sent


# Published rows are kept this long (what went out, and when, while anyone may still ask),
# then deleted: otherwise the table grows by a row per document, forever.
KEEP_PUBLISHED = timedelta(days=1)


def prune(engine: Engine, keep: timedelta = KEEP_PUBLISHED, now: datetime | None = None) -> int:
    """Delete rows published more than `keep` ago; returns how many."""
    cutoff = (now or utcnow()) - keep
    with Session(engine) as session:
        deleted = session.exec(sa.delete(OutboxMessage).where(
            col(OutboxMessage.published_at) < cutoff)).rowcount
        session.commit()
    return int(deleted or 0)


def pending_count(engine: Engine) -> int:
    with Session(engine) as session:
        stmt = sa.select(sa.func.count()).select_from(OutboxMessage).where(
            col(OutboxMessage.published_at).is_(None))
        return int(session.execute(stmt).scalar_one())
