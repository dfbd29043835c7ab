"""The load-and-fault benchmark's scenario, small: clients upload while workers are killed (and, on the
real services, the object store goes away and the database drops its connections). Once every
document is final: none lost, none counted twice, every stored byte identical, none failed.
(``tests/bench/bench_load.py`` runs it at size and measures it.)"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlmodel import Session

from ingest.accounts.lifecycle import create_account
from ingest.platform.db import make_engine, migrate
from ingest.platform.settings import Settings
from ingest.store import open_store
from tests.integration.conftest import ApiProcess, Firm, Stack, WorkerProcess, auth, stop_all, wait_for
from tests.support import services
from tests.support.faults import Gate
from tests.support.load import BeatStandIn, Tally, Uploader, account_of_every_file, invoice_pool, unfinished

# On the embedded broker Celery's prefork pool feeds its children through one queue guarded by a
# lock shared between them (billiard's Pool: the transport has no event loop for the per-child pipes
# the RabbitMQ pool uses). A child killed by SIGKILL while it holds that lock leaves it held for good:
# the other children wait on it forever and the worker stops taking work until it is restarted
# (Celery issue #2011; seen here in py-spy dumps, both children in SemLock.__enter__ under
# SimpleQueue.get_payload). Nothing is lost (the messages come back when the worker stops), but
# nothing moves, so the scenario kills a pool child on the real services only. README, "Delivery
# guarantees", says so.
KNOWN_LIMIT = "a pool child killed on the embedded broker wedges its worker"


def test_nothing_is_lost_through_the_faults(stack: Stack, firm_factory: Callable[..., Firm], tmp_path: Path) -> None:
    if stack.name == "embedded":
        # A stack of its own: the session's embedded broker holds the messages earlier tests left, and
        # its beat stand-in would hand out every earlier test's unfinished document too.
        stack = _own_embedded_stack(tmp_path)
    gate = None
    env: dict[str, str] = {"BORDEREAU_TRANSIENT_RETRY_HORIZON": "4"}
    if stack.name == "services":
        gate = Gate(*services.host_port(stack.settings.s3_endpoint))
        gate.open()
        env["BORDEREAU_S3_ENDPOINT"] = f"http://127.0.0.1:{gate.port}"
    api = ApiProcess(stack, tmp_path / "api.log", env).start()
    firms = [_firm(stack, api.url, f"Load {i}") for i in range(2)]
    workers = [WorkerProcess(stack, tmp_path / "w1.log", 2, "daily,bulk,ops", env).start(),
               WorkerProcess(stack, tmp_path / "w2.log", 1, "daily,bulk,ops", env).start()]
    stop, beat_stop, tally = threading.Event(), threading.Event(), Tally()
    beat = BeatStandIn(stack.settings, stack.engine, stack.store, beat_stop, interval=1.0)
    beat.start()
    pool = invoice_pool(60)
    uploaders = [Uploader(api.url, firms[i % 2].headers, firms[i % 2].dossier_id, pool, tally, stop, max_batch=5,
                          seed=i) for i in range(4)]
    try:
        for u in uploaders:
            u.start()
        time.sleep(3)
        if stack.name == "services":  # see KNOWN_LIMIT
            _kill_a_pool_child(workers[0])
        time.sleep(2)
        workers[1].stop(signal.SIGKILL)  # the whole worker, mid-task
        workers[1].start()
        if gate is not None:
            gate.cut()
            time.sleep(5)
            gate.open()
            with stack.engine.connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
                conn.commit()
        time.sleep(3)
        stop.set()
        for u in uploaders:
            u.join(60)
        try:
            wait_for(lambda: unfinished(stack.engine, list(tally.accepted)) == 0, 240, interval=1,
                     what="every document final")
        except AssertionError as timed_out:
            raise AssertionError(f"{timed_out}; still unfinished:\n{_unfinished(stack, tally)}\n"
                                 f"{workers[0].log()}\n{workers[1].log()}") from None
    finally:
        stop.set()
        beat_stop.set()
        stop_all((api, *workers))
        if gate is not None:
            gate.cut()
    account = account_of_every_file(stack.engine, stack.store, tally)
    assert account["accepted_documents"] > 0
    assert (account["lost"], account["counted_twice"], account["stored_files_differing"]) == (0, 0, 0), account
    assert account["states"].get("failed", 0) == 0, account
    assert account["counted"] == account["processed_originals"], account
    assert tally.server_errors == sum(n for s, n in tally.statuses.items() if s == 503), tally.statuses


def _unfinished(stack: Stack, tally: Tally) -> str:
    """The documents not final, with what says why: their state, lease and attempts."""
    with stack.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, state, reason, leased_by, lease_until, attempts, queued_at "
                                    "FROM documents WHERE state NOT IN ('processed', 'rejected', 'failed')")).all()
    return "\n".join(str(tuple(row)) for row in rows if row.id in tally.accepted)


def _kill_a_pool_child(worker: WorkerProcess) -> None:
    assert worker.proc is not None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = subprocess.run(["pgrep", "-P", str(worker.proc.pid)], capture_output=True,
                                  text=True).stdout.split()
        if children:
            os.kill(int(children[0]), signal.SIGKILL)
            return
        time.sleep(0.2)


def _own_embedded_stack(tmp_path: Path) -> Stack:
    settings = Settings(data_dir=tmp_path / "data", queue_prefix=f"f{uuid.uuid4().hex[:8]}.")
    migrate(settings.effective_database_url())
    return Stack("embedded", settings, make_engine(settings.effective_database_url()), open_store(settings))


def _firm(stack: Stack, url: str, name: str) -> Firm:
    with Session(stack.engine) as session:
        account = create_account(session, name, "firm", f"{uuid.uuid4().hex[:8]}@load.test")
    headers = auth(account.api_key)
    dossier = httpx.post(f"{url}/v1/dossiers", json={"name": f"{name} dossier"}, headers=headers)
    assert dossier.status_code == 201, dossier.text
    return Firm(account, dossier.json()["id"], headers)
