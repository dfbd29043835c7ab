"""The bulk dispatcher on both stacks: fair, bounded windows; crash-safe; never a document twice."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from ingest.accounts.lifecycle import NewAccount
from ingest.accounts.tables import Dossier
from ingest.flow.dispatch import dispatch_round
from ingest.flow.tables import DispatchCursor
from ingest.platform.columns import utcnow
from ingest.platform.models import Batch, Document, DocumentState, Flow
from ingest.platform.outbox import OutboxMessage
from ingest.store import ObjectStore, original_key
from tests.integration.conftest import Stack
from tests.support.files import text_pdf

UNFINISHED = [DocumentState.received, DocumentState.queued, DocumentState.processing]


def tiny_pdf_key(store: ObjectStore) -> tuple[str, str, int]:
    """One stored one-page PDF that every seeded document points at: (sha256, key, size)."""
    body = text_pdf("Facture F-1\nTotal TTC 12,00 EUR")
    sha = hashlib.sha256(body).hexdigest()
    store.put_bytes(original_key(sha), body)
    return sha, original_key(sha), len(body)


def seed_bulk(stack: Stack, account_id: str, count: int, *, dossier_id: str | None = None,
              received_at: datetime | None = None) -> tuple[str, str]:
    """A bulk batch of `count` waiting documents written straight to the database: (dossier, batch)."""
    sha, key, size = tiny_pdf_key(stack.store)
    now = received_at or utcnow()
    with Session(stack.engine) as session:
        if dossier_id is None:
            dossier = Dossier(account_id=account_id, name=f"D {uuid.uuid4().hex[:6]}")
            session.add(dossier)
            session.flush()
            dossier_id = dossier.id
        batch = Batch(account_id=account_id, dossier_id=dossier_id, flow=Flow.bulk, received_at=now,
                      flow_reason="declared_bulk", flow_message="declared an archive by the client")
        session.add(batch)
        session.flush()
        rows = [dict(id=str(uuid.uuid4()), account_id=account_id, dossier_id=dossier_id, batch_id=batch.id,
                     filename=f"f{i:06d}.pdf", kind="pdf", sha256=sha, size=size, object_key=key,
                     state=DocumentState.received.value, attempts=0, received_at=now) for i in range(count)]
        session.execute(sa.insert(Document), rows)
        session.commit()
        return dossier_id, batch.id


def settle_bulk(stack: Stack, state: DocumentState = DocumentState.failed) -> None:
    """Finish every unfinished bulk document: each test starts with an empty bulk pipe."""
    bulk = select(Batch.id).where(Batch.flow == Flow.bulk)
    with Session(stack.engine) as session:
        session.execute(sa.update(Document).where(Document.batch_id.in_(bulk),  # type: ignore[attr-defined]
                                                  Document.state.in_(UNFINISHED))  # type: ignore[attr-defined]
                        .values(state=state, finished_at=utcnow()))
        session.commit()


@pytest.fixture
def empty_pipe(stack: Stack) -> Iterator[None]:
    settle_bulk(stack)
    yield
    settle_bulk(stack)


def finish(stack: Stack, ids: list[str]) -> None:
    with Session(stack.engine) as session:
        session.execute(sa.update(Document).where(Document.id.in_(ids))  # type: ignore[attr-defined]
                        .values(state=DocumentState.processed, finished_at=utcnow()))
        session.commit()


def messages_for(stack: Stack, batch_ids: list[str]) -> list[OutboxMessage]:
    docs = select(Document.id).where(Document.batch_id.in_(batch_ids))  # type: ignore[attr-defined]
    with Session(stack.engine) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.document_id.in_(docs))).all())  # type: ignore[union-attr]


def owners(stack: Stack, ids: list[str]) -> Counter[str]:
    with Session(stack.engine) as session:
        rows = session.exec(select(Document.dossier_id).where(Document.id.in_(ids))).all()  # type: ignore[attr-defined]
    return Counter(rows)


def taken_by(stack: Stack, batch_ids: list[str]) -> list[str]:
    return [m.document_id for m in messages_for(stack, batch_ids) if m.document_id]


def test_windows_are_round_robin_bounded_and_wait_for_the_pipe(
        stack: Stack, empty_pipe: None, account_factory: Callable[..., NewAccount]) -> None:
    a, b = account_factory("A"), account_factory("B")
    a1, ba1 = seed_bulk(stack, a.account_id, 300)
    a2, ba2 = seed_bulk(stack, a.account_id, 300)
    b1, bb1 = seed_bulk(stack, b.account_id, 5)
    batches = [ba1, ba2, bb1]
    first = dispatch_round(stack.engine, 20)
    assert first.dispatched == 20
    got = owners(stack, taken_by(stack, batches))
    assert got == {b1: 5, a1: 8, a2: 7} or got == {b1: 5, a1: 7, a2: 8}
    assert all(m.queue == "bulk" for m in messages_for(stack, batches))
    # The pipe holds a window: nothing more until it drains below one.
    assert dispatch_round(stack.engine, 20).skipped == "full"
    finish(stack, taken_by(stack, batches))
    assert dispatch_round(stack.engine, 20).dispatched == 20
    second = owners(stack, taken_by(stack, batches))
    assert second[a1] + second[a2] == 35 and abs(second[a1] - second[a2]) <= 1


def _cursor(stack: Stack) -> DispatchCursor:
    with Session(stack.engine) as session:
        row = session.get(DispatchCursor, "bulk")
        assert row is not None
        return row


def _booked_due(stack: Stack, when: datetime | None) -> None:
    with Session(stack.engine) as session:
        session.execute(sa.update(DispatchCursor).where(DispatchCursor.name == "bulk").values(next_round_at=when))  # type: ignore[arg-type]
        session.commit()


def test_a_round_that_leaves_work_waiting_books_one_next_round(
        stack: Stack, empty_pipe: None, account_factory: Callable[..., NewAccount]) -> None:
    _, batch = seed_bulk(stack, account_factory("Chain").account_id, 100)
    _booked_due(stack, None)
    first = dispatch_round(stack.engine, 10, interval=5)
    assert first.dispatched >= 10 and first.booked_next
    due = _cursor(stack).next_round_at
    assert due is not None and timedelta(seconds=4) < due - utcnow() <= timedelta(seconds=5)
    # An upload's round meanwhile (the pipe is full): the booked round is ahead, none more.
    assert not dispatch_round(stack.engine, 10, interval=5).booked_next
    assert _cursor(stack).next_round_at == due
    # The booked round, at its time, books the next.
    _booked_due(stack, utcnow())
    finish(stack, taken_by(stack, [batch]))
    assert dispatch_round(stack.engine, 10, interval=5).booked_next
    # A booked round whose message was lost (its time long past): the next round books again.
    _booked_due(stack, utcnow() - timedelta(minutes=5))
    assert dispatch_round(stack.engine, 10, interval=5).booked_next
    # Nothing waits: the chain ends.
    settle_bulk(stack)
    _booked_due(stack, None)
    assert not dispatch_round(stack.engine, 10, interval=5).booked_next
    assert _cursor(stack).next_round_at is None


def test_a_new_archive_starts_within_one_round(
        stack: Stack, empty_pipe: None, account_factory: Callable[..., NewAccount]) -> None:
    big, late = account_factory("Big"), account_factory("Late")
    _, huge = seed_bulk(stack, big.account_id, 3000)
    dispatch_round(stack.engine, 50)
    finish(stack, taken_by(stack, [huge]))
    new_dossier, newcomer = seed_bulk(stack, late.account_id, 40, received_at=utcnow() + timedelta(seconds=1))
    assert dispatch_round(stack.engine, 50).dispatched == 50
    assert len(taken_by(stack, [newcomer])) >= 25  # half the window, the fair share of two accounts


def test_a_dispatcher_dying_mid_round_loses_and_duplicates_nothing(
        stack: Stack, empty_pipe: None, account_factory: Callable[..., NewAccount]) -> None:
    acc = account_factory("Crash")
    _, batch = seed_bulk(stack, acc.account_id, 50)
    with Session(stack.engine) as session:
        before = session.get(DispatchCursor, "bulk")
        rounds_before = before.rounds if before else 0

    def die(taken: list[str]) -> None:
        assert len(taken) == 20  # the documents were marked and their messages written...
        raise SystemExit("killed")  # ...when the process died

    with pytest.raises(SystemExit):
        dispatch_round(stack.engine, 20, before_commit=die)
    assert messages_for(stack, [batch]) == []
    with Session(stack.engine) as session:
        states = session.exec(select(Document.state).where(Document.batch_id == batch)).all()
        assert set(states) == {DocumentState.received}
        after = session.get(DispatchCursor, "bulk")
        assert (after.rounds if after else 0) == rounds_before
    sent: list[str] = []
    while (done := dispatch_round(stack.engine, 20)).dispatched:
        sent = taken_by(stack, [batch])
        finish(stack, sent)
    assert done.skipped is None
    assert len(sent) == 50 and len(set(sent)) == 50


def test_concurrent_dispatchers_never_take_a_document_twice(
        stack: Stack, empty_pipe: None, account_factory: Callable[..., NewAccount]) -> None:
    acc = account_factory("Race")
    _, batch = seed_bulk(stack, acc.account_id, 100)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        results.append(dispatch_round(stack.engine, 30).dispatched)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = taken_by(stack, [batch])
    assert sum(results) == 30 == len(sent) == len(set(sent))


def test_the_pipe_is_sized_from_the_measured_bulk_rate(
        stack: Stack, empty_pipe: None, account_factory: Callable[..., NewAccount]) -> None:
    acc = account_factory("Rated")
    _, done_batch = seed_bulk(stack, acc.account_id, 100)
    # 100 documents, one after the other, half a second each: 2 documents per second. Dated after
    # every completion earlier tests left (some date theirs ahead of now), they are the most recent.
    with Session(stack.engine) as session:
        latest = session.exec(select(sa.func.max(Document.finished_at))).one()
        t0 = max(utcnow(), latest or utcnow()) + timedelta(seconds=10)
        ids = session.exec(select(Document.id).where(Document.batch_id == done_batch)
                           .order_by(Document.filename)).all()
        for i, doc_id in enumerate(ids):
            session.execute(sa.update(Document).where(Document.id == doc_id).values(
                state=DocumentState.processed, started_at=t0 + timedelta(seconds=i / 2),
                finished_at=t0 + timedelta(seconds=(i + 1) / 2)))
        session.commit()
    _, waiting = seed_bulk(stack, acc.account_id, 500)
    # Two 5-second rounds of work at 2/s: 20 in flight, not the 200 the window allows.
    first = dispatch_round(stack.engine, 200, interval=5)
    assert (first.target, first.dispatched) == (20, 20)
    assert dispatch_round(stack.engine, 200, interval=5).skipped == "full"
    finish(stack, taken_by(stack, [waiting])[:5])
    assert dispatch_round(stack.engine, 200, interval=5).dispatched == 5  # topped up, not a new window
