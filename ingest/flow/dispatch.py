"""The bulk dispatcher: feeds waiting bulk documents to the ``bulk`` queue, a window at a time.

Bulk documents are recorded ``received`` with no task message (``ingest.intake.receive``). A round:

1. locks the dispatcher's cursor row (another dispatcher in a round is skipped, not waited for);
2. counts bulk documents in flight (queued or processing) and the room left in the pipe: its
   target (`fairness.pipe_target`, from the bulk rate measured on recent documents, at most
   `window`) less what is in flight (`fairness.room`); stops when there is none;
3. reads, per dossier with waiting work, only that many oldest ids (never the backlog);
4. picks them round-robin across accounts and dossiers (`fairness.next_window`);
5. marks them ``queued`` with a conditional update (``WHERE state = 'received'``), adds one outbox
   row each and saves the cursor: all in one transaction. A dispatcher that dies before the
   commit leaves everything as it was; after it, the outbox relay publishes the messages.

Rounds run while there is work, not on a clock: a bulk upload starts one at once (the API), and a
round that leaves documents waiting books the next one `interval` seconds later (`book_next`; the
caller publishes it as a delayed task). The chain stops when nothing waits, so an idle service runs
no round but beat's safety net, once a minute, which also restarts a chain whose booked message was
lost (a broker restart).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ingest.flow.eta import busy_seconds
from ingest.flow.fairness import (
    Cursor,
    Pending,
    group_pending,
    next_window,
    pipe_target,
    room,
)
from ingest.flow.sla import recent_samples
from ingest.flow.tables import DispatchCursor
from ingest.platform import outbox
from ingest.platform.columns import utcnow
from ingest.platform.models import Batch, Document, DocumentState, Flow

log = logging.getLogger(__name__)

CURSOR_NAME = "bulk"
IN_FLIGHT = (DocumentState.queued, DocumentState.processing)
RATE_SAMPLES = 100  # recent bulk completions the rate is read from
RATE_HORIZON = timedelta(hours=1)  # older ones say nothing of the workers running now
RATE_IDLE_GAP_S = 5.0  # a longer pause between completions is idle time, not slowness
# A booked round may run a little before its time by another host's clock: it still counts as the
# booked one and books the next.
BOOKING_SLACK = timedelta(seconds=1)
# The name under which workers run a round (workers/tasks_flow.py): the API and a round publish it.
DISPATCH_TASK = "bordereau.dispatch_bulk"


@dataclass(frozen=True)
class Round:
    """What one dispatch round did: `dispatched` documents, or why none."""

    dispatched: int
    in_flight: int
    skipped: str | None = None  # "busy" (another round holds the lock) or "full" (pipe full)
    target: int = 0  # the pipe's size this round
    booked_next: bool = False  # documents still wait: the caller publishes the round booked


def bulk_rate(session: Session) -> float | None:
    """Bulk documents processed per busy second, over the last `RATE_SAMPLES` of the last hour;
    None when there were none."""
    since = utcnow() - RATE_HORIZON
    recent = [s for s in recent_samples(session, Flow.bulk.value, RATE_SAMPLES) if s.finished_at > since]
    busy = busy_seconds(((s.started_at, s.finished_at) for s in recent), RATE_IDLE_GAP_S)
    return len(recent) / busy if busy > 0 else None


def in_flight(session: Session) -> int:
    """Bulk documents sent to the broker and not finished."""
    stmt = (select(sa.func.count()).select_from(Document)
            .join(Batch, col(Batch.id) == Document.batch_id)
            .where(Batch.flow == Flow.bulk,
                   col(Document.state).in_([s.value for s in IN_FLIGHT])))
    return int(session.exec(stmt).one())


def waiting_dossiers(session: Session) -> list[tuple[str, str]]:
    """(account, dossier) pairs with bulk documents waiting to be dispatched."""
    stmt = (select(Document.account_id, Document.dossier_id).distinct()
            .join(Batch, col(Batch.id) == Document.batch_id)
            .where(Document.state == DocumentState.received, Batch.flow == Flow.bulk))
    return [(a, d) for a, d in session.exec(stmt).all()]


def oldest_waiting(session: Session, dossier_id: str, limit: int) -> list[Pending]:
    """A dossier's `limit` oldest waiting bulk documents: by batch receipt, then filename."""
    stmt = (select(Document.id, Document.account_id, Document.batch_id, Batch.received_at)
            .join(Batch, col(Batch.id) == Document.batch_id)
            .where(Document.dossier_id == dossier_id, Document.state == DocumentState.received,
                   Batch.flow == Flow.bulk)
            .order_by(col(Batch.received_at), col(Batch.id), col(Document.filename), col(Document.id)).limit(limit))
    rows = session.exec(stmt).all()
    return [Pending(account, dossier_id, batch, doc, received, n)
            for n, (doc, account, batch, received) in enumerate(rows)]


