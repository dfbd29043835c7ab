"""Infrastructure faults are waits, not failures: an object store that goes away for longer than the
retries set documents waiting, and they go on by themselves once it is back; a database connection
lost under a request never breaks the request's answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.deps import get_session
from ingest.platform import outbox
from ingest.platform.broker import celery_app, publisher
from ingest.platform.models import Document
from ingest.processing.waiting import Waiting, requeue_waiting
from ingest.resources import Resources
from tests.integration.api.test_api import post_batch
from tests.integration.conftest import Firm, Stack, WorkerProcess, wait_for
from tests.support import services
from tests.support.faults import Gate
from tests.support.files import text_pdf


@pytest.fixture
def store_gate(stack: Stack) -> Iterator[Gate]:
    if stack.name != "services":
        pytest.skip("the embedded defaults keep objects in a local folder, which does not go away")
    host, port = services.host_port(stack.settings.s3_endpoint)
    gate = Gate(host, port)
    yield gate
    gate.cut()


def _states(stack: Stack, ids: list[str]) -> list[tuple[str, str | None, int]]:
    with Session(stack.engine) as session:
        rows = session.exec(select(Document.state, Document.reason, Document.attempts)
                            .where(col(Document.id).in_(ids))).all()
    return [(state, reason, attempts) for state, reason, attempts in rows]


def test_documents_wait_for_the_store_and_go_on_when_it_is_back(stack: Stack, client: TestClient, firm: Firm,
                                                                 store_gate: Gate, tmp_path: Path) -> None:
    """The S3 server unreachable for 20 s used to set every document in flight aside for good as
    failed (processing_crashed): each store error counted as a crash, three of them in 6 s."""
    batch = post_batch(client, firm, [(f"f{i}.pdf", text_pdf(f"Invoice {i}")) for i in range(4)]).json()
    ids = [d["id"] for d in batch["documents"]]
    env = {"BORDEREAU_S3_ENDPOINT": f"http://127.0.0.1:{store_gate.port}",
           "BORDEREAU_TRANSIENT_RETRY_HORIZON": "3"}
    worker = WorkerProcess(stack, tmp_path / "worker.log", concurrency=2, env=env).start()
    try:
        # The store stays away past the retries: the documents wait for it, none fails.
        wait_for(lambda: all(s == ("queued", Waiting.waiting_for_store.value, 0) for s in _states(stack, ids)), 90,
                 what=lambda: f"documents waiting for the store: {_states(stack, ids)}\n{worker.log()}")
        store_gate.open()
        # What beat's resume job does every minute.
        assert requeue_waiting(stack.engine, Waiting.waiting_for_store, lambda: True) == len(ids)
        outbox.relay(stack.engine, publisher(celery_app(stack.settings), stack.settings))
        wait_for(lambda: all(s[0] == "processed" for s in _states(stack, ids)), 90,
                 what=lambda: f"processing once the store is back: {_states(stack, ids)}\n{worker.log()}")
    finally:
        worker.stop()
    assert {attempts for *_, attempts in _states(stack, ids)} == {1}  # the outage counted no attempt


def test_a_short_outage_costs_only_a_retry(stack: Stack, client: TestClient, firm: Firm, store_gate: Gate,
                                           tmp_path: Path) -> None:
    batch = post_batch(client, firm, [("one.pdf", text_pdf("One"))]).json()
    ids = [d["id"] for d in batch["documents"]]
    worker = WorkerProcess(stack, tmp_path / "worker.log", env={
        "BORDEREAU_S3_ENDPOINT": f"http://127.0.0.1:{store_gate.port}"}).start()
    try:
        wait_for(lambda: "retry" in worker.log().lower(), 60, what=lambda: f"a retry:\n{worker.log()}")
        store_gate.open()
        wait_for(lambda: _states(stack, ids)[0][0] == "processed", 60,
                 what=lambda: f"processing after the outage: {_states(stack, ids)}\n{worker.log()}")
    finally:
        worker.stop()


def test_a_connection_lost_under_a_request_does_not_break_its_answer(stack: Stack) -> None:
    """PostgreSQL terminating the service's connections used to reset the client's connection: the
    request's session failed on its ROLLBACK, in the cleanup after the answer."""
    if stack.name != "services":
        pytest.skip("SQLite has no server to drop a connection")
    resources = Resources.from_settings(stack.settings)
    try:
        cleanup = get_session(resources)
        session = next(cleanup)
        pid = session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with stack.engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            other.commit()
        with pytest.raises(StopIteration):
            next(cleanup)  # the cleanup: logs the lost connection, raises nothing
    finally:
        resources.close()


def test_requests_go_on_after_the_database_dropped_every_connection(stack: Stack, client: TestClient,
                                                                    firm: Firm) -> None:
    if stack.name != "services":
        pytest.skip("SQLite has no server to drop a connection")
    assert client.get("/v1/batches", headers=firm.headers).status_code == 200
    with stack.engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        conn.commit()
    for _ in range(3):
        assert client.get("/v1/batches", headers=firm.headers).status_code == 200
