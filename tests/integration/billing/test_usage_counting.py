"""Exact usage: a document counts once, when processing succeeds, whatever the redeliveries."""

from __future__ import annotations

import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.relay import relay_now
from ingest.accounts.lifecycle import NewAccount, create_operator
from ingest.platform import outbox
from ingest.platform.columns import utcnow
from tests.integration.api.test_api import post_batch
from tests.integration.conftest import Firm, Stack, WorkerProcess, auth, stop_all, wait_for
from tests.support.files import text_pdf


def _subscribe(stack: Stack, client: TestClient, account: NewAccount, pack_size: int) -> None:
    with Session(stack.engine) as session:
        op = create_operator(session, f"op-{account.account_id[:8]}@example.test")
    body = {"packs": 1, "pack_size": pack_size, "pack_price_cents": 10_000, "named_users": 1,
            "extra_document_price_cents": 40, "extra_user_price_cents": 1_000,
            "activation": (utcnow() - timedelta(minutes=5)).isoformat()}
    resp = client.put(f"/v1/accounts/{account.account_id}/subscription", json=body, headers=auth(op.api_key))
    assert resp.status_code == 200, resp.text


def _publish_again(stack: Stack, client: TestClient, doc_ids: list[str], times: int = 1) -> None:
    """Duplicate messages for documents, as a redelivering broker or a second relay would send."""
    with Session(stack.engine) as session:
        for doc_id in doc_ids:
            for _ in range(times):
                outbox.add_process_document(session, doc_id, "daily")
        session.commit()
    while outbox.pending_count(stack.engine):
        relay_now(client.app.state.resources)  # type: ignore[attr-defined]


def _usage(client: TestClient, firm: Firm) -> dict:  # type: ignore[type-arg]
    return client.get("/v1/usage", headers=firm.headers).json()  # type: ignore[no-any-return]


def _states(client: TestClient, firm: Firm, batch_id: str) -> dict[str, int]:
    return client.get(f"/v1/batches/{batch_id}", headers=firm.headers).json()["counts"]  # type: ignore[no-any-return]


def test_processed_documents_count_once(stack: Stack, client: TestClient, firm: Firm,
                                        worker: WorkerProcess) -> None:
    _subscribe(stack, client, firm.account, pack_size=2)
    files = [(f"f{i}.pdf", text_pdf(f"Facture F-{i}")) for i in range(3)]
    files.append(("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n"))
    batch = post_batch(client, firm, files).json()
    wait_for(lambda: _states(client, firm, batch["id"])["processed"] + _states(client, firm, batch["id"])["rejected"]
             == 4, 90, what=lambda: f"processing:\n{worker.log()}")
    assert _states(client, firm, batch["id"])["rejected"] == 1
    _publish_again(stack, client, [d["id"] for d in batch["documents"]], times=2)
    # One queue, one worker slot: once a later document is processed, the duplicates were consumed.
    marker = post_batch(client, firm, [("last.pdf", text_pdf("Facture last"))]).json()
    wait_for(lambda: _states(client, firm, marker["id"])["processed"] == 1, 90, what="the marker document")
    usage = _usage(client, firm)
    assert (usage["consumed"], usage["allowance"], usage["remaining"], usage["overage"]) == (4, 2, 0, 2)
    assert [w["threshold"] for w in usage["warnings"]] == [80, 100]


@pytest.mark.timeout(600)  # 400 real documents on 2 cores: a minute or two, more on a loaded machine
def test_documents_published_three_times_with_a_worker_killed_count_once(stack: Stack, client: TestClient,
                                                                          firm: Firm, tmp_path: Path) -> None:
    """Every document published twice more, one worker killed mid-run: its message comes back
    (RabbitMQ redelivers it; the embedded broker shows it again when the next worker starts). 400
    documents, 1,200 messages: enough for workers to race on each message and for a kill to land mid-run."""
    total = 400
    _subscribe(stack, client, firm.account, pack_size=320)
    doc_ids: list[str] = []
    started = time.monotonic()
    for first in range(0, total, 200):
        files = [(f"d{i}.pdf", text_pdf(f"Facture D-{i}")) for i in range(first, first + 200)]
        resp = post_batch(client, firm, files)
        assert resp.status_code == 202, resp.text
        doc_ids += [d["id"] for d in resp.json()["documents"]]
    _publish_again(stack, client, doc_ids, times=2)
    workers = [WorkerProcess(stack, tmp_path / f"w{n}.log").start() for n in range(2)]
    try:
        wait_for(lambda: _usage(client, firm)["consumed"] >= total // 3, 120, what="a third processed")
        workers[0].stop(signal.SIGKILL)  # its unacknowledged message comes back for the others
        workers.append(WorkerProcess(stack, tmp_path / "w2.log").start())
        wait_for(lambda: _usage(client, firm)["consumed"] >= total, 180,
                 what=lambda: f"all processed:\n{workers[1].log()}")
    finally:
        stop_all(workers)
    usage = _usage(client, firm)
    assert (usage["consumed"], usage["overage"]) == (total, total - 320)
    assert [w["threshold"] for w in usage["warnings"]] == [80, 100]
    print(f"{total} documents, {3 * total} messages, two workers: {time.monotonic() - started:.1f} s")
