"""A retried document's log lines keep the request id of the upload that sent it. In a module of its
own: the worker of test_observability's module would process the document without a retry."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.test_api import post_batch
from tests.integration.conftest import Firm, Stack, WorkerProcess, wait_for
from tests.support import services
from tests.support.faults import Gate
from tests.support.files import text_pdf
from tests.support.logs import json_lines


def test_a_retried_document_keeps_its_request_id(stack: Stack, client: TestClient, firm: Firm,
                                                 tmp_path: Path) -> None:
    """A retry is a new message: Celery sends the first one's headers with it, ours included."""
    if stack.name != "services":
        pytest.skip("the embedded defaults keep objects in a local folder, which does not go away")
    host, port = services.host_port(stack.settings.s3_endpoint)
    gate = Gate(host, port)  # the store unreachable until opened: the first attempt retries
    rid = f"retry-{uuid.uuid4().hex[:8]}"
    sent = post_batch(client, Firm(firm.account, firm.dossier_id, {**firm.headers, "X-Request-ID": rid}),
                      [("r.pdf", text_pdf("Retry"))])
    doc_id = sent.json()["documents"][0]["id"]
    log = tmp_path / "worker.log"
    worker = WorkerProcess(stack, log, env={"BORDEREAU_S3_ENDPOINT": f"http://127.0.0.1:{gate.port}"}).start()
    try:
        wait_for(lambda: "retry" in worker.log().lower(), 60, what=lambda: f"a retry:\n{worker.log()}")
        gate.open()
        wait_for(lambda: any(line.get("msg") == f"document {doc_id}: processed" for line in json_lines(log)), 60,
                 what=lambda: f"processing after the outage:\n{worker.log()}")
    finally:
        worker.stop()
        gate.cut()
    mine = [line for line in json_lines(log) if line.get("document_id") == doc_id]
    assert len({line["task_id"] for line in mine}) >= 1 and any("retry" in str(line["msg"]).lower() for line in mine)
    assert all(line.get("request_id") == rid for line in mine), mine
