"""Claims on both stacks: one holder at a time, take-over of a dead delivery, outcomes only
while held, and no column silently dropped from an outcome."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from ingest.billing.tables import UsageRecord
from ingest.platform.db import autocommit
from ingest.platform.models import Document, DocumentState
from ingest.processing.lease import finish, release, take, write_outcome
from tests.integration.api.test_api import post_batch
from tests.integration.conftest import Firm, Stack
from tests.support.files import text_pdf

LEASE = timedelta(minutes=5)


def _document(stack: Stack, document_id: str) -> Document:
    with Session(stack.engine) as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        return doc


def test_one_holder_at_a_time_and_outcomes_only_while_held(stack: Stack, client: TestClient,
                                                            firm: Firm) -> None:
    doc_id = post_batch(client, firm, [("a.pdf", text_pdf("Facture CL-1"))]).json()["documents"][0]["id"]
    first = take(stack.engine, doc_id, duration=LEASE)
    assert first is not None and first.attempts == 1 and first.account_id == firm.account.account_id
    assert take(stack.engine, doc_id, duration=LEASE) is None  # held, lease running
    # The broker redelivered the message: its worker died, the lease is taken over.
    second = take(stack.engine, doc_id, duration=LEASE, redelivered=True)
    assert second is not None and second.attempts == 2 and second.token != first.token
    assert not finish(stack.engine, first, DocumentState.failed, reason="internal_error")
    release(stack.engine, second)
    assert _document(stack, doc_id).state == DocumentState.queued
    # Waiting (for OCR, say) gives the attempt back.
    waiting = take(stack.engine, doc_id, duration=LEASE)
    assert waiting is not None and waiting.attempts == 3
    release(stack.engine, waiting, refund_attempt=True, reason="ocr_unavailable", message="OCR is away.")
    parked = _document(stack, doc_id)
    assert (parked.state, parked.reason, parked.attempts, parked.lease_token) == ("queued", "ocr_unavailable", 2, None)
    third = take(stack.engine, doc_id, duration=LEASE)
    assert third is not None and finish(stack.engine, third, DocumentState.rejected, reason="empty_file",
                                        message="The file is empty.")
    done = _document(stack, doc_id)
    assert (done.state, done.reason, done.lease_token, done.attempts) == ("rejected", "empty_file", None, 3)


def _usage_rows(stack: Stack, document_id: str) -> int:
    with Session(stack.engine) as session:
        return len(session.exec(select(UsageRecord).where(UsageRecord.document_id == document_id)).all())


def test_a_processed_outcome_is_counted_with_it_once_and_only_by_the_holder(
        stack: Stack, client: TestClient, firm: Firm) -> None:
    doc_id = post_batch(client, firm, [("a.pdf", text_pdf("Facture CL-3"))]).json()["documents"][0]["id"]
    lapsed = take(stack.engine, doc_id, duration=LEASE)
    held = take(stack.engine, doc_id, duration=LEASE, redelivered=True)
    assert lapsed is not None and held is not None
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(stack.engine, "before_cursor_execute", seen)
    try:
        assert finish(stack.engine, held, DocumentState.processed, pages=1)
    finally:
        sa.event.remove(stack.engine, "before_cursor_execute", seen)
    if stack.engine.dialect.name == "postgresql":  # the outcome and its count: one statement
        assert len(statements) == 1 and statements[0].lstrip().startswith("WITH finished AS")
    assert (_document(stack, doc_id).state, _usage_rows(stack, doc_id)) == ("processed", 1)
    # The holder that lost its lease writes nothing, counts nothing.
    assert not finish(stack.engine, lapsed, DocumentState.processed, pages=9)
    assert (_document(stack, doc_id).pages, _usage_rows(stack, doc_id)) == (1, 1)


def test_an_outcome_naming_no_column_is_refused_not_dropped(stack: Stack, client: TestClient,
                                                             firm: Firm) -> None:
    doc_id = post_batch(client, firm, [("a.pdf", text_pdf("Facture CL-2"))]).json()["documents"][0]["id"]
    held = take(stack.engine, doc_id, duration=LEASE)
    assert held is not None
    with autocommit(stack.engine) as conn, pytest.raises(ValueError, match="invoice_dat"):
        write_outcome(conn, held, DocumentState.processed, invoice_dat=None)
    assert _document(stack, doc_id).state == DocumentState.processing


def test_the_retry_of_an_attempt_takes_back_the_lease_its_release_could_not_give_back(
        stack: Stack, client: TestClient, firm: Firm) -> None:
    """bench_load: the database restarted while a pool child processed a document; its release failed,
    and the retry, run by the worker's other pool child, found the document held by a live process
    and gave up ('held_elsewhere'): the document waited 16 minutes for the lease to lapse."""
    doc_id = post_batch(client, firm, [("a.pdf", text_pdf("Facture CL-3"))]).json()["documents"][0]["id"]
    left = take(stack.engine, doc_id, duration=LEASE)
    assert left is not None
    with autocommit(stack.engine) as conn:  # held by another live process of this host: our parent
        conn.execute(Document.__table__.update().where(Document.__table__.c.id == doc_id)  # type: ignore[attr-defined]
                     .values(leased_by=f"{socket.gethostname()}:{os.getppid()}"))
    assert take(stack.engine, doc_id, duration=LEASE) is None
    assert take(stack.engine, doc_id, duration=LEASE, left_token="another attempt's lease") is None
    retry = take(stack.engine, doc_id, duration=LEASE, left_token=left.token)
    assert retry is not None and retry.token != left.token
    assert finish(stack.engine, retry, DocumentState.processed)
