"""Invoice understanding end to end, on both stacks: a real worker reads a text PDF, a
scan (OCR) and a Factur-X file; duplicates are flagged and not counted; unreadable XML
and documents outside the history are rejected; without OCR, scans wait."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from ingest.billing.tables import UsageRecord
from ingest.documents.limits import Limits
from ingest.documents.ocr import OcrConfig, ocr_status
from ingest.platform.models import Document
from ingest.platform.outbox import OutboxMessage
from ingest.processing.process import Outcome, process_document
from ingest.processing.waiting import Waiting, requeue_waiting
from tests.integration.api.test_api import post_batch
from tests.integration.conftest import Firm, Stack, WorkerProcess, wait_for
from tests.support.invoices import (
    EXPECTED,
    invoice_lines,
    scanned_invoice_png,
    text_invoice_pdf,
)
from tests.support.scans import scanned_page, scanned_pdf
from tests.unit.documents.test_einvoice import BILLION_LAUGHS

FINAL = ("processed", "rejected", "failed")


@pytest.fixture(scope="module")
def worker(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    """One real worker per stack for the module (a start and a warm stop take seconds each): every test
    uploads to a new account's dossier and waits for its own documents only."""
    w = WorkerProcess(stack, tmp_path_factory.mktemp("understanding") / "worker.log").start()
    yield w
    w.stop()


def upload(client: TestClient, firm: Firm, name: str, data: bytes) -> str:
    resp = post_batch(client, firm, [(name, data)])
    assert resp.status_code in (201, 202), resp.text
    return str(resp.json()["documents"][0]["id"])


def finished(client: TestClient, firm: Firm, doc_id: str, worker: WorkerProcess,
             timeout: float = 180) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def done() -> bool:
        seen.update(client.get(f"/v1/documents/{doc_id}", headers=firm.headers).json())
        return seen.get("state") in FINAL

    try:
        wait_for(done, timeout, interval=0.5, what=f"document {doc_id} to finish")
    except AssertionError:
        raise AssertionError(f"{seen}\n{worker.log()}") from None
    return seen


def counted(stack: Stack, doc_id: str) -> bool:
    with Session(stack.engine) as session:
        return session.get(UsageRecord, doc_id) is not None


def values(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: field["value"] for key, field in doc["fields"].items()}


def test_text_pdf_and_scan_are_read(client: TestClient, firm: Firm, worker: WorkerProcess,
                                    stack: Stack) -> None:
    text_id = upload(client, firm, "facture.pdf", text_invoice_pdf())
    # Another number: the same invoice scanned would rightly be a duplicate.
    scan_id = upload(client, firm, "scan.png", scanned_invoice_png(invoice_lines(number="F2026-0099")))
    text = finished(client, firm, text_id, worker)
    assert text["state"] == "processed", text
    assert values(text).items() >= EXPECTED.items()
    assert text["fields"]["total_incl_tax"] == {"value": "1481.47", "confidence": 0.98, "source": "text"}
    assert text["einvoice"] is None and text["flags"] == [] and text["duplicate_of"] is None
    assert text["reference_date"] == "2026-03-12"
    scan = finished(client, firm, scan_id, worker)
    assert scan["state"] == "processed", scan
    assert scan["fields"]["invoice_number"] == {"value": "F2026-0099", "confidence": 0.9, "source": "ocr"}
    assert "ocr.json" in scan["facts"]["derivatives"] and scan["duplicate_of"] is None
    assert counted(stack, text_id) and counted(stack, scan_id)


def test_printed_and_scanned_invoices_are_read_as_pdf_and_as_jpeg(client: TestClient, firm: Firm,
                                                                  worker: WorkerProcess, tmp_path: Path) -> None:
    """What a scanner gives (tests/support/scans.py): a PDF without text and a JPEG."""
    ids = {}
    for number, wrap in (("F2026-0101", scanned_pdf), ("F2026-0102", scanned_page)):
        original = tmp_path / f"{number}.pdf"
        original.write_bytes(text_invoice_pdf(invoice_lines(number=number)))
        name = f"{number}.{'pdf' if wrap is scanned_pdf else 'jpg'}"
        ids[number] = upload(client, firm, name, wrap(original, 1, 5))
    for number, doc_id in ids.items():
        doc = finished(client, firm, doc_id, worker)
        assert doc["state"] == "processed", doc
        assert doc["fields"]["invoice_number"]["value"] == number
        assert doc["fields"]["invoice_number"]["source"] == "ocr"
        assert values(doc)["total_incl_tax"] == "1481.47" and doc["facts"]["ocr_pages"] == [1]


