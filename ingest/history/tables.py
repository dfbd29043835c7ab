"""Tables of the two-year history (docs/contract.md §5): purge runs, tombstones, the lock, integrity reports.

A purge run is written before any deletion and updated chunk by chunk in the same transactions that
delete rows, so what it reports is exactly what was removed, even when the run is killed half-way.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ingest.platform.columns import instant, new_id


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
