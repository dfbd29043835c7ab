"""The delivery facts our Celery settings rest on (see workers/app.py), on both
stacks where they apply."""

from __future__ import annotations

import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from ingest.platform.columns import utcnow
from ingest.platform.models import Document
from ingest.platform.outbox import PROCESS_DOCUMENT, OutboxMessage, pending_count, prune
from tests.integration.api.test_api import post_batch
from tests.integration.conftest import Firm, Stack, WorkerProcess, wait_for
from tests.support.files import text_pdf


def children_of(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def test_pool_child_killed_mid_task_is_redelivered(stack: Stack, client: TestClient, firm: Firm,
                                                   worker: WorkerProcess) -> None:
    """With acks_late alone the message would be acknowledged and the document
    lost when only the pool child dies; task_reject_on_worker_lost requeues it."""
    batch = post_batch(client, firm, [("heavy.pdf", text_pdf("Texte de facture " * 12, pages=450))]).json()
    doc_id = batch["documents"][0]["id"]

    def doc() -> Document:
        with Session(stack.engine) as s:
            found = s.get(Document, doc_id)
            assert found is not None
            return found

    wait_for(lambda: doc().state == "processing", 60, interval=0.05, what="processing to start")
    assert worker.proc is not None
    kids = children_of(worker.proc.pid)
    assert kids, "the worker has no pool child"
    for kid in kids:
        os.kill(kid, signal.SIGKILL)
    wait_for(lambda: doc().state == "processed", 120, what=lambda: f"redelivery; log:\n{worker.log()}")
    assert doc().attempts == 2


def test_relay_leaves_messages_in_the_outbox_when_the_broker_is_unreachable(
        stack: Stack, firm: Firm) -> None:
    from api.app import create_app
    from api.relay import relay_now

    dead = stack.settings.model_copy(update={"broker_url": "amqp://guest:guest@127.0.0.1:1//",
                                             "confirm_timeout": 1.0})
    with TestClient(create_app(dead)) as client:
        before = pending_count(stack.engine)
        resp = post_batch(client, firm, [("a.pdf", text_pdf())])
        assert resp.status_code == 202  # the upload never fails for the broker
        assert pending_count(stack.engine) == before + 1
        assert relay_now(client.app.state.resources) == 0  # type: ignore[attr-defined]
        assert pending_count(stack.engine) == before + 1


def test_published_messages_are_pruned_after_a_day_and_pending_ones_never(stack: Stack) -> None:
    now = utcnow()
    with Session(stack.engine) as session:
        rows = [OutboxMessage(task=PROCESS_DOCUMENT, queue="daily", document_id=f"prune-{n}", published_at=at)
                for n, at in enumerate([now - timedelta(days=2), now - timedelta(hours=1), None])]
        session.add_all(rows)
        session.commit()
        ids = [r.id for r in rows]
    assert prune(stack.engine, now=now) >= 1
    with Session(stack.engine) as session:
        left = set(session.exec(select(OutboxMessage.document_id)
                                .where(OutboxMessage.id.in_(ids))).all())  # type: ignore[union-attr]
        session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))  # type: ignore[union-attr]
        session.commit()  # no message for a document that does not exist is left for later relays
    assert left == {"prune-1", "prune-2"}


def test_time_limits_stay_below_rabbitmq_consumer_timeout() -> None:
    from ingest.platform.settings import Settings
    from workers.app import create_app

    with pytest.raises(ValueError, match="consumer_timeout"):
        create_app(Settings(task_time_limit=1800))
    conf = create_app(Settings()).conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_cancel_long_running_tasks_on_connection_loss
    assert conf.worker_prefetch_multiplier == 1
    assert create_app(Settings(broker_url="amqp://x//")).conf.broker_transport_options["confirm_publish"] is True


def test_a_poison_document_is_set_aside_and_dead_lettered(stack: Stack, client: TestClient, firm: Firm,
                                                           tmp_path: Path) -> None:
    """A document that keeps killing its worker is not redelivered forever: past
    max_attempts it is failed with a reason and its message dead-lettered."""
    from kombu import Connection

    from ingest.platform.broker import queue_name

    def dead_letters() -> int:
        if stack.name != "services":  # dead-lettering is a RabbitMQ feature
            return 0
        with Connection(stack.settings.broker_url) as conn:
            name = queue_name(stack.settings, "dead")
            return int(conn.default_channel.queue_declare(name, passive=True).message_count)

    if stack.name == "services":  # what a worker does at start; the queue may not exist yet
        from cli.serve import declare_queues
        from workers.app import create_app

        declare_queues(create_app(stack.settings))
    before = dead_letters()
    batch = post_batch(client, firm, [("poison.pdf", text_pdf())]).json()
    doc_id = batch["documents"][0]["id"]
    with Session(stack.engine) as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
        doc.attempts = stack.settings.max_attempts  # as if it had crashed that many times
        s.add(doc)
        s.commit()
    worker = WorkerProcess(stack, tmp_path / "worker.log").start()  # only now: the message waits for it
    try:
        wait_for(lambda: _state(stack, doc_id) == "failed", 60, what=lambda: f"set aside; log:\n{worker.log()}")
        with Session(stack.engine) as s:
            assert s.get(Document, doc_id).reason == "processing_crashed"  # type: ignore[union-attr]
        if stack.name == "services":
            wait_for(lambda: dead_letters() == before + 1, 30,
                     what=f"the message in the dead-letter queue ({dead_letters()} there, {before} before)")
    finally:
        worker.stop()


def _scanned_pages(count: int) -> bytes:
    import io

    from PIL import Image

    from tests.support.invoices import scanned_invoice_png

    pages = [Image.open(io.BytesIO(scanned_invoice_png())).convert("RGB") for _ in range(count)]
    out = io.BytesIO()
    pages[0].save(out, format="PDF", resolution=150, save_all=True, append_images=pages[1:])
    return out.getvalue()


def _state(stack: Stack, doc_id: str) -> str:
    with Session(stack.engine) as s:
        return s.get(Document, doc_id).state  # type: ignore[union-attr]


def test_broker_connection_lost_mid_task(stack: Stack, client: TestClient, firm: Firm,
                                         worker: WorkerProcess) -> None:
    """RabbitMQ drops every connection (what a restart does to its clients) while a
    document is processing: the broker redelivers it, the worker cancels the run
    that lost its channel, and the document is processed once, by one run."""
    import shutil
    import subprocess

    if stack.name != "services":
        pytest.skip("the embedded broker has no connections to drop")
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is not installed")
    # A scanned PDF of four pages: OCR keeps the task busy for many seconds.
    batch = post_batch(client, firm, [("scans.pdf", _scanned_pages(4))]).json()
    doc_id = batch["documents"][0]["id"]
    wait_for(lambda: _state(stack, doc_id) == "processing", 60, interval=0.05, what="processing to start")
    subprocess.run(["rabbitmqctl", "close_all_connections", "test: broker restart"], check=True,
                   capture_output=True, timeout=60)
    wait_for(lambda: _state(stack, doc_id) == "processed", 240, what=f"processing after the drop; "
             f"log:\n{worker.log()}")
    with Session(stack.engine) as s:
        doc = s.get(Document, doc_id)
        assert doc is not None and doc.lease_token is None
        assert doc.attempts == 2  # the cancelled run and the redelivered one
    # Celery's own words for the run that lost its channel: it is terminated, not left running.
    assert "terminating it instead" in worker.log_path.read_text(errors="replace").lower()
