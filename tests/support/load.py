"""Clients for load-and-fault runs (``tests/bench/bench_load.py`` and its small twin in the suite):
uploaders, slow senders, a bystander, beat's periodic jobs, and the final account of what became of
every accepted file."""

from __future__ import annotations

import hashlib
import multiprocessing
import random
import socket
import statistics
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from ingest.billing.tables import UsageRecord
from ingest.flow.dispatch import dispatch_round
from ingest.platform import outbox
from ingest.platform.broker import celery_app, publisher, restore_orphaned_messages
from ingest.platform.models import FINAL_STATES, Document, DocumentState
from ingest.platform.settings import Settings
from ingest.processing.requeue import requeue_stale
from ingest.processing.waiting import Waiting, requeue_waiting
from ingest.store import ObjectStore, StoreUnavailable, original_key
from tests.support.files import text_pdf


@dataclass
class Tally:
    """What the clients saw: every answer's status, and the files accepted (document id → sha256)."""

    statuses: Counter[int] = field(default_factory=Counter)
    accepted: dict[str, str] = field(default_factory=dict)
    documents_sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def invoice_pool(count: int, seed: int = 7) -> list[bytes]:
    """Distinct one-page PDF invoices, made once (making them is no part of what is measured)."""
    rnd = random.Random(seed)
    return [text_pdf(f"Facture LOAD-{i:05d}-{rnd.randrange(10**6)}\nTotal TTC {rnd.randrange(10, 9999)},00 EUR")
            for i in range(count)]


class Uploader(threading.Thread):
    """Uploads batches of 1 to `max_batch` invoices until told to stop, each under an Idempotency-Key
    that it keeps while it retries what it is told to retry (429, 503, a connection lost)."""

    def __init__(self, url: str, headers: dict[str, str], dossier_id: str, pool: list[bytes], tally: Tally,
                 stop: threading.Event, max_batch: int = 20, seed: int = 0) -> None:
        super().__init__(daemon=True)
        self.url, self.headers, self.dossier_id, self.pool = url, headers, dossier_id, pool
        self.tally, self.stop, self.max_batch = tally, stop, max_batch
        self.rnd = random.Random(seed)

    def run(self) -> None:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=120) as http:
            while not self.stop.is_set():
                files = self.rnd.sample(self.pool, self.rnd.randint(1, self.max_batch))
                self._send(http, files, f"load-{uuid.uuid4().hex}")

    def _send(self, http: httpx.Client, files: list[bytes], key: str) -> None:
        for _ in range(30):
            try:
                answer = http.post("/v1/batches", data={"dossier_id": self.dossier_id},
                                   files=[("files", (f"{i}.pdf", f)) for i, f in enumerate(files)],
                                   headers={"Idempotency-Key": key})
            except httpx.TransportError:
                time.sleep(1)
                continue
            self.tally.record(answer.status_code)
            if answer.status_code == 202:
                with self.tally.lock:
                    self.tally.documents_sent += len(files)
                    for doc in answer.json()["documents"]:
                        self.tally.accepted[doc["id"]] = hashlib.sha256(files[int(doc["filename"][:-4])]).hexdigest()
                return
            if answer.status_code not in (429, 503):
                return
            time.sleep(float(answer.headers.get("Retry-After", "1")))


class SlowSender(threading.Thread):
    """Sends an upload's body a byte a second, again and again, until told to stop."""

    def __init__(self, url: str, headers: dict[str, str], dossier_id: str, stop: threading.Event,
                 statuses: Counter[str]) -> None:
        super().__init__(daemon=True)
        self.port = int(url.rsplit(":", 1)[1])
        self.headers, self.dossier_id, self.stop, self.statuses = headers, dossier_id, stop, statuses

    def run(self) -> None:
        while not self.stop.is_set():
            self.statuses[self._once()] += 1

    def _once(self) -> str:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"dossier_id\"\r\n\r\n{self.dossier_id}"
                f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"slow.pdf\"\r\n\r\n")
        head = (f"POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {self.headers['Authorization']}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 10000000\r\n\r\n")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                sock.sendall(head.encode() + body.encode())
                sock.settimeout(1.0)
                while not self.stop.is_set():
                    try:
                        answer = sock.recv(4096)
                        return answer.split(b" ", 2)[1].decode() if answer else "closed"
                    except TimeoutError:
                        sock.sendall(b"x")
        except OSError:
            return "connection_error"
        return "stopped"


