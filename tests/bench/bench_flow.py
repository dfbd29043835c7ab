"""Daily flow behind bulk archives, on the real services (PostgreSQL, RabbitMQ, SeaweedFS).

    .venv/bin/python -m tests.bench.bench_flow                       # full size (5 to 12 min)
    .venv/bin/python -m tests.bench.bench_flow --archive 3000 --late-archive 150   # scaled down
    .venv/bin/python -m tests.bench.bench_flow --archive 2000 --late-archive 100 --runs 5   # first ETAs

Two worker processes, as deployed: one consumes ``daily,ops``, the other ``bulk`` (concurrency 1
each; ``--daily-concurrency 2`` gives the daily pool two processes, so that the first archive's ETA
borrows figures measured on a pool of another size). This process plays beat: a dispatch round
every ``--dispatch-interval`` seconds, then the outbox relay (and, when the server's autovacuum is
off, a VACUUM of the busy tables every 30 s, as autovacuum would do: ``vacuum_by_benchmark`` in the
output). Processing cost: every document is a real one-page text PDF that the workers really
fetch, parse and record (no sleep anywhere); archives are written straight to the database in
state ``received`` pointing at one stored PDF, as an upload would leave them, to keep setup short.

Run, all in one process, one JSON object out:
1. baseline: accounts B and C upload daily batches of ``--daily-batch`` documents (through the
   intake use case, real files) one every ``--daily-every`` seconds, for ``--baseline`` seconds;
2. account A's archive of ``--archive`` documents arrives; its ETA is computed at once; D's
   archive of ``--late-archive`` follows ``--late-after`` seconds later; B and C go on as before
   until A's archive is done. ETA of A again at 10 % done.
Figures: daily latency (receipt to processed, per document) p50/p99 with the backlog over without
(target <= 1.5); A's ETA error at upload and at 10 % (targets 15 %, 10 %), with the model's
inputs then and as the archive actually ran; when D starts and finishes relative to A's archive.
D's archive is unknown when A's first ETA is computed, and delays A by its own length: about 5 %
at full size.
3. with ``--runs N`` (N > 1), N - 1 more archives of ``--archive`` documents by A, one after the other
   while B and C go on: the deployment now has bulk history, and each first ETA is costed on it.
Each run's first ETA: its basis (``borrowed`` for the first archive, which has no bulk history to
stand on; ``measured`` after), its error, and, when it is a range, whether the archive finished
inside it.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from ingest.accounts.lifecycle import create_account
from ingest.accounts.principal import Principal
from ingest.accounts.tables import Dossier
from ingest.flow.dispatch import dispatch_round
from ingest.flow.sla import (
    Sample,
    measure,
    measured_capacity,
    recompute,
    samples_by_flow,
)
from ingest.intake.receive import Upload, receive_batch
from ingest.platform import outbox
from ingest.platform.broker import celery_app, publisher
from ingest.platform.columns import utcnow
from ingest.platform.db import autocommit, make_engine, migrate
from ingest.platform.models import Batch, Document
from ingest.processing.presence import live_concurrency
from ingest.resources import limits_from
from ingest.store import open_store
from tests.integration.conftest import Stack, WorkerProcess
from tests.integration.flow.test_dispatch import seed_bulk
from tests.support import services
from tests.support.files import text_pdf


def _account(engine, name: str) -> tuple[Principal, str]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        acc = create_account(session, name, "firm", f"{uuid.uuid4().hex[:8]}@bench.test")
        dossier = Dossier(account_id=acc.account_id, name=f"{name} dossier")
        session.add(dossier)
        session.commit()
        return Principal(acc.user_id, acc.account_id, "admin"), dossier.id


class Beat(threading.Thread):
    """Dispatch rounds and outbox relays, as `bordereau beat` schedules them; and, where the
    server's autovacuum is off, what autovacuum would do."""

    def __init__(self, stack: Stack, interval: float):
        super().__init__(daemon=True)
        self.stack, self.interval, self.stop = stack, interval, threading.Event()
        self.publish = publisher(celery_app(stack.settings), stack.settings)
        self.vacuum = not _autovacuum_on(stack.engine)

    def run(self) -> None:
        last_vacuum = time.monotonic()
        while not self.stop.wait(self.interval):
            dispatch_round(self.stack.engine, self.stack.settings.bulk_window, interval=self.interval)
            outbox.relay(self.stack.engine, self.publish)
            if self.vacuum and time.monotonic() - last_vacuum > VACUUM_EVERY_S:
                _vacuum(self.stack.engine)
                last_vacuum = time.monotonic()


