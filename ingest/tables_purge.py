"""Tables of the two-year history (CONTRACT §5): purge runs, tombstones, the lock, integrity reports.

A purge run is written before any deletion and updated chunk by chunk in the same transactions that
delete rows, so what it reports is exactly what was removed, even when the run is killed half-way.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from ingest.models import instant, new_id


class RunState(StrEnum):
    running = "running"
    finished = "finished"  # nothing purgeable is left, apart from the failures listed
    paused = "paused"  # stopped at its time budget; the next run goes on
    interrupted = "interrupted"  # killed or crashed; found by the next run
    failed = "failed"  # stopped by an error, recorded in `message`


class PurgeRun(SQLModel, table=True):
    __tablename__ = "purge_runs"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    as_of: datetime = instant()
    history_start: date
    started_at: datetime = instant(default=True, index=True)
    ended_at: datetime | None = instant(nullable=True)
    state: str = Field(default=RunState.running, max_length=16)
    documents: int = 0
    bytes: int = Field(default=0, sa_type=sa.BigInteger)
    objects: int = 0
    # Keys the store refused to delete (first FAILURES_KEPT of them): their documents stay for
    # the next run, so nothing is half-deleted.
    failures: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    failure_count: int = 0
    message: str | None = Field(default=None, max_length=1000)


class PurgeRunDossier(SQLModel, table=True):
    """What one run removed from one dossier."""

    __tablename__ = "purge_run_dossiers"
    run_id: str = Field(foreign_key="purge_runs.id", primary_key=True, max_length=36)
    dossier_id: str = Field(primary_key=True, max_length=36)
    account_id: str = Field(max_length=36, index=True)
    documents: int = 0
    bytes: int = Field(default=0, sa_type=sa.BigInteger)


class Tombstone(SQLModel, table=True):
    """What remains of a purged document: enough to prove it existed and when it went.

    No foreign keys: the dossier or the account may be closed later, the proof must stay.
    """

    __tablename__ = "tombstones"
    document_id: str = Field(primary_key=True, max_length=36)
    dossier_id: str = Field(max_length=36, index=True)
    account_id: str = Field(max_length=36, index=True)
    sha256: str = Field(max_length=64)
    size: int = Field(sa_type=sa.BigInteger)
    received_at: datetime = instant()
    reference_date: date | None = None
    purge_run_id: str = Field(max_length=36, index=True)
    purged_at: datetime = instant(default=True)


class PurgeLock(SQLModel, table=True):
    """A lease that makes purges (and integrity scans) exclusive where advisory locks are missing
    (SQLite). A holder that dies leaves it to expire; a live one renews it every chunk."""

    __tablename__ = "purge_locks"
    name: str = Field(primary_key=True, max_length=32)
    holder: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = instant(nullable=True)


class IntegrityReport(SQLModel, table=True):
    """One scan comparing the bucket's `originals/` and `derived/` with the document rows."""

    __tablename__ = "integrity_reports"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    started_at: datetime = instant(default=True, index=True)
    ended_at: datetime | None = instant(nullable=True)
    complete: bool = False
    objects_scanned: int = 0
    orphans_found: int = 0
    orphans_removed: int = 0
    # Objects with no row but younger than the grace period (an upload may be in flight).
    orphans_young: int = 0
    # Rows whose original is missing: never dropped, listed here (first MISSING_KEPT).
    missing_count: int = 0
    missing: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    failures: list[Any] = Field(default_factory=list, sa_type=sa.JSON)


# --- The lock: one purge or integrity scan at a time -------------------------------------------

LOCK_NAME = "purge"
LOCK_LEASE = timedelta(minutes=10)  # renewed after every chunk, which takes seconds
# pg_try_advisory_lock key: any constant of our own ("bord" in ASCII).
ADVISORY_KEY = 0x626F7264


class PurgeBusy(Exception):
    """Another purge or integrity scan holds the lock."""

    def __init__(self, holder: str | None = None):
        detail = f" (held by {holder})" if holder else ""
        super().__init__(f"another purge or integrity scan is running{detail}; this one did nothing")


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
        table = PurgeLock.__table__
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
    table = PurgeLock.__table__
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
    table = PurgeLock.__table__
    with engine.begin() as conn:
        kept = conn.execute(table.update().where(table.c.name == LOCK_NAME, table.c.holder == holder)
                            .values(lease_until=datetime.now(UTC) + LOCK_LEASE))
    if kept.rowcount == 0:
        raise PurgeBusy("someone who took over an expired lease")
