"""Load and faults: many uploading clients, slow senders and a bystander, while the infrastructure fails.

    .venv/bin/python -m tests.bench.bench_load                     # real services, with faults (~12 min)
    .venv/bin/python -m tests.bench.bench_load --stack embedded    # the embedded defaults (workers' faults only)
    .venv/bin/python -m tests.bench.bench_load --duration 60 --no-faults
    .venv/bin/python -m tests.bench.bench_load --no-faults --api-processes 2   # the API as `api --workers 2`

Prints one JSON object. A real API process (uvicorn) and two workers (``daily,ops`` and ``bulk``)
run with their default settings; this process plays beat. Figures, all from this run:

- ``bystander``: a client that only lists its batches, five times a second, from a process of its
  own: p50/p99 latency alone (before the load) and under the load, and the ratio (target p99 <= 3);
- ``answers``: every status the uploading clients got (target: no 5xx outside the faults that make
  one right: 503 while the store or the database is away), and what the slow senders got (408);
- ``uploads``: documents and batches accepted per second under the load;
- ``faults`` (real services): a pool child killed, a whole worker killed and started again, RabbitMQ
  restarted, the S3 server unreachable for 20 s and for 5 minutes (for the API and the workers, through
  a relay this process cuts), the database's connections terminated, PostgreSQL restarted; for each, the
  seconds from its end until an upload is accepted again (`accepting_after_s`), until a document
  (any) finishes processing again (`processing_after_s`: the workers are back), and until a new
  one-file upload is processed (`probe_processed_after_s`: this one waits behind the queue's
  backlog, so under load it measures the backlog more than the fault);
- ``drain``: the documents left unfinished when the load stopped, and how fast the workers then
  finished them (the run waits as long as they keep finishing);
- ``account``: what became of every accepted file once all were final: none lost, none counted
  twice, every stored byte identical (SHA-256), and how many failed (target 0).

The restarts act on this machine's RabbitMQ and PostgreSQL: run it when nothing else uses them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ingest.accounts.lifecycle import create_account
from ingest.platform.columns import utcnow
from ingest.platform.db import make_engine, migrate
from ingest.platform.models import Document
from ingest.platform.settings import Settings
from ingest.store import open_store
from tests.integration.conftest import ApiProcess, Stack, WorkerProcess
from tests.support import services
from tests.support.faults import Gate
from tests.support.files import text_pdf
from tests.support.load import (
    BeatStandIn,
    Bystander,
    SlowSender,
    Tally,
    Uploader,
    account_of_every_file,
    invoice_pool,
    unfinished,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", choices=["services", "embedded"], default="services")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--slow", type=int, default=20)
    parser.add_argument("--duration", type=float, default=None, help="seconds of load (default: what the faults need)")
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--api-processes", type=int, default=1, help="uvicorn worker processes of the API")
    args = parser.parse_args()
    print(json.dumps(run(args.stack, args.clients, args.slow, args.duration, not args.no_faults, args.api_processes),
                     indent=2))


def run(stack_name: str, clients: int, slow: int, duration: float | None, faults: bool,
        api_processes: int = 1) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    stack, drop, gate = _stack(stack_name, tmp)
    env = {"BORDEREAU_S3_ENDPOINT": f"http://127.0.0.1:{gate.port}"} if gate else {}
    api = ApiProcess(stack, tmp / "api.log", env, processes=api_processes).start()
    workers = [WorkerProcess(stack, tmp / "daily.log", 2, "daily,ops", env).start(),
               WorkerProcess(stack, tmp / "bulk.log", 1, "bulk", env).start()]
    stop, beat_stop = threading.Event(), threading.Event()
    beat = BeatStandIn(stack.settings, stack.engine, stack.store, beat_stop)
    beat.start()
    try:
        accounts = [_account(stack, api.url, f"Load {i}") for i in range(10)]
        bystander_account, probe_account = _account(stack, api.url, "Bystander"), _account(stack, api.url, "Probe")
        alone = _bystander(api.url, bystander_account, seconds=20)
        plan = _faults(stack, workers, gate) if faults else []
        load_s = duration or (max((at for at, *_ in plan), default=0) + 360 if plan else 120)
        tally, slow_answers = Tally(), Counter[str]()
        pool = invoice_pool(400)
        threads: list[threading.Thread] = [
            Uploader(api.url, accounts[i % 10][0], accounts[i % 10][1], pool, tally, stop, seed=i)
            for i in range(clients)]
        threads += [SlowSender(api.url, accounts[i % 10][0], accounts[i % 10][1], stop, slow_answers)
                    for i in range(slow)]
        loaded = Bystander(api.url, bystander_account[0]).start()
        started = time.monotonic()
        for t in threads:
            t.start()
        fault_report, probes = _play(plan, started, load_s, lambda: _recovery(api.url, probe_account, stack.engine))
        stop.set()
        under_load = loaded.finish()
        for t in threads:
            t.join(120)
        loaded_s = time.monotonic() - started
        for probe in probes:  # a probe waits behind the backlog the load left
            probe.join(1800)
        drain = _drain(stack.engine, list(tally.accepted))
        account = account_of_every_file(stack.engine, stack.store, tally)
        return {"stack": stack_name, "clients": clients, "slow_senders": slow, "api_processes": api_processes,
                "load_seconds": round(loaded_s),
                "bystander": {"alone": alone, "under_load": under_load,
                              "ratio_p99": round(under_load["p99_ms"] / alone["p99_ms"], 2),
                              "ratio_p50": round(under_load["p50_ms"] / alone["p50_ms"], 2)},
                "answers": {"uploads": dict(tally.statuses), "uploads_5xx": tally.server_errors,
                            "slow_senders": dict(slow_answers)},
                "uploads": {"documents_per_s": round(tally.documents_sent / loaded_s, 1),
                            "batches_per_s": round(tally.statuses[202] / loaded_s, 2)},
                "drain": drain, "faults": fault_report, "account": account}
    finally:
        stop.set()
        beat_stop.set()
        for process in (api, *workers):
            process.stop()
        if gate is not None:
            gate.cut()
        stack.engine.dispose()
        drop()


def _stack(name: str, tmp: Path) -> tuple[Stack, Callable[[], None], Gate | None]:
    if name == "embedded":
        settings = Settings(data_dir=tmp / "data", queue_prefix=f"b{uuid.uuid4().hex[:8]}.")
        drop: Callable[[], None] = lambda: None  # noqa: E731
        gate = None
    else:
        settings, drop = services.services_settings(tmp)
        gate = Gate(*services.host_port(settings.s3_endpoint))
        gate.open()
    migrate(settings.effective_database_url())
    store = open_store(settings)
    if ensure := getattr(store, "ensure_bucket", None):
        ensure()
    return Stack(name, settings, make_engine(settings.effective_database_url()), store), drop, gate


def _account(stack: Stack, url: str, name: str) -> tuple[dict[str, str], str]:
    with Session(stack.engine) as session:
        key = create_account(session, name, "firm", f"{uuid.uuid4().hex[:10]}@load.test").api_key
    headers = {"Authorization": f"Bearer {key}"}
    dossier = httpx.post(f"{url}/v1/dossiers", json={"name": f"{name} dossier"}, headers=headers).json()["id"]
    return headers, dossier


def _bystander(url: str, account: tuple[dict[str, str], str], seconds: float) -> dict[str, Any]:
    alone = Bystander(url, account[0]).start()
    time.sleep(seconds)
    return alone.finish()


# A fault: when it starts (seconds into the load), its name, what does it, how long it lasts, what
# ends it.
Fault = tuple[float, str, Callable[[], None], float, Callable[[], None]]


def _faults(stack: Stack, workers: list[WorkerProcess], gate: Gate | None) -> list[Fault]:
    nothing: Callable[[], None] = lambda: None  # noqa: E731
    plan: list[Fault] = [(30, "worker killed", lambda: workers[1].stop(signal.SIGKILL), 5, lambda: workers[1].start())]
    if stack.name == "services":  # on the embedded broker it wedges the worker: test_faults_scenario.KNOWN_LIMIT
        plan.insert(0, (15, "pool child killed", lambda: _kill_pool_child(workers[0]), 0, nothing))
    if stack.name == "services":
        assert gate is not None
        pg = f"pg_ctlcluster --skip-systemctl-redirect {os.listdir('/etc/postgresql')[0]} main"
        plan += [
            (45, "RabbitMQ restarted", lambda: _sh("rabbitmqctl stop_app"), 10, lambda: _sh("rabbitmqctl start_app")),
            (75, "S3 unreachable 20 s", gate.cut, 20, gate.open),
            (110, "database connections terminated", lambda: _terminate_connections(stack), 0, nothing),
            (125, "PostgreSQL restarted", lambda: _sh(f"{pg} stop"), 5, lambda: _sh(f"{pg} start")),
            (150, "S3 unreachable 5 min", gate.cut, 300, gate.open),
        ]
    return [(at, name, start, length, end) for at, name, start, length, end in plan]


def _play(plan: list[Fault], started: float, load_s: float,
          recovery: Callable[[], dict[str, float | None]]) -> tuple[list[dict[str, Any]], list[threading.Thread]]:
    """Each fault at its time; once it ends, a probe upload (in a thread of its own, so that the
    schedule holds) measures how long the service takes to process again. Returns at the end of
    the load, with the probes still measuring."""
    report: list[dict[str, Any]] = []
    probes = []
    for at, name, begin, length, end in plan:
        time.sleep(max(0.0, started + at - time.monotonic()))
        begin()
        time.sleep(length)
        end()
        entry: dict[str, Any] = {"fault": name, "at_s": at, "lasted_s": length}
        report.append(entry)
        probe = threading.Thread(target=lambda e=entry: e.update(recovery()), daemon=True)
        probe.start()
        probes.append(probe)
    time.sleep(max(0.0, started + load_s - time.monotonic()))
    return report, probes


def _drain(engine: Engine, accepted: list[str], stalled_after: float = 1200) -> dict[str, Any]:
    """Wait until every accepted document is final, however long that takes while documents keep
    finishing; give up when none has finished for `stalled_after` seconds (longer than a lease
    takes to lapse), and say how many were left (`stalled_unfinished`)."""
    began = last_progress = time.monotonic()
    left = first = unfinished(engine, accepted)
    while left:
        if time.monotonic() - last_progress > stalled_after:
            return {"unfinished_at_end_of_load": first, "stalled_unfinished": left,
                    "seconds": round(time.monotonic() - began)}
        time.sleep(5)
        now_left = unfinished(engine, accepted)
        if now_left < left:
            last_progress = time.monotonic()
        left = now_left
    seconds = time.monotonic() - began
    return {"unfinished_at_end_of_load": first, "seconds": round(seconds),
            "documents_per_s": round(first / seconds, 1) if first and seconds else None}


def _sh(command: str) -> None:
    subprocess.run(command, shell=True, check=False, capture_output=True, timeout=120)


def _kill_pool_child(worker: WorkerProcess) -> None:
    assert worker.proc is not None
    children = subprocess.run(["pgrep", "-P", str(worker.proc.pid)], capture_output=True, text=True).stdout.split()
    if children:
        os.kill(int(children[0]), signal.SIGKILL)


def _terminate_connections(stack: Stack) -> None:
    engine = make_engine(stack.settings.effective_database_url())
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        conn.commit()
    engine.dispose()


def _recovery(url: str, probe: tuple[dict[str, str], str], engine: Engine,
              limit: float = 600) -> dict[str, float | None]:
    """Seconds from now until an upload is accepted, until any document finishes processing, and
    until the probe's own upload is processed (None past `limit`)."""
    started, ended_fault = time.monotonic(), utcnow()
    figures: dict[str, float | None] = {"accepting_after_s": None, "processing_after_s": None,
                                        "probe_processed_after_s": None}
    headers, dossier = probe
    key, doc_id = f"probe-{uuid.uuid4().hex}", None

    def note(name: str) -> None:
        if figures[name] is None:
            figures[name] = round(time.monotonic() - started, 1)

    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        while time.monotonic() - started < limit and figures["probe_processed_after_s"] is None:
            try:
                if doc_id is None:
                    answer = http.post("/v1/batches", data={"dossier_id": dossier},
                                       files=[("files", ("probe.pdf", text_pdf(f"Probe {key}")))],
                                       headers={"Idempotency-Key": key})
                    if answer.status_code == 202:
                        note("accepting_after_s")
                        doc_id = answer.json()["documents"][0]["id"]
                elif http.get(f"/v1/documents/{doc_id}").json().get("state") == "processed":
                    note("processing_after_s")
                    note("probe_processed_after_s")
                if figures["processing_after_s"] is None and _finished_since(engine, ended_fault):
                    note("processing_after_s")
            except (httpx.TransportError, ValueError, sa.exc.SQLAlchemyError):
                pass
            time.sleep(0.5)
    return figures


def _finished_since(engine: Engine, since: datetime) -> bool:
    with Session(engine) as session:
        return session.exec(select(Document.id).where(col(Document.finished_at) > since).limit(1)).first() is not None


if __name__ == "__main__":
    main()
