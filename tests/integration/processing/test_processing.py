"""Upload to processed with a real worker in its own process, on both stacks,
and the faults that must lose nothing and count nothing twice."""

from __future__ import annotations

import signal

from fastapi.testclient import TestClient
from sqlmodel import Session

from ingest.platform.models import Document
from tests.integration.api.test_api import post_batch
from tests.integration.conftest import Firm, Stack, WorkerProcess, wait_for
from tests.support.files import scan, text_pdf


def batch_done(client: TestClient, firm: Firm, batch_id: str) -> bool:
    return client.get(f"/v1/batches/{batch_id}", headers=firm.headers).json()["state"] == "done"


def test_upload_to_processed(client: TestClient, firm: Firm, worker: WorkerProcess) -> None:
    original = text_pdf("Facture F-2026-017\nTotal TTC 1 234,56 EUR", pages=2)
    batch = post_batch(client, firm, [("f.pdf", original), ("s.png", scan("PNG")),
                                        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n")]).json()
    wait_for(lambda: batch_done(client, firm, batch["id"]), 90,
             what=lambda: f"batch processed; worker log:\n{worker.log()}")
    final = client.get(f"/v1/batches/{batch['id']}", headers=firm.headers).json()
    states = {d["filename"]: d for d in final["documents"]}
    assert states["f.pdf"]["state"] == "processed"
    assert states["s.png"]["state"] == "processed"
    assert states["broken.pdf"]["state"] == "rejected" and states["broken.pdf"]["reason"] == "damaged"
    assert final["counts"]["processed"] == 2 and final["counts"]["rejected"] == 1
    doc = client.get(f"/v1/documents/{states['f.pdf']['id']}", headers=firm.headers).json()
    assert doc["pages"] == 2 and doc["text_chars"] > 20 and doc["attempts"] == 1
    content = client.get(f"/v1/documents/{states['f.pdf']['id']}/content", headers=firm.headers)
    assert content.content == original


def test_worker_killed_mid_document(stack: Stack, client: TestClient, firm: Firm,
                                   worker: WorkerProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The document is processed once, by the next worker, with nothing else done: RabbitMQ
    redelivers the unacknowledged message; the embedded broker shows it again when the next worker
    starts (its taker is gone)."""
    heavy = text_pdf("Ligne de facture avec du texte a extraire " * 3, pages=450)
    batch = post_batch(client, firm, [("heavy.pdf", heavy)]).json()
    doc_id = batch["documents"][0]["id"]

    def state() -> str:
        with Session(stack.engine) as s:
            return s.get(Document, doc_id).state  # type: ignore[union-attr]

    wait_for(lambda: state() == "processing", 60, interval=0.05, what="processing to start")
    worker.stop(signal.SIGKILL)
    assert state() == "processing"
    second = WorkerProcess(stack, tmp_path / "second.log").start()
    try:
        wait_for(lambda: state() == "processed", 120, what=lambda: f"reprocessing; log:\n{second.log()}")
    finally:
        second.stop()
    with Session(stack.engine) as s:
        doc = s.get(Document, doc_id)
        assert doc is not None and doc.attempts == 2 and doc.lease_token is None