# Every document is updated three or four times on its way (received, queued, processing,
# processed): with autovacuum off, 37,000 dead rows were left in the documents table after ten
# minutes of this run, a state no production server is in. A default server vacuums a table once
# a fifth of it is dead; this does about as much.
VACUUM_EVERY_S = 30.0


def _autovacuum_on(engine) -> bool:  # type: ignore[no-untyped-def]
    with autocommit(engine) as conn:
        return str(conn.execute(sa.text("SHOW autovacuum")).scalar()) == "on"


def _vacuum(engine) -> None:  # type: ignore[no-untyped-def]
    with autocommit(engine) as conn:  # VACUUM cannot run inside a transaction
        for table in ("documents", "outbox", "batches"):
            conn.execute(sa.text(f"VACUUM (ANALYZE) {table}"))


class DailyClients(threading.Thread):
    """B and C in turn: one daily batch every `every` seconds."""

    def __init__(self, stack: Stack, firms: list[tuple[Principal, str]], size: int, every: float):
        super().__init__(daemon=True)
        self.stack, self.firms, self.size, self.every = stack, firms, size, every
        self.stop, self.batches = threading.Event(), []  # (phase, batch id)
        self.phase = "baseline"
        self.files = [text_pdf(f"Facture D-{i}\nTotal TTC {i},00 EUR") for i in range(size)]
        self.limits = limits_from(stack.settings)

    def run(self) -> None:
        turn = 0
        while not self.stop.is_set():
            started = time.monotonic()
            principal, dossier = self.firms[turn % len(self.firms)]
            uploads = [Upload(f"{uuid.uuid4().hex}.pdf", io.BytesIO(body)) for body in self.files]
            receipt = receive_batch(self.stack.engine, self.stack.store, self.limits, principal, dossier, uploads)
            self.batches.append((self.phase, receipt.batch.id))
            turn += 1
            self.stop.wait(max(0.0, self.every - (time.monotonic() - started)))


def _latencies(engine, batch_ids: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        rows = session.exec(select(Document.received_at, Document.finished_at)
                            .where(Document.batch_id.in_(batch_ids), Document.finished_at.is_not(None))).all()  # type: ignore[attr-defined,union-attr]
    return [(end - start).total_seconds() for start, end in rows]


def _quantiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(cuts[49], 3), "p99": round(cuts[98], 3), "n": len(values)}


def _mean_seconds(engine, batch_ids: list[str]) -> float:  # type: ignore[no-untyped-def]
    """Mean processing time (lease taken to outcome) of the batches' documents."""
    with Session(engine) as session:
        rows = session.exec(select(Document.started_at, Document.finished_at)
                            .where(Document.batch_id.in_(batch_ids), Document.finished_at.is_not(None))).all()  # type: ignore[attr-defined,union-attr]
    return round(statistics.fmean((end - start).total_seconds() for start, end in rows), 4)


def _archive_capacity(engine, batch_id: str) -> float:  # type: ignore[no-untyped-def]
    """The archive's capacity as it ran, over all of its documents, once done: with its mean
    seconds per document, what the ETA model would have needed to know at upload."""
    with Session(engine) as session:
        rows = session.exec(select(Document.started_at, Document.finished_at)
                            .where(Document.batch_id == batch_id, Document.finished_at.is_not(None))).all()  # type: ignore[union-attr]
    return round(measured_capacity([Sample("text_pdf", "bulk", start, end) for start, end in rows]) or 0.0, 3)


def _first_dispatch(engine, batch_id: str) -> datetime:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        first = session.exec(select(sa.func.min(Document.queued_at)).where(Document.batch_id == batch_id)).one()
    assert first is not None
    return first  # type: ignore[no-any-return]


def _progress(engine, batch_id: str) -> tuple[int, int, datetime | None, datetime | None]:  # type: ignore[no-untyped-def]
    """(finished, total, first start, last finish) of a batch."""
    with Session(engine) as session:
        total, done, first, last = session.exec(select(
            sa.func.count(), sa.func.count(Document.finished_at), sa.func.min(Document.started_at),
            sa.func.max(Document.finished_at)).where(Document.batch_id == batch_id)).one()
    return done, total, first, last