class Bystander:
    """A client that only reads, the whole time: lists its batches five times a second.

    It runs in a process of its own: among the load's seventy client threads of this process it
    would wait for the interpreter's lock, and its latency would be this process's, not the
    service's (a real bystander is another machine)."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._results: multiprocessing.Queue[tuple[list[float], dict[int, int]]] = context.Queue()
        self._process = context.Process(target=_read_until_stopped, args=(url, headers, self._stop, self._results),
                                        daemon=True)

    def start(self) -> Bystander:
        self._process.start()
        return self

    def finish(self) -> dict[str, Any]:
        """Stop it; what it measured: requests, p50 and p99 in ms, statuses."""
        self._stop.set()
        latencies, statuses = self._results.get(timeout=120)
        self._process.join(30)
        ordered = sorted(latencies) or [float("nan")]
        return {"requests": len(latencies), "p50_ms": round(statistics.median(ordered) * 1000, 1),
                "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
                "statuses": statuses}


def _read_until_stopped(url: str, headers: dict[str, str], stop: Any, results: Any) -> None:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status = http.get("/v1/batches", params={"limit": 20}).status_code
            except httpx.TransportError:
                status = 0
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            time.sleep(0.2)
    results.put((latencies, dict(statuses)))


class BeatStandIn(threading.Thread):
    """What beat does, every `interval` seconds: relay the outbox, a bulk dispatch round, hand out
    documents whose lease lapsed or that waited for something now back (and, on the embedded broker,
    messages of a worker that died holding them). Faults are ridden out."""

    def __init__(self, settings: Settings, engine: Engine, store: ObjectStore, stop: threading.Event,
                 interval: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.settings, self.engine, self.store, self.stop, self.interval = settings, engine, store, stop, interval
        self.publish = publisher(celery_app(settings), settings)

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                restore_orphaned_messages(self.settings)
                requeue_stale(self.engine)
                requeue_waiting(self.engine, Waiting.waiting_for_store, self._store_answers)
                dispatch_round(self.engine, self.settings.bulk_window, interval=self.interval)
                outbox.relay(self.engine, self.publish)
            except Exception:  # the database or the broker is away: beat tries again at the next tick
                continue

    def _store_answers(self) -> bool:
        try:
            self.store.ping()
        except StoreUnavailable:
            return False
        return True


def unfinished(engine: Engine, ids: list[str]) -> int:
    with Session(engine) as session:
        final = 0
        for start in range(0, len(ids), 1000):
            final += session.exec(select(func.count()).select_from(Document).where(
                col(Document.id).in_(ids[start:start + 1000]),
                col(Document.state).in_([s.value for s in FINAL_STATES]))).one()
    return len(ids) - final


def account_of_every_file(engine: Engine, store: ObjectStore, tally: Tally) -> dict[str, Any]:
    """Every accepted file: lost or not, final or not, counted how often, its stored bytes intact."""
    ids = list(tally.accepted)
    with Session(engine) as session:
        rows = {}
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            rows.update({d.id: d for d in session.exec(select(Document).where(col(Document.id).in_(chunk))).all()})
        counted = Counter[str]()
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            counted.update(session.exec(select(UsageRecord.document_id)
                                        .where(col(UsageRecord.document_id).in_(chunk))).all())
    states = Counter(d.state for d in rows.values())
    should_count = sum(1 for d in rows.values() if d.state == DocumentState.processed and d.duplicate_of is None)
    damaged = [sha for sha in set(tally.accepted.values()) if _stored_sha256(store, sha) != sha]
    return {"accepted_documents": len(ids), "lost": len(ids) - len(rows), "states": dict(states),
            "failed_reasons": dict(Counter(d.reason for d in rows.values() if d.state == DocumentState.failed)),
            "counted": sum(counted.values()), "counted_twice": sum(1 for n in counted.values() if n > 1),
            "processed_originals": should_count, "stored_files_checked": len(set(tally.accepted.values())),
            "stored_files_differing": len(damaged)}


def _stored_sha256(store: ObjectStore, sha: str) -> str:
    digest = hashlib.sha256()
    try:
        with store.open(original_key(sha)) as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except (FileNotFoundError, StoreUnavailable):
        return ""
    return digest.hexdigest()


def states_of(engine: Engine, ids: list[str]) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.execute(sa.select(col(Document.state), sa.func.count()).where(col(Document.id).in_(ids))
                               .group_by(col(Document.state))).all()
    return {state: int(n) for state, n in rows}