def any_waiting(session: Session) -> bool:
    """Whether any bulk document waits to be dispatched."""
    stmt = (select(Document.id).join(Batch, col(Batch.id) == Document.batch_id)
            .where(Document.state == DocumentState.received, Batch.flow == Flow.bulk).limit(1))
    return session.exec(stmt).first() is not None


def book_next(row: DispatchCursor, now: datetime, interval: float) -> bool:
    """Book the round after this one, unless one is booked already (due later than now): True when
    this round booked it and its caller must publish it."""
    if row.next_round_at is not None and row.next_round_at > now + BOOKING_SLACK:
        return False
    row.next_round_at = now + timedelta(seconds=interval)
    return True


def _lock_cursor(session: Session) -> DispatchCursor | None:
    """The cursor row, locked for this transaction; None when another round holds it."""
    if session.get_bind().dialect.name == "sqlite":
        # A write takes SQLite's database lock at once: rounds are serialised (others wait).
        session.execute(sa.update(DispatchCursor).where(col(DispatchCursor.name) == CURSOR_NAME)
                        .values(rounds=DispatchCursor.rounds))
    stmt = select(DispatchCursor).where(DispatchCursor.name == CURSOR_NAME)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    row = session.exec(stmt).first()
    if row is None and _create_cursor(session):
        row = session.exec(stmt).first()
    return row


def _create_cursor(session: Session) -> bool:
    try:
        with session.begin_nested():
            session.add(DispatchCursor(name=CURSOR_NAME, cursor={}))
        return True
    except sa.exc.IntegrityError:
        return False  # another dispatcher created it first and holds it


def _cursor_of(row: DispatchCursor) -> Cursor:
    data = row.cursor or {}
    return Cursor(data.get("account"), dict(data.get("dossiers") or {}))


def _take(session: Session, ids: list[str]) -> list[str]:
    """Mark waiting documents queued; returns those this round actually took."""
    if not ids:
        return []
    taken = session.execute(
        sa.update(Document)
        .where(col(Document.id).in_(ids), col(Document.state) == DocumentState.received)
        .values(state=DocumentState.queued, queued_at=utcnow())
        .returning(col(Document.id))
    ).scalars().all()
    return list(taken)


def dispatch_round(engine: Engine, window: int, *, interval: float | None = None,
                   before_commit: Callable[[list[str]], None] | None = None) -> Round:
    """One dispatch round (see the module docstring). Safe to run concurrently and repeatedly.

    `window` is the most the pipe may hold; given the dispatch `interval` (seconds), the pipe is
    sized from the measured bulk rate instead (`fairness.pipe_target`), `window` its ceiling, and a
    round that leaves documents waiting books the next (`Round.booked_next`).
    `before_commit` is a seam for tests: it runs inside the transaction, after the documents
    are marked and the outbox rows added; raising there is a dispatcher dying mid-round.
    """
    with Session(engine) as session:
        row = _lock_cursor(session)
        if row is None:
            return Round(0, 0, "busy")
        now = utcnow()
        flying = in_flight(session)
        target = window if interval is None else pipe_target(bulk_rate(session), interval, window)
        wanted = room(flying, target)
        if not wanted:
            booked = interval is not None and any_waiting(session) and book_next(row, now, interval)
            session.commit() if booked else session.rollback()
            return Round(0, flying, "full", target, booked_next=booked)
        pending = [p for _, dossier in waiting_dossiers(session)
                   for p in oldest_waiting(session, dossier, wanted)]
        ids, cursor = next_window(group_pending(pending), wanted, _cursor_of(row))
        taken = _take(session, ids)
        for doc_id in taken:
            outbox.add_process_document(session, doc_id, Flow.bulk.value)
        row.cursor = {"account": cursor.account, "dossiers": dict(cursor.dossiers)}
        row.rounds += 1
        row.dispatched += len(taken)
        row.updated_at = now
        booked = interval is not None and any_waiting(session) and book_next(row, now, interval)
        session.add(row)
        if before_commit is not None:
            before_commit(taken)
        session.commit()
    if taken:
        log.info("bulk window dispatched", extra={"documents": len(taken), "in_flight": flying, "target": target})
    return Round(len(taken), flying, target=target, booked_next=booked)
