"""Ingestion benchmark on the real services (PostgreSQL, RabbitMQ, SeaweedFS).

    .venv/bin/python -m tests.bench.bench_ingest [--documents 2000] [--batch 100] [--big-batch 500]

Prints one JSON object. Figures, all measured in this run:
- ``upload_docs_per_s``: 2,000 one-page text PDFs sent in batches of 100 to the
  API (a uvicorn process, real HTTP) until every batch is answered;
- ``end_to_end_docs_per_s``: from the first upload to the last document
  processed by two worker processes (``bordereau worker`` as deployed, each
  with its default concurrency of 2 pool processes);
- ``baseline_docs_per_s``: the unavoidable work for the same files in one
  process, one after the other: S3 put, a confirmed broker publish, pypdf open
  and text extraction; run once before and once after the end-to-end phase
  (both shown), with the API and workers up and idle, and averaged: on a shared
  machine a single run swings by a third;
- ``ratio_end_to_end_over_baseline`` (target >= 0.5);
- ``cpu_ms_per_document``: CPU time per document during the end-to-end phase,
  by component (API, worker processes with their pool, PostgreSQL, RabbitMQ,
  SeaweedFS), steadier than any rate here and the place to look for savings;
- ``api_peak_rss_mb`` while the API receives one batch of 500 files of about
  200 KB each (target <= 250 MB), with ``api_rss_before_mb`` for reference;
  measured last, so that processing those files disturbs nothing above.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from kombu import Connection, Exchange, Queue
from pypdf import PdfReader
from sqlmodel import Session, func, select

from ingest.accounts.lifecycle import create_account
from ingest.platform.db import make_engine, migrate
from ingest.platform.models import Document
from ingest.platform.settings import Settings
from ingest.store import open_store
from tests.bench import cpu
from tests.support import services
from tests.support.files import text_pdf

REPO = Path(__file__).resolve().parents[2]


def _rss_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _noisy_pdf(kb: int, seed: int) -> bytes:
    """A one-page PDF carrying ~kb KB of incompressible image data (a scan-like file)."""
    from fpdf import FPDF
    from PIL import Image

    rnd = random.Random(seed)
    side = int((kb * 1024 / 3) ** 0.5)
    img = Image.frombytes("RGB", (side, side), rnd.randbytes(side * side * 3))
    pdf = FPDF()
    pdf.add_page()
    pdf.image(img, x=10, y=10, w=100)
    return bytes(pdf.output())


def baseline(settings: Settings, files: list[bytes]) -> float:
    store = open_store(settings)
    queue = Queue(f"{settings.queue_prefix}baseline", Exchange(f"{settings.queue_prefix}baseline"),
                  routing_key="b", auto_delete=True)
    start = time.perf_counter()
    with Connection(settings.broker_url, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer(serializer="json")
        for i, data in enumerate(files):
            store.put_bytes(f"baseline/{i}", data)
            producer.publish({"id": i}, exchange=queue.exchange, routing_key="b", declare=[queue])
            reader = PdfReader(io.BytesIO(data))
            "".join(page.extract_text() for page in reader.pages)
    return len(files) / (time.perf_counter() - start)


def run(documents: int, batch: int, big_batch: int) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    settings, drop = services.services_settings(tmp)
    db_url = settings.effective_database_url()
    migrate(db_url)
    store = open_store(settings)
    store.ensure_bucket()  # type: ignore[attr-defined]
    engine = make_engine(db_url)
    with Session(engine) as session:
        key = create_account(session, "Bench", "firm", "bench@example.test").api_key
    files = [text_pdf(f"Facture BENCH-{i:05d}\nTotal TTC {i},00 EUR") for i in range(documents)]
    port = services.free_port()
    env = services.settings_env(settings)
    logs = (tmp / "procs.log").open("ab")
    api = subprocess.Popen([sys.executable, "-m", "cli.main", "api", "--port", str(port)], env=env, cwd=REPO,
                           stdout=logs, stderr=logs)
    # Two worker processes as deployed: `bordereau worker` with its default concurrency.
    workers = [subprocess.Popen([sys.executable, "-m", "cli.main", "worker"], env=env,
                                cwd=REPO, stdout=logs, stderr=logs) for _ in range(2)]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"},
                          timeout=300) as client:
            _wait_healthy(client)
            dossier = client.post("/v1/dossiers", json={"name": "Bench"}).json()["id"]
            before = baseline(settings, files)
            result = _end_to_end(engine, client, dossier, files, batch,
                                 {"api": [api.pid], "workers": [w.pid for w in workers]})
            after = baseline(settings, files)
            result["baseline_docs_per_s"] = round((before + after) / 2, 1)
            result["baseline_runs_docs_per_s"] = [round(before, 1), round(after, 1)]
            result["ratio_end_to_end_over_baseline"] = round(
                result["end_to_end_docs_per_s"] / result["baseline_docs_per_s"], 3)  # type: ignore[operator]
            result.update(_api_memory(client, dossier, big_batch, api.pid))
        return result
    finally:
        for p in (api, *workers):
            p.terminate()
        for p in (api, *workers):
            p.wait(30)
        engine.dispose()
        drop()


def _wait_healthy(client: httpx.Client) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError("the API did not start")


def _end_to_end(engine, client: httpx.Client, dossier: str, files: list[bytes], batch: int,  # type: ignore[no-untyped-def]
                components: dict[str, list[int]]) -> dict[str, object]:
    cpu_before = cpu.snapshot(components)
    start = time.perf_counter()
    for i in range(0, len(files), batch):
        parts = [("files", (f"f{i + j}.pdf", data)) for j, data in enumerate(files[i:i + batch])]
        client.post("/v1/batches", data={"dossier_id": dossier}, files=parts).raise_for_status()
    uploaded = time.perf_counter()
    _wait_processed(engine, len(files))
    done = time.perf_counter()
    return {"documents": len(files), "batch": batch,
            "upload_docs_per_s": round(len(files) / (uploaded - start), 1),
            "end_to_end_docs_per_s": round(len(files) / (done - start), 1),
            "cpu_ms_per_document": cpu.per_item_ms(cpu_before, cpu.snapshot(components), len(files))}


def _api_memory(client: httpx.Client, dossier: str, big_batch: int, api_pid: int) -> dict[str, object]:
    big = [_noisy_pdf(200, n) for n in range(big_batch)]
    before = _rss_mb(api_pid, "VmRSS")
    parts = [("files", (f"big{n}.pdf", data)) for n, data in enumerate(big)]
    client.post("/v1/batches", data={"dossier_id": dossier}, files=parts).raise_for_status()
    return {"big_batch_files": big_batch, "big_batch_mb": round(sum(map(len, big)) / 1e6, 1),
            "api_rss_before_mb": round(before, 1), "api_peak_rss_mb": round(_rss_mb(api_pid, "VmHWM"), 1)}


def _wait_processed(engine, total: int, timeout: float = 1800) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Session(engine) as s:
            n = s.exec(select(func.count()).select_from(Document).where(
                Document.state.in_(["processed", "rejected", "failed"]))).one()  # type: ignore[attr-defined]
        if n >= total:
            return
        time.sleep(0.5)
    raise TimeoutError("documents not processed in time")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--big-batch", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(run(args.documents, args.batch, args.big_batch)))


if __name__ == "__main__":
    main()