def _eta(stack: Stack, batch_id: str) -> tuple[Batch, dict[str, object]]:
    """The batch with its ETA, and the model's inputs then: live pool processes per queue, each
    flow's capacity and the bulk seconds per text PDF."""
    recompute(stack.engine, margin=timedelta(hours=6), fallback_concurrency=1)
    with Session(stack.engine, expire_on_commit=False) as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None and batch.eta is not None
        concurrency = live_concurrency(session.connection(), utcnow())
        measured = measure(samples_by_flow(session), 1, concurrency)
    return batch, {"worker_concurrency": concurrency, "daily_capacity": round(measured.capacity["daily"], 3),
                   "bulk_capacity": round(measured.capacity["bulk"], 3),
                   "text_pdf_s": round(measured.throughput["bulk"].seconds_per_document["text_pdf"], 4)}


def _error(at: datetime, since: datetime, end: datetime) -> float:
    """How far `at` falls from the real end, as a share of the time that was left."""
    remaining = (end - since).total_seconds()
    return round(((at - since).total_seconds() - remaining) / remaining, 3)


def _first_eta(batch: Batch, since: datetime, end: datetime, model: dict[str, object]) -> dict[str, object]:
    """One archive's first ETA against its real end: basis, error, range."""
    assert batch.eta is not None
    out: dict[str, object] = {"basis": batch.eta_basis, "error": _error(batch.eta, since, end),
                              "actual_s": round((end - since).total_seconds(), 1), "model": model}
    if batch.eta_earliest is not None and batch.eta_latest is not None:
        out["range_errors"] = [_error(batch.eta_earliest, since, end), _error(batch.eta_latest, since, end)]
        out["finished_inside_range"] = batch.eta_earliest <= end <= batch.eta_latest
    return out


def _later_archive(stack: Stack, account_id: str, dossier_id: str, size: int) -> dict[str, object]:
    """Another archive by the same firm, once the deployment has bulk history: its first ETA."""
    _, batch_id = seed_bulk(stack, account_id, size, dossier_id=dossier_id)
    received = utcnow()
    batch, model = _eta(stack, batch_id)
    _wait_done(stack.engine, batch_id)
    end = _progress(stack.engine, batch_id)[3]
    assert end is not None
    return _first_eta(batch, received, end, model)


def _wait_done(engine, batch_id: str, every: float = 1.0) -> None:  # type: ignore[no-untyped-def]
    while True:
        done, total, _, _ = _progress(engine, batch_id)
        if done >= total:
            return
        time.sleep(every)


