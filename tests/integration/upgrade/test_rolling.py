"""A rolling upgrade runs this release's workers beside the previous release's API and beat, and
the previous release's workers beside the next one's: task messages stay readable both ways for
one release. The previous release's messages are recorded in payloads_previous_release.json (made
from this release's code: for the next release, this one is the previous)."""

from __future__ import annotations

import inspect
import io
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ingest.accounts.lifecycle import create_account
from ingest.accounts.principal import Principal
from ingest.accounts.tables import Dossier
from ingest.intake.receive import Upload, receive_batch
from ingest.platform.broker import celery_app, publisher, queue_name
from ingest.platform.columns import utcnow
from ingest.platform.db import make_engine, migrate
from ingest.platform.models import Document
from ingest.platform.outbox import OutboxMessage, relay
from ingest.platform.schema_state import schema_status
from ingest.platform.settings import Settings
from ingest.resources import limits_from
from tests.integration.conftest import Stack, WorkerProcess, wait_for
from tests.support.files import text_pdf
from workers.app import beat_schedule, create_app

PREVIOUS = json.loads((Path(__file__).parent / "payloads_previous_release.json").read_text())["messages"]
# What the next release might add to a message; this release's workers must run the task without it.
FROM_THE_NEXT_RELEASE = {"added_by_the_next_release": "a value this release knows nothing of"}


def _tasks() -> dict[str, Any]:
    app = create_app(Settings(data_dir=Path("/nonexistent")))  # builds nothing: names and signatures only
    return {name: t for name, t in app.tasks.items() if name.startswith("bordereau.")}


def _strictly(task: Any) -> inspect.Signature:
    """The task function's own arguments, without the tolerance of unknown keywords."""
    return inspect.signature(inspect.unwrap(task.run))


def _filled(values: list[Any] | dict[str, Any], document_id: str) -> Any:
    fill: Callable[[Any], Any] = lambda v: v.format(document_id=document_id, lease_token=str(uuid.uuid4()))  # noqa: E731
    if isinstance(values, dict):
        return {k: fill(v) if isinstance(v, str) else v for k, v in values.items()}
    return [fill(v) if isinstance(v, str) else v for v in values]


def test_every_task_has_the_previous_release_messages() -> None:
    assert set(_tasks()) == {m["task"] for m in PREVIOUS}


@pytest.mark.parametrize("message", PREVIOUS, ids=lambda m: f"{m['task']}{sorted(m['kwargs'])}")
def test_a_previous_release_message_names_only_what_the_task_takes(message: dict[str, Any]) -> None:
    """Strictly: no argument of the previous release may be dropped or renamed within a release."""
    task = _tasks()[message["task"]]
    _strictly(task).bind(task, *message["args"], **message["kwargs"])


def test_what_beat_sends_now_binds_to_the_tasks() -> None:
    tasks = _tasks()
    for entry in beat_schedule(Settings(data_dir=Path("/nonexistent"))).values():
        _strictly(tasks[str(entry["task"])]).bind(None, *entry.get("args", ()), **entry.get("kwargs", {}))


@pytest.mark.parametrize("name", sorted({m["task"] for m in PREVIOUS}))
def test_a_next_release_keyword_is_accepted_by_every_task(name: str) -> None:
    task = _tasks()[name]
    args = next(m["args"] for m in PREVIOUS if m["task"] == name)
    task.__header__(*args, **FROM_THE_NEXT_RELEASE)  # what Celery checks before sending


def test_an_api_of_the_previous_release_restarting_on_a_newer_schema_starts(stack: Stack,
                                                                            empty_database: str) -> None:
    """Here this release plays the previous one: its schema is stamped with a revision it does not know."""
    from fastapi.testclient import TestClient

    from api.app import create_app as create_api

    migrate(empty_database)
    engine = make_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099_later'"))
    engine.dispose()
    settings = stack.settings.model_copy(update={"database_url": empty_database})
    with TestClient(create_api(settings)) as client:  # migrates at start
        ready = client.get("/readyz")
    assert ready.json()["checks"]["database"] == "ok"
    assert schema_status(empty_database).database == ("0099_later",)


def _documents(stack: Stack, count: int) -> list[str]:
    """A daily batch received the way the API receives one: documents queued, outbox rows pending."""
    with Session(stack.engine) as session:
        acc = create_account(session, "Cabinet Roulant", "firm", f"{uuid.uuid4().hex[:8]}@rolling.test")
        dossier = Dossier(account_id=acc.account_id, name="SAS Roulement")
        session.add(dossier)
        session.commit()
        principal, dossier_id = Principal(acc.user_id, acc.account_id, "admin"), dossier.id
    uploads = [Upload(f"f{n}.pdf", io.BytesIO(text_pdf(f"Facture R-{n}\nTotal TTC {n}0,00 EUR"))) for n in range(count)]
    receipt = receive_batch(stack.engine, stack.store, limits_from(stack.settings), principal, dossier_id, uploads)
    return [d.id for d in receipt.documents]


def _hand_over(engine: Engine, document_ids: list[str]) -> None:
    """Their outbox rows as published: the test sends their messages itself, as another release would."""
    with Session(engine) as session:
        for row in session.exec(select(OutboxMessage).where(col(OutboxMessage.document_id).in_(document_ids))):
            row.published_at = utcnow()
            session.add(row)
        session.commit()


def _states(engine: Engine, ids: list[str]) -> dict[str, str]:
    with Session(engine) as session:
        return {d.id: d.state for d in session.exec(select(Document).where(col(Document.id).in_(ids)))}


def test_this_release_workers_run_old_current_and_next_release_messages(stack: Stack, tmp_path: Path) -> None:
    from cli.serve import declare_queues

    current, previous, previous_retry, following = _documents(stack, 4)
    declare_queues(create_app(stack.settings))  # as a worker does at start: nothing sent is unroutable
    _hand_over(stack.engine, [previous, previous_retry, following])
    app = celery_app(stack.settings)
    assert relay(stack.engine, publisher(app, stack.settings)) == 1  # this release's own outbox row
    (plain, retried) = (m for m in PREVIOUS if m["task"] == "bordereau.process_document")
    daily = queue_name(stack.settings, "daily")
    for document_id, message, extra in ((previous, plain, {}), (previous_retry, retried, {}),
                                        (following, plain, FROM_THE_NEXT_RELEASE)):
        app.send_task(message["task"], args=_filled(message["args"], document_id),
                      kwargs={**_filled(message["kwargs"], document_id), **extra}, queue=daily)
    ids = [current, previous, previous_retry, following]
    worker = WorkerProcess(stack, tmp_path / "worker.log").start()
    try:
        wait_for(lambda: set(_states(stack.engine, ids).values()) == {"processed"}, 120,
                 what=f"every message run (in order: {ids}); see {worker.log_path}")
    finally:
        worker.stop()
    log = worker.log_path.read_text(errors="replace")
    assert "TypeError" not in log
    assert "added_by_the_next_release" in log  # said, not silently dropped