def test_a_facturx_file_is_read_from_its_xml(client: TestClient, firm: Firm, worker: WorkerProcess,
                                             corpus: Path, stack: Stack) -> None:
    path = corpus / "correct__FNFE-factur-x-examples__Facture_FR_BASICWL.pdf"
    doc = finished(client, firm, upload(client, firm, path.name, path.read_bytes()), worker)
    # The sample is dated 2017: its validated invoice date puts it outside the history,
    # so it is rejected and not counted, but what it says is still shown.
    assert (doc["state"], doc["reason"]) == ("rejected", "outside_history"), (doc["message"], worker.log())
    assert doc["reference_date"] == doc["fields"]["issue_date"]["value"] == "2017-11-13"
    assert doc["einvoice"] == {"flavour": "factur-x", "profile": "BASIC WL"}
    # BASIC WL carries no lines: the page's are read (source "text"); every other field is the XML's.
    assert {field["source"] for key, field in doc["fields"].items() if key != "line_items"} == {"einvoice"}
    assert doc["fields"]["line_items"]["source"] == "text"
    assert {"invoice_number", "issue_date", "total_incl_tax", "currency"} <= doc["fields"].keys()
    assert not counted(stack, doc["id"])


def test_duplicates_point_at_the_first_and_are_not_counted(client: TestClient, firm: Firm,
                                                           worker: WorkerProcess, stack: Stack) -> None:
    data = text_invoice_pdf(invoice_lines(number="D-2026-7"))
    first = finished(client, firm, upload(client, firm, "a.pdf", data), worker)
    same_bytes = finished(client, firm, upload(client, firm, "b.pdf", data), worker)
    other_layout = text_invoice_pdf(invoice_lines(day="12 mars 2026", money="de", number="D-2026-7"))
    same_invoice = finished(client, firm, upload(client, firm, "c.pdf", other_layout), worker)
    assert first["duplicate_of"] is None and counted(stack, first["id"])
    for dup in (same_bytes, same_invoice):
        assert dup["state"] == "processed" and dup["duplicate_of"] == first["id"], dup
        assert dup["flags"][-1]["code"] == "duplicate"
        assert not counted(stack, dup["id"])
    assert same_bytes["sha256"] == first["sha256"] != same_invoice["sha256"]


def test_unreadable_xml_and_old_invoices_are_rejected(client: TestClient, firm: Firm,
                                                      worker: WorkerProcess, stack: Stack) -> None:
    broken = b"<?xml version='1.0'?><Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'><ID>"
    old = text_invoice_pdf(invoice_lines(day="12/03/2023", number="OLD-1"))
    ids = {name: upload(client, firm, name, data)
           for name, data in (("broken.xml", broken), ("bomb.xml", BILLION_LAUGHS), ("old.pdf", old))}
    docs = {name: finished(client, firm, doc_id, worker) for name, doc_id in ids.items()}
    assert (docs["broken.xml"]["state"], docs["broken.xml"]["reason"]) == ("rejected", "xml_malformed")
    assert (docs["bomb.xml"]["state"], docs["bomb.xml"]["reason"]) == ("rejected", "xml_forbidden")
    assert (docs["old.pdf"]["state"], docs["old.pdf"]["reason"]) == ("rejected", "outside_history")
    assert "2023-03-12" in docs["old.pdf"]["message"]
    assert not any(counted(stack, doc_id) for doc_id in ids.values())


def test_without_ocr_a_scan_waits_then_is_queued_again(firm: Firm, stack: Stack) -> None:
    # Queues of its own: the module's worker must not take the scan this test processes itself.
    settings = stack.settings.model_copy(update={"queue_prefix": f"t{uuid.uuid4().hex[:8]}."})
    with TestClient(create_app(settings)) as client:
        doc_id = upload(client, firm, "scan.png", scanned_invoice_png())
    missing = OcrConfig(engine="command", command=str(Path("/nonexistent/tesseract")))
    outcome = process_document(stack.engine, stack.store, Limits(), doc_id, lease_duration=timedelta(minutes=5),
                               max_attempts=3, ocr=missing)
    assert outcome is Outcome.waiting
    with Session(stack.engine) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        assert (doc.state, doc.reason, doc.attempts) == ("queued", "ocr_unavailable", 0)
        assert doc.message and "OCR" in doc.message
    assert requeue_waiting(stack.engine, Waiting.ocr_unavailable, lambda: ocr_status(missing) == "ok") == 0
    assert requeue_waiting(stack.engine, Waiting.ocr_unavailable, lambda: ocr_status(OcrConfig()) == "ok") == 1
    with Session(stack.engine) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and (doc.state, doc.reason) == ("queued", None)
        queued = session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.document_id == doc_id)).scalar_one()
    assert queued >= 2  # the upload's message, and the one sent when OCR came back
    assert requeue_waiting(stack.engine, Waiting.ocr_unavailable, lambda: True) == 0