def run(args: argparse.Namespace) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-flow-"))
    settings, drop = services.services_settings(tmp)
    settings = settings.model_copy(update={"bulk_window": args.window, "dispatch_interval": args.dispatch_interval})
    migrate(settings.effective_database_url())
    store = open_store(settings)
    getattr(store, "ensure_bucket", lambda: None)()
    stack = Stack("services", settings, make_engine(settings.effective_database_url()), store)
    workers = [WorkerProcess(stack, tmp / "daily.log", args.daily_concurrency, "daily,ops").start(),
               WorkerProcess(stack, tmp / "bulk.log", 1, "bulk").start()]
    beat, daily = Beat(stack, args.dispatch_interval), None
    try:
        beat.start()
        daily = DailyClients(stack, [_account(stack.engine, "B"), _account(stack.engine, "C")],
                             args.daily_batch, args.daily_every)
        daily.start()
        time.sleep(args.baseline)
        daily.phase = "backlog"
        a_principal, a_dossier = _account(stack.engine, "A")
        _, a_batch = seed_bulk(stack, a_principal.account_id, args.archive, dossier_id=a_dossier)
        a_received = utcnow()
        a_first, model_at_upload = _eta(stack, a_batch)
        time.sleep(args.late_after)
        d_principal, d_dossier = _account(stack.engine, "D")
        _, d_batch = seed_bulk(stack, d_principal.account_id, args.late_archive, dossier_id=d_dossier)
        d_received = utcnow()
        while _progress(stack.engine, a_batch)[0] < args.archive // 10:
            time.sleep(0.5)
        a_at_10, model_at_10 = _eta(stack, a_batch)
        at_10 = utcnow()
        _wait_done(stack.engine, a_batch)
        _wait_done(stack.engine, d_batch)
        _, _, _, a_end = _progress(stack.engine, a_batch)
        assert a_end is not None
        firsts = [_first_eta(a_first, a_received, a_end, model_at_upload)]
        firsts += [_later_archive(stack, a_principal.account_id, a_dossier, args.archive)
                   for _ in range(args.runs - 1)]
        daily.stop.set()
        daily.join()
        for _, batch_id in daily.batches:
            _wait_done(stack.engine, batch_id, 0.2)
        _, _, a_start, a_end = _progress(stack.engine, a_batch)
        _, _, d_start, d_end = _progress(stack.engine, d_batch)
        assert a_start and a_end and d_start and d_end
        baseline_ids = [b for p, b in daily.batches if p == "baseline"]
        backlog_ids = [b for p, b in daily.batches if p == "backlog"]
        base = _quantiles(_latencies(stack.engine, baseline_ids))
        loaded = _quantiles(_latencies(stack.engine, backlog_ids))
        actual = (a_end - a_received).total_seconds()
        d_dispatched = _first_dispatch(stack.engine, d_batch)
        archive_s = _mean_seconds(stack.engine, [a_batch])

        measured_errors = [abs(f["error"]) for f in firsts if f["basis"] == "measured"]  # type: ignore[arg-type]
        return {
            "archive_documents": args.archive, "late_archive_documents": args.late_archive,
            "daily_batch": args.daily_batch, "daily_every_s": args.daily_every, "bulk_window": args.window,
            "dispatch_interval_s": args.dispatch_interval,
            "workers": f"1 daily,ops (concurrency {args.daily_concurrency}) + 1 bulk (concurrency 1)",
            "vacuum_by_benchmark": beat.vacuum,
            "daily_latency_baseline_s": base, "daily_latency_with_backlog_s": loaded,
            "daily_latency_ratio_p50": round(loaded["p50"] / base["p50"], 3),
            "daily_latency_ratio_p99": round(loaded["p99"] / base["p99"], 3),
            "archive_a_actual_s": round(actual, 1),
            "eta_error_at_upload": firsts[0]["error"],
            "eta_error_at_10_percent": _error(a_at_10.eta, at_10, a_end),  # type: ignore[arg-type]
            "first_etas": firsts,
            "first_eta_worst_measured_error": max(measured_errors) if measured_errors else None,
            "eta_model_at_upload": model_at_upload, "eta_model_at_10_percent": model_at_10,
            "eta_model_archive_a_as_run": {"bulk_capacity": _archive_capacity(stack.engine, a_batch),
                                           "text_pdf_s": archive_s},
            "archive_a_docs_per_s": round(args.archive / actual, 2),
            "seconds_per_document": {"daily_baseline": _mean_seconds(stack.engine, baseline_ids),
                                     "daily_with_backlog": _mean_seconds(stack.engine, backlog_ids),
                                     "archive_a": archive_s},
            "late_archive_d_first_dispatched_after_s": round((d_dispatched - d_received).total_seconds(), 2),
            "late_archive_d_starts_after_s": round((d_start - d_received).total_seconds(), 2),
            "late_archive_d_finishes_after_s": round((d_end - d_received).total_seconds(), 1),
            "late_archive_d_finish_over_a_finish": round((d_end - a_received).total_seconds() / actual, 3),
        }
    finally:
        beat.stop.set()
        if daily is not None:
            daily.stop.set()
        for w in workers:
            w.stop()
        stack.engine.dispose()
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=int, default=20_000)
    parser.add_argument("--late-archive", type=int, default=1_000)
    parser.add_argument("--late-after", type=float, default=10.0)
    parser.add_argument("--daily-batch", type=int, default=50)
    parser.add_argument("--daily-every", type=float, default=10.0)
    parser.add_argument("--baseline", type=float, default=60.0)
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--dispatch-interval", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=1,
                        help="archives in turn (the first with D's beside it); later ones have bulk history")
    parser.add_argument("--daily-concurrency", type=int, default=1,
                        help="pool processes of the daily worker (the bulk worker has 1)")
    print(json.dumps(run(parser.parse_args()), indent=2))


if __name__ == "__main__":
    main()
