"""Quorum queues (``BORDEREAU_QUEUE_TYPE=quorum``, the Kubernetes deployment) on the real RabbitMQ:
a worker consumes daily, bulk and ops work, the delayed dispatch rounds included, in a virtual host
of its own that this test makes and deletes. Quorum queues need RabbitMQ, so there is no embedded
run of it; the embedded broker's refusal is tested in tests/unit/platform/test_queue_type.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app as create_api
from ingest.accounts.lifecycle import create_account
from ingest.platform.db import make_engine, migrate
from ingest.platform.models import Document
from ingest.platform.settings import Settings
from ingest.store import open_store
from tests.integration.api.test_api import post_batch
from tests.integration.conftest import REPO, Firm, Stack, WorkerProcess, auth, wait_for
from tests.support import services
from tests.support.files import text_pdf

BULK_DOCUMENTS = 5
DEFINITIONS = REPO / "infra" / "rabbitmq" / "definitions.json"


def rabbitmqctl(*args: str) -> str:
    done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"rabbitmqctl {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


@pytest.fixture
def vhost() -> Iterator[str]:
    """A fresh RabbitMQ virtual host the test broker's user may use; deleted afterwards."""
    services.rabbitmq_url()  # fails under CI, skips elsewhere, when RabbitMQ is away
    if shutil.which("rabbitmqctl") is None:
        services.unavailable("rabbitmqctl", "it is not on PATH (the server's own package installs it)")
    name = f"bordereau-q-{uuid.uuid4().hex[:8]}"
    user = urlparse(services.rabbitmq_url()).username or "guest"
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        yield name
    finally:
        rabbitmqctl("delete_vhost", name)


@pytest.fixture
def quorum_stack(vhost: str, tmp_path: Path) -> Iterator[Stack]:
    base, drop = services.services_settings(tmp_path)
    url = urlparse(base.broker_url)
    fields = {**base.model_dump(), "broker_url": urlunparse(url._replace(path=f"/{vhost}")),
              "queue_type": "quorum", "queue_prefix": "",
              # Two bulk documents a round and a round a second: five documents need booked rounds,
              # the delayed tasks, since no beat runs here to stand in for them.
              "bulk_window": 2, "dispatch_interval": 1.0}
    settings = Settings(**fields)
    migrate(settings.effective_database_url())
    store = open_store(settings)
    store.ensure_bucket()  # type: ignore[attr-defined]  # the S3 store of services_settings
    engine = make_engine(settings.effective_database_url())
    yield Stack("services", settings, engine, store)
    engine.dispose()
    drop()


def import_definitions(vhost: str) -> None:
    """infra/rabbitmq/definitions.json's exchanges, queues and bindings, into the test's vhost (its
    user and vhost entries are the deployment's, not the test server's)."""
    definitions = json.loads(DEFINITIONS.read_text())
    kept = {key: definitions[key] for key in ("exchanges", "queues", "bindings")}
    for entry in (e for entries in kept.values() for e in entries):
        entry["vhost"] = vhost
    # Readable by all: rabbitmqctl may run as the server's user, who cannot read pytest's folders.
    with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
        json.dump(kept, file)
        file.flush()
        os.chmod(file.name, 0o644)
        rabbitmqctl("import_definitions", file.name)


def queue_types(vhost: str) -> dict[str, str]:
    lines = rabbitmqctl("list_queues", "-p", vhost, "name", "type", "--no-table-headers").splitlines()
    return dict(line.split("\t")[:2] for line in lines if "\t" in line)


def states(stack: Stack, batch_id: str) -> list[str]:
    with Session(stack.engine) as session:
        return [d.state for d in session.exec(select(Document).where(Document.batch_id == batch_id))]


def test_a_worker_on_quorum_queues_runs_daily_bulk_and_delayed_ops_work(
        quorum_stack: Stack, vhost: str, tmp_path: Path) -> None:
    # The queues exist as the definitions file made them: RabbitMQ refuses (PRECONDITION_FAILED) a
    # worker whose declarations differ in any argument, and the worker stops.
    import_definitions(vhost)
    assert set(queue_types(vhost)) == {"daily", "bulk", "ops", "dead"}
    worker = WorkerProcess(quorum_stack, tmp_path / "worker.log", concurrency=2).start()
    try:
        # The worker declares our queues and Celery's delay queues and exchanges at start; the API
        # publishes its delayed dispatch through them.
        wait_for(lambda: {"daily", "bulk", "ops", "dead", "celery_delayed_0"} <= set(queue_types(vhost)),
                 90, interval=1, what=lambda: f"the worker's declarations; log:\n{worker.log()}")
        wait_for(lambda: " ready." in worker.log_path.read_text(errors="replace"), 60,
                 what=lambda: f"the worker to be ready; log:\n{worker.log()}")
        types = queue_types(vhost)
        assert {types[q] for q in ("daily", "bulk", "ops", "dead")} == {"quorum"}, types

        with Session(quorum_stack.engine) as session:
            account = create_account(session, "Cabinet Quorum", "firm", f"{uuid.uuid4().hex[:8]}@example.test")
        with TestClient(create_api(quorum_stack.settings)) as client:
            made = client.post("/v1/dossiers", json={"name": "SARL Quorum"}, headers=auth(account.api_key))
            assert made.status_code == 201, made.text
            firm = Firm(account, made.json()["id"], auth(account.api_key))
            daily = post_batch(client, firm, [("d.pdf", text_pdf("Facture D-1"))]).json()
            bulk = post_batch(client, firm, [(f"b{i}.pdf", text_pdf(f"Facture B-{i}"))
                                             for i in range(BULK_DOCUMENTS)], flow="bulk").json()
        assert (daily["flow"], bulk["flow"]) == ("daily", "bulk")

        wait_for(lambda: states(quorum_stack, daily["id"]) == ["processed"], 90,
                 what=lambda: f"the daily document; log:\n{worker.log()}")
        wait_for(lambda: states(quorum_stack, bulk["id"]) == ["processed"] * BULK_DOCUMENTS, 120,
                 what=lambda: f"every bulk document, over several delayed rounds; log:\n{worker.log()}")
        log = worker.log_path.read_text(errors="replace")
        # The rounds after the upload's came as delayed ops tasks: two documents a round.
        assert log.count("bordereau.dispatch_bulk") >= 2, worker.log()
        assert "Direct exchanges are not supported" not in log
        assert "PRECONDITION_FAILED" not in log
    finally:
        worker.stop()
