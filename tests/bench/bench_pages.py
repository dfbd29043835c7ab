"""Page times of the web application on a large account, against the same pages on a small one.

    .venv/bin/python -m tests.bench.bench_pages                  # embedded defaults (SQLite)
    .venv/bin/python -m tests.bench.bench_pages --stack services # PostgreSQL (the store is not read)
    .venv/bin/python -m tests.bench.bench_pages --batches 1000 --documents 20000   # a quicker look

Prints one JSON object. Two accounts live in one database: a large one (20 dossiers, 10,000 batches,
200,000 documents by default, written straight into the tables as processing leaves them) and a small
one (one batch of 20 documents). Each page is asked `--repeat` times, signed in through the form, by
the application in this process (no network); for each, the median and the slowest answer in
milliseconds on both accounts, and their ratio (large / small). Target: every page well under a
second on the large account (issue 15), and a ratio near 1 (pages paginate; no page reads the whole
account).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.app import create_app
from ingest.accounts.lifecycle import create_account
from ingest.accounts.tables import Dossier
from ingest.platform.db import make_engine, migrate
from ingest.platform.models import Batch, Document
from ingest.platform.settings import Settings
from tests.integration.web.pages import change_password, sign_in
from tests.support import services

CHUNK = 5_000
FIELDS = {"invoice_number": {"value": "F2026-0042", "confidence": 0.9, "source": "text"},
          "total_incl_tax": {"value": "1481.47", "confidence": 0.98, "source": "text"},
          "issue_date": {"value": "2026-03-12", "confidence": 0.9, "source": "text"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", choices=["embedded", "services"], default="embedded")
    parser.add_argument("--dossiers", type=int, default=20)
    parser.add_argument("--batches", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(json.dumps(run(args.stack, args.dossiers, args.batches, args.documents, args.repeat), indent=2))


def run(stack: str, dossiers: int, batches: int, documents: int, repeat: int) -> dict[str, Any]:
    with _settings(stack) as settings:
        migrate(settings.effective_database_url())
        engine = make_engine(settings.effective_database_url())
        started = time.monotonic()
        large = _account(engine, "Cabinet Volumineux", dossiers, batches, documents)
        small = _account(engine, "Cabinet Menu", 1, 1, 20)
        filled_s = time.monotonic() - started
        with TestClient(create_app(settings)) as client:
            timings = {name: _time_pages(client, account, repeat) for name, account in
                       (("small", small), ("large", large))}
        engine.dispose()
    pages = {path: {"small_p50_ms": timings["small"][path][0], "large_p50_ms": timings["large"][path][0],
                    "large_max_ms": timings["large"][path][1],
                    "ratio_p50": round(timings["large"][path][0] / timings["small"][path][0], 2)}
             for path in timings["large"]}
    slowest = max(pages.items(), key=lambda item: item[1]["large_p50_ms"])
    return {"stack": stack, "large_account": {"dossiers": dossiers, "batches": batches, "documents": documents},
            "fill_seconds": round(filled_s), "repeat": repeat, "pages": pages,
            "slowest_page": {"page": slowest[0], **slowest[1]},
            "all_under_one_second": all(p["large_max_ms"] < 1000 for p in pages.values())}


@contextmanager
def _settings(stack: str) -> Iterator[Settings]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    if stack == "embedded":
        yield Settings(data_dir=tmp / "data", queue_prefix=f"p{uuid.uuid4().hex[:8]}.")
        return
    settings, drop = services.services_settings(tmp)
    try:
        yield settings
    finally:
        drop()


class Account:
    def __init__(self, account_id: str, email: str, password: str, dossiers: list[str], batch: str,
                 document: str) -> None:
        self.id, self.email, self.password = account_id, email, password
        self.dossiers, self.batch, self.document = dossiers, batch, document


def _account(engine: Engine, name: str, dossiers: int, batches: int, documents: int) -> Account:
    """An account with its dossiers, batches and documents, as processing leaves them (most processed,
    a few rejected, the newest batches still open), received over the last two years."""
    email = f"admin-{uuid.uuid4().hex[:8]}@bench.test"
    with Session(engine) as session:
        opened = create_account(session, name, "firm", email, initial_password=True)
        dossier_ids = []
        for n in range(dossiers):
            dossier = Dossier(account_id=opened.account_id, name=f"{name} — client {n + 1:03d}")
            session.add(dossier)
            dossier_ids.append(dossier.id)
        session.commit()
    now = datetime.now(UTC)
    batch_rows = []
    for n in range(batches):
        received = now - timedelta(minutes=int(n * 2 * 365 * 24 * 60 / max(batches, 1)))
        open_ = n < 5
        batch_rows.append({"id": str(uuid.uuid4()), "account_id": opened.account_id,
                           "dossier_id": dossier_ids[n % dossiers], "uploaded_by": opened.user_id,
                           "flow": "bulk" if n % 10 == 0 else "daily", "flow_reason": "ordinary_daily_volume",
                           "flow_message": "An ordinary daily volume.", "received_at": received,
                           "due_at": received + timedelta(hours=48), "sla_state": "on_track" if open_ else "met",
                           "finished_at": None if open_ else received + timedelta(hours=3)})
    _insert(engine, Batch, batch_rows)
    per_batch = max(documents // max(batches, 1), 1)
    doc_rows: list[dict[str, Any]] = []
    first_document = ""
    for n in range(documents):
        batch = batch_rows[min(n // per_batch, len(batch_rows) - 1)]
        state = "queued" if batch["finished_at"] is None else ("rejected" if n % 50 == 0 else "processed")
        doc_id = str(uuid.uuid4())
        first_document = first_document or doc_id
        sha = uuid.uuid4().hex * 2
        doc_rows.append({
            "id": doc_id, "account_id": opened.account_id, "dossier_id": batch["dossier_id"],
            "batch_id": batch["id"], "filename": f"facture-{n:06d}.pdf", "kind": "pdf", "sha256": sha,
            "size": 48_000, "object_key": f"objects/{sha}", "state": state,
            "reason": "damaged" if state == "rejected" else None,
            "message": "The PDF is damaged." if state == "rejected" else None, "attempts": 1, "pages": 1,
            "fields": FIELDS if state == "processed" else None, "received_at": batch["received_at"],
            "reference_date": date(2026, 3, 12), "finished_at": batch["finished_at"]})
        if len(doc_rows) == CHUNK:
            _insert(engine, Document, doc_rows)
            doc_rows = []
    _insert(engine, Document, doc_rows)
    return Account(opened.account_id, email, str(opened.initial_password), dossier_ids, batch_rows[-1]["id"],
                   first_document)


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        with engine.begin() as connection:
            connection.execute(sa.insert(table), rows[start:start + CHUNK])


def _time_pages(client: TestClient, account: Account, repeat: int) -> dict[str, tuple[float, float]]:
    browser = TestClient(client.app)
    sign_in(browser, account.email, account.password)
    change_password(browser, account.password)
    dossier = account.dossiers[0]
    pages = ["/app/", "/app/batches", f"/app/batches?dossier={dossier}", "/app/batches?state=done&offset=5000",
             f"/app/batches/{account.batch}", f"/app/batches/{account.batch}/live",
             f"/app/documents/{account.document}", "/app/upload", "/app/usage", "/app/statements",
             "/app/availability", "/app/support", f"/app/dossiers/{dossier}/history", "/app/admin/users",
             "/app/admin/audit"]
    timings = {}
    for path in pages:
        answer = browser.get(path)
        if answer.status_code != 200:
            raise AssertionError(f"{path}: {answer.status_code} {answer.text[:300]}")
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            browser.get(path)
            times.append((time.perf_counter() - began) * 1000)
        label = (path.replace(account.batch, "{batch}").replace(account.document, "{document}")
                 .replace(dossier, "{dossier}"))
        timings[label] = (round(statistics.median(times), 1), round(max(times), 1))
    return timings


if __name__ == "__main__":
    main()
