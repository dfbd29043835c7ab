"""The prober against the running app (a real uvicorn server), the beat task through a real
worker, and the imports (API and command line) with their idempotency, on both stacks."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import typer
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli.probes import probes_app
from ingest.availability.probes import measure_probes, run_probes
from ingest.availability.tables import PROBER_SOURCE, ProbeMeasurement
from ingest.platform.broker import celery_app, queue_name
from ingest.platform.settings import get_settings
from tests.integration.availability.test_availability_api import new_operator
from tests.integration.conftest import REPO, Stack, WorkerProcess, auth, wait_for
from tests.support.services import free_port


@pytest.fixture(scope="module")
def running_app(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API in its own uvicorn process on a free port, joined to the stack (one per module:
    starting it takes seconds)."""
    port = free_port()
    log = (tmp_path_factory.mktemp("api") / "api.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:app_factory", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=stack.env(), cwd=REPO, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(base + "/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            if proc.poll() is not None:
                raise AssertionError(f"the API server exited with {proc.returncode}") from None
            return False

    try:
        wait_for(up, timeout=60, what="the API server")
        yield base
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def rows(stack: Stack, source: str) -> list[ProbeMeasurement]:
    with Session(stack.engine) as session:
        stmt = select(ProbeMeasurement).where(ProbeMeasurement.source == source)
        return list(session.exec(stmt.order_by(ProbeMeasurement.at, ProbeMeasurement.probe)).all())


def test_the_prober_measures_the_running_app_and_stores_it(stack: Stack, running_app: str) -> None:
    at = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    measured = measure_probes(running_app, lambda: at, timeout=5)
    assert [(m.probe, m.at, m.status, m.ok) for m in measured] == [("ui", at, 200, True), ("api", at, 200, True)]
    later = at + timedelta(minutes=3)
    run_probes(stack.engine, running_app, 5, clock=lambda: later)
    stored = [r for r in rows(stack, PROBER_SOURCE) if r.at == later]
    assert sorted((r.probe, r.status) for r in stored) == [("api", 200), ("ui", 200)]
    assert all(r.latency_ms is not None and 0 < r.latency_ms < 1000 for r in stored)


def test_the_prober_stores_a_dead_port_as_no_response(stack: Stack) -> None:
    at = datetime(2025, 1, 6, 8, 6, tzinfo=UTC)
    run_probes(stack.engine, f"http://127.0.0.1:{free_port()}", 2, clock=lambda: at)
    stored = [r for r in rows(stack, PROBER_SOURCE) if r.at == at]
    assert sorted((r.probe, r.status, r.latency_ms) for r in stored) == [("api", None, None), ("ui", None, None)]


def test_the_beat_task_runs_on_a_real_worker(stack: Stack, running_app: str, tmp_path: Path) -> None:
    settings = stack.settings.model_copy(update={"probe_base_url": running_app})
    worker = WorkerProcess(dataclasses.replace(stack, settings=settings), tmp_path / "worker.log",
                           queues="ops").start()
    sent_at = datetime.now(UTC)
    try:
        celery_app(settings).send_task("bordereau.run_probes", queue=queue_name(settings, "ops"))

        def measured() -> bool:
            return len([r for r in rows(stack, PROBER_SOURCE) if r.at >= sent_at]) >= 2

        wait_for(measured, timeout=90, what=lambda: f"the worker's measurements\n{worker.log()}")
    finally:
        worker.stop()
    fresh = [r for r in rows(stack, PROBER_SOURCE) if r.at >= sent_at]
    assert sorted((r.probe, r.status) for r in fresh) == [("api", 200), ("ui", 200)]


def test_operators_import_measurements_once(client: TestClient, stack: Stack, firm: object) -> None:
    operator = auth(new_operator(stack).api_key)
    source = f"mon-{uuid.uuid4().hex[:6]}"
    body = [{"probe": "ui", "at": "2025-01-07T10:00:05+01:00", "status": 200, "latency_ms": 120.5},
            {"probe": "api", "at": "2025-01-07T09:00:05Z", "status": None, "latency_ms": None},
            {"probe": "ui", "at": "2025-01-07T09:03:05+00:00", "status": 200, "latency_ms": 1500}]
    first = client.post("/v1/probes/measurements", params={"source": source}, json=body, headers=operator)
    assert first.status_code == 200, first.text
    assert first.json() == {"received": 3, "stored": 3, "duplicates": 0}
    # The same instants written another way are the same measurements.
    again = [dict(body[0], at="2025-01-07T09:00:05+00:00"), *body[1:]]
    second = client.post("/v1/probes/measurements", params={"source": source}, json=again, headers=operator)
    assert second.json() == {"received": 3, "stored": 0, "duplicates": 3}
    listed = client.get("/v1/probes/measurements", params={"source": source}, headers=operator).json()
    assert listed["total"] == 3
    assert [(m["probe"], m["status"], m["ok"]) for m in listed["items"]] == [
        ("ui", 200, False), ("ui", 200, True), ("api", None, False)]  # newest first, 1.5 s is KO
    assert client.post("/v1/probes/measurements", json=body,
                       headers=firm.headers).status_code == 403  # type: ignore[attr-defined]
    reserved = client.post("/v1/probes/measurements", params={"source": "prober"}, json=body, headers=operator)
    assert reserved.status_code == 422 and reserved.json()["code"] == "reserved_source"


def test_the_deprecated_probe_name_is_stored_as_ui(client: TestClient, stack: Stack) -> None:
    operator = auth(new_operator(stack).api_key)
    source = f"mon-{uuid.uuid4().hex[:6]}"
    body = [{"probe": "ihm", "at": "2025-01-07T10:00:05+01:00", "status": 200, "latency_ms": 120.5}]
    assert client.post("/v1/probes/measurements", params={"source": source}, json=body,
                       headers=operator).json()["stored"] == 1
    listed = client.get("/v1/probes/measurements", params={"source": source}, headers=operator).json()
    assert [m["probe"] for m in listed["items"]] == ["ui"]


@pytest.mark.parametrize(("item", "where"), [
    ({"probe": "ui", "at": "2025-01-07T10:00:05", "status": 200, "latency_ms": 1}, "at"),
    ({"probe": "web", "at": "2025-01-07T10:00:05Z", "status": 200, "latency_ms": 1}, "probe"),
    ({"probe": "api", "at": "2025-01-07T10:00:05Z", "status": 200, "latency_ms": None}, "both"),
    ({"probe": "api", "at": "2025-01-07T10:00:05Z", "status": 99, "latency_ms": 3}, "status"),
])
def test_malformed_measurements_are_refused_whole(client: TestClient, stack: Stack, item: dict[str, object],
                                                  where: str) -> None:
    operator = auth(new_operator(stack).api_key)
    source = f"bad-{uuid.uuid4().hex[:6]}"
    good = {"probe": "api", "at": "2025-01-07T10:03:05Z", "status": 200, "latency_ms": 3}
    resp = client.post("/v1/probes/measurements", params={"source": source}, json=[good, item], headers=operator)
    assert resp.status_code == 422 and resp.json()["code"] == "invalid_request"
    assert where in resp.json()["detail"] and "1" in [str(x) for e in resp.json()["errors"] for x in e["loc"]]
    assert rows(stack, source) == []  # nothing of a refused request is kept


@pytest.fixture
def cli_env(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    """A standalone app mounting the probes commands, with the settings of the stack."""
    for name, value in stack.env().items():
        if name.startswith("BORDEREAU_"):
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    app = typer.Typer()
    app.add_typer(probes_app, name="probes")
    yield app
    get_settings.cache_clear()


def test_the_csv_import_command_is_idempotent(cli_env: typer.Typer, stack: Stack, tmp_path: Path) -> None:
    csv = tmp_path / "monitor.csv"
    csv.write_text("probe,at,status,latency_ms\n"
                   "ui,2025-01-08T09:00:10+01:00,200,95\n"
                   "api,2025-01-08T09:00:10+01:00,,\n"
                   "\n"
                   "api,2025-01-08T09:03:10+01:00,200,410.5\n")
    source = f"csv-{uuid.uuid4().hex[:6]}"
    runner = CliRunner()
    first = runner.invoke(cli_env, ["probes", "import", str(csv), "--source", source])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == '{"received": 3, "stored": 3, "duplicates": 0}'
    second = runner.invoke(cli_env, ["probes", "import", str(csv), "--source", source])
    assert second.output.strip() == '{"received": 3, "stored": 0, "duplicates": 3}'
    stored = rows(stack, source)
    assert [(r.probe, r.at, r.status) for r in stored] == [
        ("api", datetime(2025, 1, 8, 8, 0, 10, tzinfo=UTC), None),
        ("ui", datetime(2025, 1, 8, 8, 0, 10, tzinfo=UTC), 200),
        ("api", datetime(2025, 1, 8, 8, 3, 10, tzinfo=UTC), 200)]


@pytest.mark.parametrize(("lines", "message"), [
    (["ui,2025-01-08T09:00:10+01:00,200,95", "api,2025-01-08T09:00:10,200,95"], "line 3: 'at' has no UTC offset"),
    (["", "ui,2025-01-08T09:00:10+01:00,200,"], "line 3: 'status' and 'latency_ms' must both be empty"),
    (["sonde,2025-01-08T09:00:10+01:00,200,95"], "line 2: 'probe' must be ui or api"),
])
def test_the_csv_import_command_names_the_bad_line(cli_env: typer.Typer, stack: Stack, tmp_path: Path,
                                                   lines: list[str], message: str) -> None:
    csv = tmp_path / "monitor.csv"
    csv.write_text("\n".join(["probe,at,status,latency_ms", *lines]) + "\n")
    source = f"csv-{uuid.uuid4().hex[:6]}"
    result = CliRunner().invoke(cli_env, ["probes", "import", str(csv), "--source", source])
    assert result.exit_code == 2
    assert message in result.output
    assert rows(stack, source) == []
    with Session(stack.engine) as session:  # the file was refused before anything was written
        assert session.execute(sa.select(sa.func.count()).select_from(ProbeMeasurement)
                               .where(ProbeMeasurement.source == source)).scalar_one() == 0
