"""Daily flow and bulk archive end to end, on both stacks: classification, priority, ETAs, SLA."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.app import create_app as create_api
from ingest.accounts.lifecycle import NewAccount, create_operator
from ingest.flow.classification import reclassify_open_batches
from ingest.flow.dispatch import dispatch_round
from ingest.flow.sla import SAMPLE_DOCUMENTS, recompute
from ingest.flow.tables import DispatchCursor, FlowChange, SlaBreach
from ingest.platform import outbox
from ingest.platform.broker import celery_app, publisher
from ingest.platform.columns import utcnow
from ingest.platform.models import Batch, Document, DocumentState
from tests.integration.api.test_api import post_batch
from tests.integration.conftest import Firm, Stack, WorkerProcess, auth, stop_all, wait_for
from tests.integration.flow.test_dispatch import empty_pipe, seed_bulk  # noqa: F401 (fixture)
from tests.support.files import text_pdf, zip_of

MARGIN = timedelta(hours=6)


def refresh(stack: Stack) -> None:
    recompute(stack.engine, margin=MARGIN, fallback_concurrency=2)


def test_small_batch_of_a_new_dossier_is_daily_with_its_due_time(client: TestClient, firm: Firm) -> None:
    body = post_batch(client, firm, [("a.pdf", text_pdf()), ("b.pdf", text_pdf("Facture 2"))]).json()
    assert body["flow"] == "daily" and body["flow_decision"]["reason"] == "new_dossier_floor"
    # The names of the previous release, deprecated, for one release:
    assert (body["flow_code"], body["flow_reason"]) == (body["flow_decision"]["reason"],
                                                        body["flow_decision"]["message"])
    assert "2 documents, within the 200 taken as daily" in body["flow_decision"]["message"]
    received = body["received_at"]
    got = client.get(f"/v1/batches/{body['id']}", headers=firm.headers).json()
    assert got["due_at"] is not None and got["sla_state"] == "on_track"
    due = datetime.fromisoformat(got["due_at"]) - datetime.fromisoformat(received)
    assert due == timedelta(hours=48)
    assert got["eta"] is not None and got["eta_computed_at"] is not None
    assert got["expected_at"] == got["eta"]  # the deprecated name, for one release
    assert {d["state"] for d in got["documents"]} == {"queued"}


def test_declared_daily_never_overrides_bulk_and_bulk_waits_for_the_dispatcher(
        client: TestClient, firm: Firm, empty_pipe: None) -> None:  # noqa: F811
    archive = zip_of({f"lot/{i:03d}.pdf": text_pdf(f"Facture {i}") for i in range(201)})
    body = post_batch(client, firm, [("lot.zip", archive)], flow="daily").json()
    assert body["flow"] == "bulk" and body["flow_decision"]["reason"] == "above_new_dossier_floor"
    assert body["flow_decision"]["message"].startswith("declared daily, but 201 documents")
    assert body["due_at"] is None and body["sla_state"] is None
    assert body["eta"] is not None and body["eta_computed_at"] is not None
    declared = post_batch(client, firm, [("x.pdf", text_pdf())], flow="bulk").json()
    assert declared["flow"] == "bulk" and declared["flow_decision"]["reason"] == "declared_bulk"
    listed = client.get("/v1/batches", headers=firm.headers).json()["items"]
    assert {b["id"]: b["flow_decision"]["reason"] for b in listed}[declared["id"]] == "declared_bulk"


def test_an_upload_sent_in_batches_is_classified_as_a_whole(
        client: TestClient, firm: Firm, empty_pipe: None) -> None:  # noqa: F811
    # As `bordereau upload` sends a folder of 250 files: 100 at a time, each saying the total.
    # The dossier is new: daily up to 200, so every part is bulk, though none exceeds 200.
    for part, size in enumerate((100, 100, 50)):
        files = [(f"p{part}-{i:03d}.pdf", text_pdf(f"Facture {part}-{i}")) for i in range(size)]
        body = post_batch(client, firm, files, upload_total="250").json()
        assert (body["flow"], body["flow_decision"]["reason"]) == ("bulk", "above_new_dossier_floor"), body
        assert body["flow_decision"]["message"].startswith(f"250 documents in this upload ({size} in this batch)")
    # Without the total, the same small batch is daily.
    alone = post_batch(client, firm, [("alone.pdf", text_pdf("Facture A"))]).json()
    assert alone["flow"] == "daily"
    for bad in ("0", "many"):
        resp = post_batch(client, firm, [("x.pdf", text_pdf())], upload_total=bad)
        assert (resp.status_code, resp.json()["code"]) == (422, "invalid_upload_total")


def test_a_bulk_worker_yields_the_cpu_to_daily_work(stack: Stack, tmp_path: Path) -> None:
    bulk = WorkerProcess(stack, tmp_path / "bulk.log", concurrency=1, queues="bulk").start()
    daily = WorkerProcess(stack, tmp_path / "daily.log", concurrency=1, queues="daily,ops").start()
    try:
        def nice(w: WorkerProcess) -> int:
            assert w.proc is not None
            stat = Path(f"/proc/{w.proc.pid}/stat").read_text()
            return int(stat[stat.rindex(")") + 2:].split()[16])  # field 19: nice
        ours = os.nice(0)  # workers start with the niceness of this process
        wanted = min(19, ours + stack.settings.bulk_worker_nice)
        wait_for(lambda: nice(bulk) == wanted, 30, what="the bulk worker's niceness")
        assert nice(daily) == ours
    finally:
        stop_all((bulk, daily))


def _bulk_progress(stack: Stack, batch_id: str) -> dict[str, int]:
    with Session(stack.engine) as session:
        rows = session.exec(select(Document.state, sa.func.count()).where(Document.batch_id == batch_id)
                            .group_by(Document.state)).all()
    return dict(rows)


def test_a_daily_batch_goes_before_a_5000_document_backlog(
        stack: Stack, firm: Firm, account_factory: Callable[..., NewAccount],
        tmp_path: Path, empty_pipe: None) -> None:  # noqa: F811
    # Queues of its own: no message left by an earlier test sits ahead in the bulk queue.
    settings = stack.settings.model_copy(update={"queue_prefix": f"t{uuid.uuid4().hex[:8]}."})
    stack = Stack(stack.name, settings, stack.engine, stack.store)
    _, backlog = seed_bulk(stack, account_factory("Archives SA").account_id, 5000)
    window = settings.bulk_window
    publish = publisher(celery_app(settings), settings)
    stop = threading.Event()

    def dispatcher() -> None:  # what beat does: a dispatch round and an outbox relay, again and again
        while not stop.wait(0.5):
            dispatch_round(stack.engine, window)
            outbox.relay(stack.engine, publish)

    daily_w = WorkerProcess(stack, tmp_path / "daily.log", concurrency=1, queues="daily,ops").start()
    bulk_w = WorkerProcess(stack, tmp_path / "bulk.log", concurrency=1, queues="bulk").start()
    loop = threading.Thread(target=dispatcher, daemon=True)
    loop.start()
    try:
        with TestClient(create_api(settings)) as client:
            _daily_behind_backlog(stack, client, firm, backlog)
        progress = _bulk_progress(stack, backlog)
    finally:
        stop.set()
        loop.join()
        stop_all((daily_w, bulk_w))
    # The backlog did not move on: at most what was in flight (under two windows) got through.
    assert progress.get("processed", 0) < 2 * window, (progress, bulk_w.log())
    assert progress.get("queued", 0) + progress.get("processing", 0) < 2 * window
    assert progress.get("received", 0) > 5000 - 3 * window


def test_rounds_chain_while_an_archive_waits_and_stop_when_it_is_dispatched(
        stack: Stack, firm: Firm, tmp_path: Path, empty_pipe: None) -> None:  # noqa: F811
    # No beat: the upload starts the first round, each round books the next while documents wait.
    settings = stack.settings.model_copy(update={"queue_prefix": f"t{uuid.uuid4().hex[:8]}.",
                                                 "dispatch_interval": 1.0, "bulk_window": 10})
    stack = Stack(stack.name, settings, stack.engine, stack.store)
    env = {"BORDEREAU_DISPATCH_INTERVAL": "1", "BORDEREAU_BULK_WINDOW": "10"}
    workers = [WorkerProcess(stack, tmp_path / "ops.log", concurrency=1, queues="daily,ops", env=env).start(),
               WorkerProcess(stack, tmp_path / "bulk.log", concurrency=1, queues="bulk", env=env).start()]
    try:
        for w in workers:
            w.ready()  # the first round, due in a second, expires two seconds later: no beat would restart it
        with TestClient(create_api(settings)) as client:
            files = [(f"a{i:02d}.pdf", text_pdf(f"Facture CH-{i}")) for i in range(40)]
            body = post_batch(client, firm, files, flow="bulk").json()
            assert body["flow"] == "bulk"
            wait_for(lambda: client.get(f"/v1/batches/{body['id']}", headers=firm.headers).json()["state"] == "done",
                     180, what=lambda: f"the archive, dispatched by chained rounds:\n{workers[0].log()}")
        # A round booked while the last documents still waited may run once more, and book nothing.
        wait_for(lambda: _dispatch_cursor(stack).next_round_at is None
                 or _dispatch_cursor(stack).next_round_at < utcnow() - timedelta(seconds=2), 30,  # type: ignore[operator]
                 what="the last booked round")
        rounds = _dispatch_cursor(stack).rounds
        time.sleep(3)  # three intervals: no round runs once nothing waits
        assert _dispatch_cursor(stack).rounds == rounds
    finally:
        stop_all(workers)


def _dispatch_cursor(stack: Stack) -> DispatchCursor:
    with Session(stack.engine) as session:
        cursor = session.get(DispatchCursor, "bulk")
        assert cursor is not None
        return cursor


def _daily_behind_backlog(stack: Stack, client: TestClient, firm: Firm, backlog: str) -> None:
    # An idle embedded worker polls once a second: a few documents show the backlog moving.
    wait_for(lambda: _bulk_progress(stack, backlog).get("processed", 0) >= 5, 120,
             what="the backlog to start moving")
    daily = post_batch(client, firm, [(f"d{i}.pdf", text_pdf(f"Facture {i}")) for i in range(5)]).json()
    assert daily["flow"] == "daily"
    wait_for(lambda: client.get(f"/v1/batches/{daily['id']}", headers=firm.headers).json()["state"] == "done",
             120, what="the daily batch")


def _processed_sample(stack: Stack, account_id: str, dossier_id: str, seconds: float, n: int,
                      now: datetime, kind: str = "pdf") -> datetime:
    """`n` processed text PDFs (or scans: `kind="png"`) of `seconds` each, back to back on one
    worker, ending at `now`."""
    with Session(stack.engine) as session:
        batch = Batch(account_id=account_id, dossier_id=dossier_id, flow="bulk", received_at=now,
                      finished_at=now, flow_reason="declared_bulk", flow_message="samples")
        session.add(batch)
        session.flush()
        ends = [now - timedelta(seconds=seconds * (n - 1 - i)) for i in range(n)]
        session.execute(sa.insert(Document), [  # one statement: a full window is thousands of rows
            dict(id=str(uuid.uuid4()), account_id=account_id, dossier_id=dossier_id, batch_id=batch.id,
                 filename=f"s{i}.{kind}", kind=kind, sha256="0" * 64, size=1, object_key="k",
                 state=DocumentState.processed.value, attempts=0, text_chars=500 if kind == "pdf" else None,
                 received_at=now,
                 started_at=end - timedelta(seconds=seconds), finished_at=end) for i, end in enumerate(ends)])
        session.commit()
    return now


def test_eta_follows_the_measured_throughput(
        stack: Stack, client: TestClient, firm: Firm, empty_pipe: None) -> None:  # noqa: F811
    dossier, batch_id = seed_bulk(stack, firm.account.account_id, 400, dossier_id=firm.dossier_id)
    account = firm.account.account_id
    # A full window of the newest bulk completions (newer than other tests'), back to back.
    window = SAMPLE_DOCUMENTS
    fast_end = _processed_sample(stack, account, dossier, 0.5, window, utcnow() + timedelta(seconds=window))
    refresh(stack)
    fast = client.get(f"/v1/batches/{batch_id}", headers=firm.headers).json()
    # The machine slowed down four times.
    _processed_sample(stack, account, dossier, 2.0, window, fast_end + timedelta(seconds=2 * window))
    refresh(stack)
    slow = client.get(f"/v1/batches/{batch_id}", headers=firm.headers).json()
    assert fast["eta"] and slow["eta"] and slow["eta_computed_at"] > fast["eta_computed_at"]
    ahead = [datetime.fromisoformat(b["eta"]) - datetime.fromisoformat(b["eta_computed_at"]) for b in (fast, slow)]
    # 400 documents on one worker: 200 s at 0.5 s, 800 s at 2 s.
    assert ahead[0] == pytest.approx(timedelta(seconds=200), abs=timedelta(seconds=5))
    assert ahead[1] == pytest.approx(timedelta(seconds=800), abs=timedelta(seconds=20))
    # Costed on bulk's own recent documents, at its own pace: a point, not a range.
    assert (slow["eta_basis"], slow["eta_earliest"], slow["eta_latest"]) == ("measured", None, None)


def test_scans_of_an_older_archive_cost_new_scans_when_text_pdfs_filled_the_window(
        stack: Stack, client: TestClient, firm: Firm, empty_pipe: None) -> None:  # noqa: F811
    dossier, batch_id = seed_bulk(stack, firm.account.account_id, 100, dossier_id=firm.dossier_id)
    with Session(stack.engine) as session:  # an archive of scanned images, waiting
        session.execute(sa.update(Document).where(Document.batch_id == batch_id).values(kind="png"))
        session.commit()
    account = firm.account.account_id
    # An archive of 30 scans at 3 s each, then a full window of text PDFs; a year after every other
    # test's documents, so that their scans (weighted by age) count for nothing.
    later = utcnow() + timedelta(days=365)
    try:
        scans_end = _processed_sample(stack, account, dossier, 3.0, 30, later, kind="png")
        _processed_sample(stack, account, dossier, 0.1, SAMPLE_DOCUMENTS, scans_end + timedelta(seconds=600))
        recompute(stack.engine, margin=MARGIN, fallback_concurrency=2, now=later + timedelta(seconds=600))
        got = client.get(f"/v1/batches/{batch_id}", headers=firm.headers).json()
    finally:  # next year's documents would be every later test's newest measurements
        with Session(stack.engine) as session:
            session.execute(sa.delete(Document).where(col(Document.finished_at) >= later - timedelta(hours=1)))
            session.commit()
    # 100 scans at 3 s on the pool of one the window ran on: 300 s, not the prior's 2,000.
    ahead = datetime.fromisoformat(got["eta"]) - datetime.fromisoformat(got["eta_computed_at"])
    assert ahead == pytest.approx(timedelta(seconds=300), abs=timedelta(seconds=10))
    assert got["eta_basis"] == "measured" and got["eta_earliest"] is None


def _daily_batch(client: TestClient, firm: Firm, files: int) -> str:
    resp = post_batch(client, firm, [(f"f{i}.pdf", text_pdf(f"Facture {i}")) for i in range(files)])
    assert resp.json()["flow"] == "daily"
    return resp.json()["id"]


def test_a_daily_batch_past_due_is_breached_recorded_and_listed(
        stack: Stack, client: TestClient, firm: Firm, account_factory: Callable[..., NewAccount]) -> None:
    batch_id = _daily_batch(client, firm, 3)
    with Session(stack.engine) as session:  # received 47 hours ago, then 49
        batch = session.get(Batch, batch_id)
        assert batch is not None
        batch.received_at, batch.due_at = utcnow() - timedelta(hours=47), utcnow() + timedelta(hours=1)
        session.add(batch)
        session.commit()
    refresh(stack)
    listed = client.get("/v1/sla/daily", headers=firm.headers).json()
    assert {b["id"]: b["sla_state"] for b in listed["items"]}[batch_id] == "at_risk"
    with Session(stack.engine) as session:
        session.execute(sa.update(Batch).where(Batch.id == batch_id).values(due_at=utcnow() - timedelta(hours=1)))
        session.commit()
    refresh(stack)
    mine = client.get("/v1/sla/daily?state=breached", headers=firm.headers).json()["items"]
    assert [(b["id"], b["late_documents"]) for b in mine] == [(batch_id, 3)]
    other = account_factory("Other")
    assert client.get("/v1/sla/daily", headers=auth(other.api_key)).json()["total"] == 0
    with Session(stack.engine) as session:
        operator = create_operator(session, f"op-{uuid.uuid4().hex[:6]}@example.test")
        assert len(session.exec(select(SlaBreach).where(SlaBreach.batch_id == batch_id)).all()) == 3
    every = client.get("/v1/sla/daily?limit=500", headers=auth(operator.api_key)).json()["items"]
    assert batch_id in {b["id"] for b in every}
    assert client.get("/metrics").status_code == 401  # every account's figures: operators only
    assert client.get("/metrics", headers=firm.headers).status_code == 403
    metrics = client.get("/metrics", headers=auth(operator.api_key)).text
    assert 'bordereau_daily_batches{sla_state="breached"}' in metrics
    assert "bordereau_daily_on_time_ratio" in metrics and "bordereau_sla_breached_documents" in metrics


def test_a_finished_daily_batch_is_met(stack: Stack, client: TestClient, firm: Firm) -> None:
    batch_id = _daily_batch(client, firm, 2)
    with Session(stack.engine) as session:
        session.execute(sa.update(Document).where(Document.batch_id == batch_id)
                        .values(state=DocumentState.processed, finished_at=utcnow()))
        session.commit()
    refresh(stack)
    got = client.get(f"/v1/batches/{batch_id}", headers=firm.headers).json()
    assert got["sla_state"] == "met" and got["finished_at"] is not None


def test_invoice_dates_spanning_months_move_a_daily_batch_to_bulk(
        stack: Stack, client: TestClient, firm: Firm) -> None:
    batch_id = _daily_batch(client, firm, 24)
    with Session(stack.engine) as session:
        docs = session.exec(select(Document).where(Document.batch_id == batch_id)).all()
        for i, doc in enumerate(docs):
            doc.invoice_date = date(2025, 1, 10) + timedelta(days=12 * i)  # as processing records it
            session.add(doc)
        session.commit()
    changes = reclassify_open_batches(stack.engine, utcnow())
    assert batch_id in {c.batch_id for c in changes}
    got = client.get(f"/v1/batches/{batch_id}", headers=firm.headers).json()
    assert got["flow"] == "bulk" and got["flow_decision"]["reason"] == "spans_months"
    assert got["reclassified_at"] is not None and got["due_at"] is None
    assert "invoices dated from January 2025" in got["flow_decision"]["message"]
    with Session(stack.engine) as session:
        change = session.exec(select(FlowChange).where(FlowChange.batch_id == batch_id)).one()
        assert change.from_flow == "daily" and change.previous_due_at is not None
    assert batch_id not in {c.batch_id for c in reclassify_open_batches(stack.engine, utcnow())}
