"""Capacity on the real services: what a document costs by kind, and 1, 2 and 3 worker processes
against the model of docs/capacity.md.

    .venv/bin/python -m tests.bench.bench_capacity [--documents 1500] [--per-kind 60]

Prints one JSON object. Two phases, with the API up and idle beat-less workers started per run:

1. **Cost by kind.** For each kind (a one-page text PDF, a one-page scan that needs OCR, a Factur-X
   PDF whose XML is read), `--per-kind` documents are sent with no worker running, then one worker
   process of one pool process processes them: documents per second and CPU-milliseconds per document
   by component (the workers, their start-up included; PostgreSQL, RabbitMQ, SeaweedFS; the API idle).
2. **Scaling.** For k = 1, 2, 3 worker processes of one pool process each, `--documents` text PDFs
   sent first, then the k workers started together: documents per second from the first document
   started to the last finished (sending, which bench_ingest measures, is left out of the figure).
   The model predicts X(k) = min(k·X(1), C / c), with X(1) and c measured by the run of one worker
   (c: the CPU-seconds processing a document costs every component but the idle API) and C the
   machine's cores; the output gives each prediction beside its measure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlmodel import Session, col, func, select

from ingest.accounts.lifecycle import create_account
from ingest.platform.columns import utcnow
from ingest.platform.models import FINAL_STATES, Document
from ingest.processing.presence import live_concurrency
from tests.bench import cpu
from tests.bench.bench_ingest import _wait_healthy
from tests.support import services
from tests.support.corpus import corpus_dir
from tests.support.files import text_pdf
from tests.support.invoices import invoice_lines, scanned_invoice_png

REPO = Path(__file__).resolve().parents[2]
WORKER_COUNTS = (1, 2, 3)


def kind_files(kind: str, count: int, salt: str) -> list[tuple[str, bytes]]:
    """`count` distinct documents of one kind (distinct bytes: no duplicate shortcut)."""
    if kind == "text_pdf":
        return [(f"{salt}-{i}.pdf", text_pdf(f"Facture {salt}-{i:05d}\nTotal TTC {i},00 EUR")) for i in range(count)]
    if kind == "scan":
        return [(f"{salt}-{i}.png", scanned_invoice_png(invoice_lines(number=f"S{salt}-{i}"))) for i in range(count)]
    einvoices = sorted(p for p in corpus_dir().glob("correct__*.pdf"))
    # The same few files again would be duplicates: a trailing comment makes each copy distinct bytes.
    return [(f"{salt}-{i}.pdf", einvoices[i % len(einvoices)].read_bytes() + f"\n%{salt}-{i}\n".encode())
            for i in range(count)]


class Stack:
    """The API on the real services, and workers started and stopped per run."""

    def __init__(self, tmp: Path) -> None:
        ready = services.ready_services(tmp)
        self.settings, self.engine, self._drop = ready.settings, ready.engine, ready.drop
        with Session(self.engine) as session:
            key = create_account(session, "Capacity", "firm", "capacity@example.test").api_key
        self.env = services.settings_env(self.settings)
        self.logs = (tmp / "procs.log").open("ab")
        port = services.free_port()
        self.api = subprocess.Popen([sys.executable, "-m", "cli.main", "api", "--port", str(port)], env=self.env,
                                    cwd=REPO, stdout=self.logs, stderr=self.logs)
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"},
                                   timeout=300)
        _wait_healthy(self.client)
        self.dossier = self.client.post("/v1/dossiers", json={"name": "Capacity"}).json()["id"]

    def upload(self, files: list[tuple[str, bytes]]) -> list[str]:
        """The batches' ids; daily flow, so that the workers' default queues take them."""
        batches = []
        for start in range(0, len(files), 100):
            parts = [("files", item) for item in files[start:start + 100]]
            answer = self.client.post("/v1/batches", data={"dossier_id": self.dossier, "flow": "daily"}, files=parts)
            answer.raise_for_status()
            batches.append(answer.json()["id"])
        return batches

    def process(self, files: list[tuple[str, bytes]], workers: int) -> tuple[float, dict[str, float]]:
        """Send the files with no worker running, then start `workers` worker processes of one pool
        process and wait until every file is finished. Returns the seconds from the first document
        started to the last finished (the upload left out, the workers' start-up mostly), and the CPU
        each component spent per document from the workers' start (their start-up included)."""
        batches = self.upload(files)
        roots: dict[str, list[int]] = {"api": [self.api.pid], "workers": []}
        before = cpu.snapshot(roots)
        procs = [subprocess.Popen([sys.executable, "-m", "cli.main", "worker", "--concurrency", "1"], env=self.env,
                                  cwd=REPO, stdout=self.logs, stderr=self.logs) for _ in range(workers)]
        roots["workers"] = [p.pid for p in procs]
        try:
            self._wait(batches)
            spent = cpu.per_item_ms(before, cpu.snapshot(roots), len(files))
            return self._window(batches), spent
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(60)
            self._wait_for_workers(0)

    def start_up_cpu_s(self) -> float:
        """CPU-seconds a worker process spends starting, until it reports for work: taken off the
        cost by kind, whose few documents would otherwise carry it."""
        proc = subprocess.Popen([sys.executable, "-m", "cli.main", "worker", "--concurrency", "1"], env=self.env,
                                cwd=REPO, stdout=self.logs, stderr=self.logs)
        try:
            self._wait_for_workers(1)
            return cpu.snapshot({"workers": [proc.pid]})["workers"]
        finally:
            proc.terminate()
            proc.wait(60)
            self._wait_for_workers(0)

    def _wait_for_workers(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.engine.connect() as conn:
                if live_concurrency(conn, utcnow()).get("daily", 0) == count:
                    return
            time.sleep(0.2)
        raise TimeoutError(f"{count} workers never showed")

    def _window(self, batches: list[str]) -> float:
        with Session(self.engine) as session:
            first, last = session.exec(select(func.min(Document.started_at), func.max(Document.finished_at))
                                       .where(col(Document.batch_id).in_(batches))).one()
        return (last - first).total_seconds()

    def _wait(self, batches: list[str], timeout: float = 3600) -> None:
        deadline = time.monotonic() + timeout
        final = [s.value for s in FINAL_STATES]
        with Session(self.engine) as session:
            total = session.exec(select(func.count()).select_from(Document)
                                 .where(col(Document.batch_id).in_(batches))).one()
        while time.monotonic() < deadline:
            with Session(self.engine) as session:
                done = session.exec(select(func.count()).select_from(Document).where(
                    col(Document.batch_id).in_(batches), col(Document.state).in_(final))).one()
            if done >= total:
                return
            time.sleep(0.2)
        raise TimeoutError("documents not processed in time")

    def close(self) -> None:
        self.client.close()
        self.api.terminate()
        self.api.wait(30)
        self.engine.dispose()
        self._drop()


def run(documents: int, per_kind: int) -> dict[str, object]:
    stack = Stack(Path(tempfile.mkdtemp(prefix="bench-capacity-")))
    try:
        start_up_ms = stack.start_up_cpu_s() * 1000
        costs = {}
        for kind in ("text_pdf", "scan", "einvoice"):
            seconds, spent = stack.process(kind_files(kind, per_kind, f"k{kind}"), 1)
            share = round(start_up_ms / per_kind, 2)
            spent = {**spent, "workers": round(spent["workers"] - share, 2), "total": round(spent["total"] - share, 2)}
            costs[kind] = {"documents_per_s": round(per_kind / seconds, 2), "cpu_ms_per_document": spent}
        cores = os.cpu_count() or 1
        scaling: list[dict[str, object]] = []
        first = per_document_s = 0.0
        for workers in WORKER_COUNTS:
            seconds, spent = stack.process(kind_files("text_pdf", documents, f"w{workers}"), workers)
            measured = documents / seconds
            if workers == 1:  # the model's two figures, from one worker on many documents
                first, per_document_s = measured, _processing_ms(spent) / 1000
            model = min(workers * first, cores / per_document_s)
            scaling.append({"workers": workers, "documents_per_s": round(measured, 1), "model": round(model, 1),
                            "measured_over_model": round(measured / model, 2), "cpu_ms_per_document": spent})
        return {"cores": cores, "documents": documents, "per_kind": per_kind,
                "worker_start_up_cpu_ms": round(start_up_ms), "cost_by_kind": costs,
                "processing_cpu_ms_per_text_pdf": round(per_document_s * 1000, 1),
                "model_ceiling_documents_per_s": round(cores / per_document_s, 1), "scaling": scaling}
    finally:
        stack.close()


def _processing_ms(spent: dict[str, float]) -> float:
    """What processing a document costs every component but the API (whose part is the upload)."""
    return spent["total"] - spent.get("api", 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1500)
    parser.add_argument("--per-kind", type=int, default=60)
    args = parser.parse_args()
    print(json.dumps(run(args.documents, args.per_kind), indent=2))


if __name__ == "__main__":
    main()
