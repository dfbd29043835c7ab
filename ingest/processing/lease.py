"""Leases: exactly one worker processes a document at a time.

A worker *takes a lease* on the document with a conditional UPDATE (one winner) and
writes the outcome only while it still holds that lease. A message the broker
redelivers (its worker died) may take over a lease at once, and so may a process
of the same host when the holder's process is gone (or is itself); any other duplicate waits
for the lease to expire, after which the stale sweeper hands the document out
again (``ingest.processing.requeue``).

Statements here are plain SQL on a connection, not ORM sessions: they run for
every document, and taking a lease is one statement in autocommit (one round trip).
They are built once and executed with parameters (an UPDATE's SET clause comes
from the parameters' names): building a statement and keying it for the compiled
cache cost 0.5 ms of CPU each time, four times what running it cost once built.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from ingest.billing.usage import COUNTED_AT, count_document, counting_of
from ingest.platform.columns import utcnow
from ingest.platform.db import autocommit
from ingest.platform.models import Document, DocumentState
from ingest.platform.processes import gone, this_process


@dataclass(frozen=True)
class Lease:
    """A lease taken, with what processing needs of the row (read in the same statement)."""

    document_id: str
    token: str
    attempts: int
    object_key: str = ""
    kind: str = ""
    dossier_id: str = ""
    received_at: datetime | None = None
    account_id: str = ""
    sha256: str = ""


# The documents this process holds now: a lease of this process on any other was left behind (its
# release failed while the database was away) and may be taken over at once.
_held_here: set[str] = set()


def _holder_dead(holder: str | None, document_id: str) -> bool:
    """True when the holder ran on this host and its process is gone, or is this very process
    without holding the document any more."""
    if holder == this_process():
        return document_id not in _held_here
    return gone(holder)


_DOCS = SQLModel.metadata.tables[Document.__tablename__]
_TAKE_RETURNS = (_DOCS.c.attempts, _DOCS.c.object_key, _DOCS.c.kind, _DOCS.c.dossier_id, _DOCS.c.received_at,
                  _DOCS.c.account_id, _DOCS.c.sha256)


def _take_statement(condition: Any) -> sa.Update:
    return (sa.update(_DOCS).where(_DOCS.c.id == sa.bindparam("_document_id"), condition)
            .values(state=DocumentState.processing.value, lease_token=sa.bindparam("_token"),
                    leased_by=sa.bindparam("_holder"), lease_until=sa.bindparam("_lease_until"),
                    attempts=_DOCS.c.attempts + 1, started_at=sa.bindparam("_started_at"))
            .returning(*_TAKE_RETURNS))


_TAKE = _take_statement(sa.or_(
    _DOCS.c.state.in_([DocumentState.received.value, DocumentState.queued.value]),
    sa.and_(_DOCS.c.state == DocumentState.processing.value,
            sa.or_(_DOCS.c.lease_until < sa.bindparam("_now"), sa.bindparam("_redelivered", type_=sa.Boolean)))))
# Compare-and-set on a dead holder's token: one taker wins.
_TAKE_OVER = _take_statement(_DOCS.c.lease_token == sa.bindparam("_dead_token"))
_HELD = sa.update(_DOCS).where(_DOCS.c.id == sa.bindparam("_document_id"),
                               _DOCS.c.lease_token == sa.bindparam("_held_token"))
_BY_ID = sa.update(_DOCS).where(_DOCS.c.id == sa.bindparam("_document_id"))
_COLUMNS = frozenset(_DOCS.c.keys())


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """`values`, checked: a parameter that names no column would be silently left out of the SET."""
    if unknown := values.keys() - _COLUMNS:
        raise ValueError(f"documents has no column {sorted(unknown)}")
    return values


def take(engine: Engine, document_id: str, *, duration: timedelta, redelivered: bool = False,
         left_token: str | None = None) -> Lease | None:
    """Take the document for processing, or None when it is final or held.

    A holder's lease is taken over when it lapsed, when the broker says
    the message was redelivered (its worker died), when the holder was a
    process of this host that no longer exists, or when it is `left_token`: the
    lease the caller's own earlier attempt could not give back (the database
    was away), which the retry takes back in whichever process it runs.
    """
    held = _take_where(engine, document_id, _TAKE, duration, {"_now": utcnow(), "_redelivered": redelivered})
    if held is None and left_token:
        held = _take_where(engine, document_id, _TAKE_OVER, duration, {"_dead_token": left_token})
    if held is None:
        held = _take_over_from_dead(engine, document_id, duration)
    return held


def _take_where(engine: Engine, document_id: str, stmt: sa.Update, duration: timedelta,
                params: dict[str, Any]) -> Lease | None:
    now, token = utcnow(), str(uuid.uuid4())
    with autocommit(engine) as conn:
        row = conn.execute(stmt, {"_document_id": document_id, "_token": token, "_holder": this_process(),
                                  "_lease_until": now + duration, "_started_at": now, **params}).first()
    if row is None:
        return None
    _held_here.add(document_id)
    return Lease(document_id, token, row.attempts, row.object_key, row.kind, row.dossier_id, row.received_at,
                 row.account_id, row.sha256)


def _take_over_from_dead(engine: Engine, document_id: str, duration: timedelta) -> Lease | None:
    with autocommit(engine) as conn:
        row = conn.execute(sa.select(_DOCS.c.state, _DOCS.c.leased_by, _DOCS.c.lease_token)
                           .where(_DOCS.c.id == document_id)).first()
    if row is None or row.state != DocumentState.processing or not _holder_dead(row.leased_by, document_id):
        return None
    return _take_where(engine, document_id, _TAKE_OVER, duration, {"_dead_token": row.lease_token})


def finish(engine: Engine, held: Lease, state: DocumentState, **values: Any) -> bool:
    """Write the outcome if the lease is still ours; False when it was taken over.

    A processed document is counted with it (one usage row per document, keyed by its id): a
    retried or redelivered task never counts twice. On PostgreSQL in one statement.
    """
    if state is DocumentState.processed and engine.dialect.name == "postgresql":
        with autocommit(engine) as conn:
            return write_counted(conn, held, **values)
    with engine.begin() as conn:
        ok = write_outcome(conn, held, state, **values)
        if ok and state is DocumentState.processed:
            count_usage(conn, held)
    return ok


def _outcome(state: DocumentState, values: dict[str, Any]) -> dict[str, Any]:
    return {"state": state.value, "lease_token": None, "leased_by": None, "lease_until": None,
            "finished_at": utcnow(), **_columns(values)}


def write_outcome(conn: Connection, held: Lease, state: DocumentState, **values: Any) -> bool:
    """Record the outcome and drop the lease, if the lease is still ours. Whether or not the write
    lands, this process is done with the document."""
    try:
        result = conn.execute(_HELD, {"_document_id": held.document_id, "_held_token": held.token,
                                      **_outcome(state, values)})
    finally:
        _held_here.discard(held.document_id)
    return result.rowcount == 1


def write_counted(conn: Connection, held: Lease, **values: Any) -> bool:
    """PostgreSQL: record the processed outcome and count the document in one statement (see
    `write_outcome`, `count_usage`): half the round trips of the two, and nothing between them."""
    outcome = _outcome(DocumentState.processed, values)
    params = {"_document_id": held.document_id, "_held_token": held.token, COUNTED_AT: utcnow(),
              **{f"_set_{name}": value for name, value in outcome.items()}}
    try:
        written = conn.execute(_counted_finish(frozenset(outcome)), params).scalar_one()
    finally:
        _held_here.discard(held.document_id)
    return bool(written == 1)


# One statement per set of columns written, built once (processing writes the same few sets).
_COUNTED_FINISH: dict[frozenset[str], sa.Select[int]] = {}


def _counted_finish(columns: frozenset[str]) -> sa.Select[int]:
    stmt = _COUNTED_FINISH.get(columns)
    if stmt is None:
        # A SET parameter cannot bear its column's own name inside a CTE: hence the prefix.
        finished = (sa.update(_DOCS).where(_DOCS.c.id == sa.bindparam("_document_id"),
                                           _DOCS.c.lease_token == sa.bindparam("_held_token"))
                    .values({name: sa.bindparam(f"_set_{name}", type_=_DOCS.c[name].type) for name in sorted(columns)})
                    .returning(_DOCS.c.id, _DOCS.c.account_id, _DOCS.c.dossier_id).cte("finished"))
        stmt = sa.select(sa.func.count()).select_from(finished).add_cte(counting_of(finished))
        _COUNTED_FINISH[columns] = stmt
    return stmt


def set_values(conn: Connection, document_id: str, **values: Any) -> None:
    """Set columns of a document, leased or not (the caller holds it, or locks what matters)."""
    conn.execute(_BY_ID, {"_document_id": document_id, **_columns(values)})



def count_usage(conn: Connection, held: Lease) -> None:
    """Count the document against its account's plan, in the caller's transaction."""
    count_document(conn, held.document_id, held.account_id, held.dossier_id)


_HELD_REFUNDED = _HELD.values(attempts=_DOCS.c.attempts - 1)


def release(engine: Engine, held: Lease, *, refund_attempt: bool = False, **values: Any) -> None:
    """Give the document back to the queue, if the lease is still ours (best effort): after a
    transient fault, or to wait (`refund_attempt`: the lease's attempt is not counted, since waiting
    is not a crash). `values`: columns to set as well, such as the reason it waits. Should the
    release itself fail, this process is done with the document all the same, and takes the lease
    over when the document comes back to it."""
    try:
        with autocommit(engine) as conn:
            conn.execute(_HELD_REFUNDED if refund_attempt else _HELD,
                         {"_document_id": held.document_id, "_held_token": held.token,
                          "state": DocumentState.queued.value, "lease_token": None, "leased_by": None,
                          "lease_until": None, **_columns(values)})
    finally:
        _held_here.discard(held.document_id)
