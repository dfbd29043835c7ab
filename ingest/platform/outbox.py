"""The transactional outbox: a task message is written with the rows it concerns
and published only after they committed (so a crash loses nothing).

The relay publishes pending rows and marks them published. A crash between the
publish and the mark publishes the row again later: tasks are safe to run twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col

from ingest.platform import logs
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
    # The API request that wrote it, sent as a message header (not a task argument: the previous
    # release's workers must read the same arguments), so the worker's log lines carry it.
    request_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = instant(default=True)
    published_at: datetime | None = instant(nullable=True, index=True)
    # A relay publishing this row holds it until then (see `claim`).
    claimed_until: datetime | None = instant(nullable=True)


@dataclass(frozen=True)
class Pending:
    id: int
    task: str
    queue: str
    document_id: str | None
    request_id: str | None = None


Publisher = Callable[[Pending], None]


def add_process_document(session: Session, document_id: str, queue: str) -> None:
    """A message to process the document, tagged with the request (or task) being served, if any."""
    session.add(OutboxMessage(task=PROCESS_DOCUMENT, queue=queue, document_id=document_id,
                              request_id=logs.request_id.get()))


# How long a relay may take to publish the rows it claimed before another may take them over.
CLAIM_LEASE = timedelta(seconds=60)


def relay(engine: Engine, publish: Publisher, limit: int = 500, lease: timedelta = CLAIM_LEASE) -> int:
    """Publish up to ``limit`` pending messages; return how many went out.

    Several relays run at once (the API after each upload, the periodic relay, the dispatcher, in
    several processes): each first claims its rows for ``lease`` in one statement, so no two
    publish the same row. A publish failure stops the round and gives the rest of the claim back
    for the next round; a relay that dies leaves its claim to expire.
    """
    claimed = claim(engine, limit, lease)
    published: list[int] = []
    try:
        for message in claimed:
            publish(message)
            published.append(message.id)
    except Exception:
        log.warning("outbox relay stopped after %d of %d messages", len(published), len(claimed), exc_info=True)
    if claimed:
        _settle(engine, published, [m.id for m in claimed[len(published):]])
    return len(published)


def claim(engine: Engine, limit: int, lease: timedelta, now: datetime | None = None) -> list[Pending]:
    """Take up to ``limit`` unpublished rows nobody holds (or whose holder's lease is over), oldest first."""
    now = now or utcnow()
    free = (sa.select(col(OutboxMessage.id))
            .where(col(OutboxMessage.published_at).is_(None),
                   sa.or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now))
            .order_by(col(OutboxMessage.id)).limit(limit))
    if engine.dialect.name == "postgresql":
        free = free.with_for_update(skip_locked=True)  # concurrent claims skip each other's rows
    # On SQLite the statement holds the database's write lock: claims are serialised.
    stmt = (sa.update(OutboxMessage).where(col(OutboxMessage.id).in_(free.scalar_subquery()))
            .values(claimed_until=now + lease)
            .returning(col(OutboxMessage.id), col(OutboxMessage.task), col(OutboxMessage.queue),
                       col(OutboxMessage.document_id), col(OutboxMessage.request_id)))
    with engine.begin() as connection:
        rows = connection.execute(stmt).all()
    return sorted((Pending(int(row.id), row.task, row.queue, row.document_id, row.request_id) for row in rows),
                  key=lambda m: m.id)


def _settle(engine: Engine, published: list[int], unpublished: list[int]) -> None:
    with engine.begin() as connection:
        if published:
            connection.execute(sa.update(OutboxMessage).where(col(OutboxMessage.id).in_(published))
                               .values(published_at=utcnow(), claimed_until=None))
        if unpublished:
            connection.execute(sa.update(OutboxMessage).where(col(OutboxMessage.id).in_(unpublished))
                               .values(claimed_until=None))


class Relay:
    """One process's relay: at most one round at a time, and a call made while one runs makes it
    go round once more instead of running beside it (every upload asks for a round; under load the
    API would otherwise run as many rounds at once as it has uploads, each a write)."""

    def __init__(self, engine: Engine, publish: Publisher) -> None:
        self.engine, self.publish = engine, publish
        self._running = threading.Lock()
        self._wanted = threading.Event()

    def run(self) -> int:
        self._wanted.set()
        sent = 0
        while self._wanted.is_set():
            if not self._running.acquire(blocking=False):
                return sent  # the round under way sees the request when it ends
            try:
                self._wanted.clear()
                sent += relay(self.engine, self.publish)
            finally:
                self._running.release()
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
    return pending_summary(engine)[0]


def pending_summary(engine: Engine) -> tuple[int, datetime | None]:
    """How many messages wait to be published, and when the oldest of them was written (its age is
    the relay's lag). One statement over the pending rows only (`published_at` is indexed)."""
    stmt = (sa.select(sa.func.count(), sa.func.min(col(OutboxMessage.created_at)))
            .select_from(OutboxMessage).where(col(OutboxMessage.published_at).is_(None)))
    with Session(engine) as session:
        count, oldest = session.execute(stmt).one()
    return int(count), oldest
