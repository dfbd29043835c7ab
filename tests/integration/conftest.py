"""The two stacks every integration test runs on, and helpers to drive them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.accounts.lifecycle import NewAccount, create_account, create_operator
from ingest.platform.db import make_engine, migrate
from ingest.platform.settings import Settings
from ingest.store import ObjectStore, open_store
from tests.support import services

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Stack:
    name: str
    settings: Settings
    engine: Engine
    store: ObjectStore

    def env(self) -> dict[str, str]:
        """The environment a separate process (a worker) needs to join this stack."""
        return services.settings_env(self.settings)


@pytest.fixture(scope="session", params=["embedded", "services"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp(request.param)
    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    if request.param == "embedded":
        settings = Settings(data_dir=tmp / "data", queue_prefix=f"t{uuid.uuid4().hex[:8]}.")
    else:
        settings, cleanup = services.services_settings(tmp)
    migrate(settings.effective_database_url())
    store = open_store(settings)
    ensure = getattr(store, "ensure_bucket", None)
    if ensure:
        ensure()
    engine = make_engine(settings.effective_database_url())
    yield Stack(request.param, settings, engine, store)
    engine.dispose()
    cleanup()


@pytest.fixture
def empty_database(stack: Stack, tmp_path: Path) -> Iterator[str]:
    """A database of the stack's kind with no schema yet (migrations, and tests that must see
    every row of a table)."""
    if stack.name == "embedded":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url, drop = services.fresh_postgres_db(services.postgres_url())
    yield url
    drop()


@pytest.fixture
def client(stack: Stack) -> Iterator[TestClient]:
    """The app in this process, started. Its start-up migration is skipped: `stack` migrated the
    database once for the session (a no-op migration still costs some 0.2 s on PostgreSQL, and
    this fixture starts hundreds of times); the tests that start ``bordereau api`` run it."""
    from api.app import create_app

    with TestClient(create_app(stack.settings, run_migrations=False)) as c:
        yield c


@pytest.fixture
def account_factory(stack: Stack) -> Callable[..., NewAccount]:
    def make(name: str = "Cabinet Durand", kind: str = "firm") -> NewAccount:
        with Session(stack.engine) as session:
            return create_account(session, name, kind, f"{uuid.uuid4().hex[:8]}@example.test")
    return make


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def operator_headers(stack: Stack) -> dict[str, str]:
    """The headers of a new operator's key (the provider's staff)."""
    with Session(stack.engine) as session:
        return auth(create_operator(session, f"op-{uuid.uuid4().hex[:8]}@provider.test").api_key)


@pytest.fixture
def firm_factory(client: TestClient, account_factory: Callable[..., NewAccount]) -> Callable[..., Firm]:
    """Makes accounts, each with a dossier."""
    def make(name: str = "Cabinet Durand") -> Firm:
        acc = account_factory(name)
        resp = client.post("/v1/dossiers", json={"name": "SARL Dupont"}, headers=auth(acc.api_key))
        assert resp.status_code == 201, resp.text
        return Firm(acc, resp.json()["id"], auth(acc.api_key))
    return make


@pytest.fixture
def firm(firm_factory: Callable[..., Firm]) -> Firm:
    return firm_factory()


@dataclass
class Firm:
    """An accounting firm's account (the usual client), a dossier of it, and its key's headers."""

    account: NewAccount
    dossier_id: str
    headers: dict[str, str]


class ServiceProcess:
    """A real ``bordereau`` command in its own process, joined to a stack (`env`: settings of its own,
    as ``BORDEREAU_*`` variables)."""

    def __init__(self, stack: Stack, log_path: Path, args: list[str], env: dict[str, str] | None = None):
        self.stack, self.log_path = stack, log_path
        self.args = [sys.executable, "-m", "cli.main", *args]
        self.extra_env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        with self.log_path.open("ab") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(self.args, env={**self.stack.env(), **self.extra_env}, cwd=REPO,
                                         stdout=log, stderr=log, start_new_session=True)
        return self

    def stop(self, sig: int = 15, timeout: float = 30) -> None:
        """SIGTERM asks the main process for a warm shutdown (running tasks finish);
        SIGKILL hits the whole process group, pool children included, like a crash."""
        self.signal(sig)
        self.wait(timeout)

    def signal(self, sig: int = 15) -> None:
        if self.proc and self.proc.poll() is None:
            if sig == 9:
                os.killpg(self.proc.pid, sig)
            else:
                os.kill(self.proc.pid, sig)

    def wait(self, timeout: float = 30) -> None:
        """Wait for the process to end; past `timeout`, kill its process group."""
        if self.proc:
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def stop_all(processes: Iterable[ServiceProcess], sig: int = 15, timeout: float = 30) -> None:
    """Stop processes together: each is signalled before any is waited for, so that warm shutdowns
    (some 3 s each) overlap instead of adding up."""
    processes = list(processes)
    for process in processes:
        process.signal(sig)
    for process in processes:
        process.wait(timeout)


class WorkerProcess(ServiceProcess):
    """A real ``bordereau worker``."""

    def __init__(self, stack: Stack, log_path: Path, concurrency: int = 1, queues: str = "daily,bulk,ops",
                 env: dict[str, str] | None = None):
        super().__init__(stack, log_path, ["worker", "--concurrency", str(concurrency), "--queues", queues], env)

    def ready(self, timeout: float = 60) -> WorkerProcess:
        """Wait until the worker consumes (its "ready." line): a message published before may expire
        unseen, as a dispatch round due in a second does on a loaded machine."""
        wait_for(lambda: " ready." in self.log_path.read_text(errors="replace"), timeout,
                 what=lambda: f"the worker to be ready:\n{self.log()}")
        return self


class ApiProcess(ServiceProcess):
    """A real ``bordereau api`` (uvicorn) on a free port of loopback; `url` once it answers."""

    def __init__(self, stack: Stack, log_path: Path, env: dict[str, str] | None = None, processes: int = 1):
        self.port = services.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(stack, log_path, ["api", "--host", "127.0.0.1", "--port", str(self.port),
                                           "--workers", str(processes)], env)

    def start(self) -> ApiProcess:
        super().start()
        wait_for(self._answers, 60, what=lambda: f"the API on {self.url}:\n{self.log()}")
        return self

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False


@pytest.fixture
def worker(stack: Stack, tmp_path: Path) -> Iterator[WorkerProcess]:
    w = WorkerProcess(stack, tmp_path / "worker.log").start()
    yield w
    w.stop()


def wait_for(predicate: Callable[[], bool], timeout: float = 60, interval: float = 0.25,
             what: str | Callable[[], str] = "condition") -> None:
    """Wait until `predicate` holds; `what` names it, or says it at the time of failure (a log read then,
    not when the wait began)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what() if callable(what) else what}")
