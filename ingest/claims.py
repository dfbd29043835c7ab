"""Claims: exactly one worker processes a document at a time.

A worker *claims* the document with a conditional UPDATE (one winner) and writes
the outcome only while it still holds that claim. A message the broker
redelivers (its worker died) may take over a claim at once, and so may a process
of the same host when the holder's process is gone; any other duplicate waits
for the lease to expire, after which the stale sweeper hands the document out
again (``ingest.requeue``).

Statements here are plain SQL on a connection, not ORM sessions: they run for
every document, and a claim is one statement in autocommit (one round trip).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from ingest.db import autocommit
from ingest.models import Document, DocumentState, UsageRecord, utcnow


@dataclass(frozen=True)
class Claim:
    """A won claim, with what processing needs of the row (read in the same statement)."""

    document_id: str
    token: str
    attempts: int
    object_key: str = ""
    kind: str = ""
    dossier_id: str = ""
    received_at: datetime | None = None
    account_id: str = ""
    sha256: str = ""


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _holder_dead(holder: str | None) -> bool:
    """True when the holder ran on this host and its process is gone."""
    if not holder:
        return False
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim(engine: Engine, document_id: str, *, lease: timedelta, redelivered: bool = False) -> Claim | None:
    """Take the document for processing, or None when it is final or held.

    A holder's claim is taken over when its lease lapsed, when the broker says
    the message was redelivered (its worker died), or when the holder was a
    process of this host that no longer exists.
    """
    now = utcnow()
    claimable = sa.or_(
        Document.state.in_([DocumentState.received, DocumentState.queued]),  # type: ignore[attr-defined]
        sa.and_(Document.state == DocumentState.processing,
                sa.or_(Document.lease_until < now, sa.literal(redelivered))),  # type: ignore[operator]
    )
    held = _claim_where(engine, document_id, claimable, lease)
    if held is None:
        held = _take_over_from_dead(engine, document_id, lease)
    return held


def _claim_where(engine: Engine, document_id: str, condition: Any, lease: timedelta) -> Claim | None:
    now = utcnow()
    token = str(uuid.uuid4())
    stmt = (sa.update(Document).where(Document.id == document_id, condition)
            .values(state=DocumentState.processing, claim_token=token, claimed_by=holder_id(),
                    lease_until=now + lease, attempts=Document.attempts + 1, started_at=now))
    stmt = stmt.returning(Document.attempts, Document.object_key, Document.kind, Document.dossier_id,
                          Document.received_at, Document.account_id, Document.sha256)
    with autocommit(engine) as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    return Claim(document_id, token, row.attempts, row.object_key, row.kind, row.dossier_id, row.received_at,
                 row.account_id, row.sha256)


def _take_over_from_dead(engine: Engine, document_id: str, lease: timedelta) -> Claim | None:
    with autocommit(engine) as conn:
        row = conn.execute(sa.select(Document.state, Document.claimed_by, Document.claim_token)
                           .where(Document.id == document_id)).first()
    if row is None or row.state != DocumentState.processing or not _holder_dead(row.claimed_by):
        return None
    # Compare-and-set on the dead holder's token: one taker wins.
    return _claim_where(engine, document_id, Document.claim_token == row.claim_token, lease)


def finish(engine: Engine, held: Claim, state: DocumentState, **values: Any) -> bool:
    """Write the outcome if the claim is still ours; False when it was taken over.

    A processed document is counted in the same transaction (one usage row per
    document, keyed by its id): a retried or redelivered task never counts twice.
    """
    with engine.begin() as conn:
        ok = write_outcome(conn, held, state, **values)
        if ok and state is DocumentState.processed:
            count_usage(conn, held)
    return ok


def write_outcome(conn: Connection, held: Claim, state: DocumentState, **values: Any) -> bool:
    """Record the outcome and drop the claim, if the claim is still ours."""
    stmt = (sa.update(Document).where(Document.id == held.document_id, Document.claim_token == held.token)
            .values(state=state, claim_token=None, claimed_by=None, lease_until=None, finished_at=utcnow(),
                    **values))
    return conn.execute(stmt).rowcount == 1


def count_usage(conn: Connection, held: Claim) -> None:
    """One usage row for the document; a second attempt to count it changes nothing."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(UsageRecord).values(document_id=held.document_id, account_id=held.account_id,
                                            dossier_id=held.dossier_id, counted_at=utcnow())
                 .on_conflict_do_nothing(index_elements=["document_id"]))


def release(engine: Engine, held: Claim) -> None:
    """Give the document back to the queue after a transient fault (best effort)."""
    stmt = (sa.update(Document).where(Document.id == held.document_id, Document.claim_token == held.token)
            .values(state=DocumentState.queued, claim_token=None, claimed_by=None, lease_until=None))
    with autocommit(engine) as conn:
        conn.execute(stmt)
