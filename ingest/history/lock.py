"""One purge or integrity scan at a time: a PostgreSQL advisory lock, or a lease row elsewhere."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from ingest.history.tables import PurgeLock
from ingest.platform.errors import Code, DomainError

LOCK_NAME = "purge"
LOCK_LEASE = timedelta(minutes=10)  # renewed after every chunk, which takes seconds
# pg_try_advisory_lock key: any constant of our own ("bord" in ASCII).
ADVISORY_KEY = 0x626F7264


class HistoryCode(Code):
    purge_busy = "purge_busy", "Another purge or integrity scan is running; this one did nothing."


class PurgeBusy(DomainError):
    """Another purge or integrity scan holds the lock."""

    def __init__(self, holder: str | None = None):
        detail = f" (held by {holder})" if holder else ""
        super().__init__(HistoryCode.purge_busy,
                         f"another purge or integrity scan is running{detail}; this one did nothing")


@contextmanager
def purge_lock(engine: Engine) -> Iterator[Callable[[], None]]:
    """Hold the purge lock for the block; yields a function to call regularly to keep it.

    PostgreSQL: a session advisory lock on a connection of its own, which the server releases
    by itself if the process dies. Elsewhere (SQLite): a lease row, which a dead holder leaves
    to expire after LOCK_LEASE.
    """
    if engine.dialect.name == "postgresql":
        with _advisory(engine):
            yield lambda: None
        return
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    _take_lease(engine, holder)
    try:
        yield lambda: _renew_lease(engine, holder)
    finally:
        table = SQLModel.metadata.tables[PurgeLock.__tablename__]
        with engine.begin() as conn:
            conn.execute(table.update().where(table.c.name == LOCK_NAME, table.c.holder == holder)
                         .values(holder=None, lease_until=None))


@contextmanager
def _advisory(engine: Engine) -> Iterator[None]:
    with engine.connect() as conn:
        got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
        conn.commit()  # the lock is the session's; no transaction stays open while we work
        if not got:
            raise PurgeBusy()
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            conn.commit()


def _take_lease(engine: Engine, holder: str) -> None:
    table = SQLModel.metadata.tables[PurgeLock.__tablename__]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        if conn.execute(sa.select(table.c.name).where(table.c.name == LOCK_NAME)).first() is None:
            try:
                with conn.begin_nested():
                    conn.execute(table.insert().values(name=LOCK_NAME, holder=None, lease_until=None))
            except sa.exc.IntegrityError:
                pass  # made by a concurrent first run: the update below decides
        taken = conn.execute(table.update().where(
            table.c.name == LOCK_NAME, sa.or_(table.c.holder.is_(None), table.c.lease_until < now))
            .values(holder=holder, lease_until=now + LOCK_LEASE))
        if taken.rowcount == 0:
            raise PurgeBusy(conn.execute(sa.select(table.c.holder).where(table.c.name == LOCK_NAME)).scalar())


def _renew_lease(engine: Engine, holder: str) -> None:
    table = SQLModel.metadata.tables[PurgeLock.__tablename__]
    with engine.begin() as conn:
        kept = conn.execute(table.update().where(table.c.name == LOCK_NAME, table.c.holder == holder)
                            .values(lease_until=datetime.now(UTC) + LOCK_LEASE))
    if kept.rowcount == 0:
        raise PurgeBusy("someone who took over an expired lease")


def forget_holders(engine: Engine) -> None:
    """Free the leases of a database just restored: their holders were processes of the service
    it was copied from (a backup holds the lock while it runs), and a purge must not wait for
    them to expire."""
    table = SQLModel.metadata.tables[PurgeLock.__tablename__]
    with engine.begin() as conn:
        conn.execute(table.update().values(holder=None, lease_until=None))
