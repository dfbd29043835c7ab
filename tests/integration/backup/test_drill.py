"""The restore drill, on the embedded defaults and on PostgreSQL + SeaweedFS: a service with
invoices of every kind processed, statements issued and a support request open is backed up while
its worker runs, destroyed, and restored into fresh services; everything comes back the same and
the restored service processes a new batch. Prints the drill's figures (pytest -s) as JSON."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from ingest.accounts.lifecycle import create_operator
from ingest.platform.columns import utcnow
from tests.integration.api.test_api import post_batch
from tests.integration.backup.conftest import MakeStack, bordereau
from tests.integration.backup.helpers import last_json, object_digests, open_firm, rows, store_keys
from tests.integration.conftest import Firm, ServiceProcess, Stack, WorkerProcess, auth, wait_for
from tests.support.files import scan, text_pdf, zip_of
from tests.support.invoices import scanned_invoice_pdf, scanned_invoice_png, text_invoice_pdf
from tests.support.store import read
from tests.unit.documents.test_einvoice import UBL_CREDIT, cii

TABLES = ("accounts", "users", "dossiers", "batches", "documents", "usage_records", "subscriptions",
          "plan_versions", "statements", "statement_lines", "support_requests", "support_events",
          "support_attachments", "tombstones")
PLAN = {"packs": 1, "pack_size": 500, "pack_price_cents": 15_000, "named_users": 3,
        "extra_document_price_cents": 40, "extra_user_price_cents": 2_000}


def _every_kind() -> list[tuple[str, bytes]]:
    # E-invoices dated 2026: the corpus's examples are older than the two-year history, and the
    # restore would rightly purge them (see test_backup's purge test).
    return [("text.pdf", text_invoice_pdf()), ("scan.png", scanned_invoice_png()),
            ("scan.pdf", scanned_invoice_pdf()), ("photo.jpg", scan("JPEG")),
            ("cii.xml", cii()), ("ubl-credit.xml", UBL_CREDIT),
            ("archive.zip", zip_of({"in-zip.pdf": text_pdf("Facture Z-1\nTotal TTC 10,00 EUR")})),
            ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n")]


def _batch_done(client: TestClient, firm: Firm, batch_id: str) -> bool:
    return bool(client.get(f"/v1/batches/{batch_id}", headers=firm.headers).json()["state"] == "done")


def _fill(source: Stack, client: TestClient, worker: ServiceProcess) -> Firm:
    """Invoices of every kind processed, the statements due issued, a support request with an
    attachment: the service's whole state worth keeping."""
    firm = open_firm(source, client)
    with Session(source.engine) as session:
        operator = auth(create_operator(session, f"op-{uuid.uuid4().hex[:8]}@provider.test").api_key)
    plan = {**PLAN, "activation": (utcnow() - timedelta(days=40)).isoformat()}
    resp = client.put(f"/v1/accounts/{firm.account.account_id}/subscription", json=plan, headers=operator)
    assert resp.status_code == 200, resp.text
    batch = post_batch(client, firm, _every_kind()).json()
    wait_for(lambda: _batch_done(client, firm, batch["id"]), 120, interval=0.5,
             what=lambda: f"the batch processed; worker log:\n{worker.log()}")
    closed = bordereau(source, "operator", "close-period", "--account", firm.account.account_id)
    assert closed.exit_code == 0 and '"number"' in closed.output, closed.output
    rid = client.post("/v1/support-requests", json={"description": "Facture illisible"}, headers=firm.headers)
    files = [("files", ("capture.png", scan("PNG")))]
    assert client.post(f"/v1/support-requests/{rid.json()['id']}/attachments", files=files,
                       headers=firm.headers).status_code == 201
    return firm


def _state(stack: Stack) -> dict[str, Any]:
    atts = [r.object_key for r in _attachment_keys(stack)]
    return {"tables": {t: rows(stack, t) for t in TABLES}, "originals": object_digests(stack),
            "attachments": {k: hashlib.sha256(read(stack.store, k)).hexdigest() for k in atts},
            "objects": store_keys(stack)}


def _attachment_keys(stack: Stack) -> list[Any]:
    with stack.engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT object_key FROM support_attachments")))


def _destroy(stack: Stack) -> None:
    """Lose the database and every object, as a disk or a cluster would."""
    stack.store.delete_many(sorted(store_keys(stack)))
    if stack.name == "embedded":
        stack.engine.dispose()
        shutil.rmtree(stack.settings.resolved_data_dir())
        return
    with stack.engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    stack.engine.dispose()


def _new_batch_processed(target: Stack, tmp_path: Path) -> float:
    """Seconds from the restored service's start to a new batch processed."""
    from api.app import create_app

    started = time.monotonic()
    with TestClient(create_app(target.settings)) as client:
        worker = WorkerProcess(target, tmp_path / "worker-after.log").start()
        try:
            firm = open_firm(target, client)
            batch = post_batch(client, firm, [("new.pdf", text_pdf("Facture N-1\nTotal TTC 5,00 EUR"))]).json()
            wait_for(lambda: _batch_done(client, firm, batch["id"]), 90, interval=0.5,
                     what=lambda: f"a new batch processed after the restore; worker log:\n{worker.log()}")
            got = client.get(f"/v1/batches/{batch['id']}", headers=firm.headers).json()
            assert got["counts"]["processed"] == 1
        finally:
            worker.stop()
    return time.monotonic() - started


def test_restore_drill(fresh: MakeStack, tmp_path: Path) -> None:
    from api.app import create_app

    source, backups = fresh("source"), tmp_path / "backups"
    with TestClient(create_app(source.settings)) as client:
        worker = WorkerProcess(source, tmp_path / "worker.log").start()
        try:
            _fill(source, client, worker)
            before = _state(source)
            started = time.monotonic()
            made = bordereau(source, "backup", "create", "--to", str(backups), "--json")  # the worker still runs
            backup_seconds = time.monotonic() - started
        finally:
            worker.stop()
    assert made.exit_code == 0, made.output
    assert len(before["originals"]) == 8 and len(before["tables"]["statements"]) >= 1
    _destroy(source)
    assert store_keys(source) == set()

    target = fresh("target", migrated=False)
    started = time.monotonic()
    restored = bordereau(target, "backup", "restore", "--from", str(backups), "--json")
    restore_seconds = time.monotonic() - started
    assert restored.exit_code == 0, restored.output
    assert _state(target) == before
    first_batch_seconds = _new_batch_processed(target, tmp_path)
    figures = {"stack": target.name, "documents": len(before["originals"]),
               "backup_bytes": last_json(made.output)["object_bytes"] + last_json(made.output)["database_bytes"],
               "backup_seconds": round(backup_seconds, 2), "restore_seconds": round(restore_seconds, 2),
               "restart_to_new_batch_processed_seconds": round(first_batch_seconds, 2)}
    print(json.dumps(figures))
