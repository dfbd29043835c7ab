"""Running the service: ``api``, ``worker``, ``beat`` one at a time, or
``serve``, which runs all three on the embedded defaults under one data folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import TYPE_CHECKING

import typer

from cli.errors import die

if TYPE_CHECKING:
    from celery import Celery

    from ingest.platform.settings import Settings

STOP_GRACE_S = 30.0


def _settings() -> Settings:
    from pydantic import ValidationError

    from ingest.platform.settings import get_settings

    try:
        return get_settings()
    except ValidationError as exc:
        # A process that cannot start says which variable is wrong, in one line.
        error = exc.errors()[0]
        field = "_".join(str(part) for part in error["loc"]).upper()
        where = f" (BORDEREAU_{field})" if field else ""
        die(f"invalid configuration{where}: {error['msg'].removeprefix('Value error, ')}")


# `migrate --check` exit codes: a deploy pipeline tells "migrate first" from "this code is too old"
# from "no database to ask".
CHECK_EXIT = {"current": 0, "behind": 1, "ahead": 2}
UNREACHABLE_EXIT = 3


def migrate_cmd(check: bool = typer.Option(False, "--check", help="Only say whether the schema is up to date: "
                                           "exit 0 if it is, 1 if it is behind, 2 if a newer release migrated it, "
                                           "3 if the database does not answer")) -> None:
    """Bring the database schema to the newest revision."""
    from ingest.platform.db import TRANSIENT_DB_ERRORS, migrate
    from ingest.platform.schema_state import SchemaState, schema_status

    url = _settings().effective_database_url()
    unreachable: tuple[type[Exception], ...] = (*TRANSIENT_DB_ERRORS, OSError)  # OSError: a SQLite file not made
    try:
        status = schema_status(url)
    except unreachable as exc:
        die(f"unreachable: the database did not answer ({type(getattr(exc, 'orig', exc)).__name__}): check "
            "BORDEREAU_DATABASE_URL and that the server is up.", UNREACHABLE_EXIT)
    # A newer release's schema is never "migrated" back by older code: Alembic would fail on it.
    if status.state is SchemaState.ahead or (check and status.state is SchemaState.behind):
        die(f"{status.state}: {status.sentence}", CHECK_EXIT[status.state])
    if check:
        typer.echo(status.sentence)
        return
    migrate(url)
    typer.echo("database is up to date")


def api(host: str = typer.Option(None, help="Interface to listen on"),
        port: int = typer.Option(None, help="Port to listen on"),
        workers: int = typer.Option(1, help="Worker processes")) -> None:
    """Run the HTTP API (migrates the database first)."""
    import uvicorn

    from ingest.platform.logs import configure_logging

    configure_logging()
    settings = _settings()
    uvicorn.run("api.app:app_factory", factory=True, host=host or settings.api_host,
                port=port or settings.api_port, workers=workers, log_level="info", log_config=None,
                timeout_graceful_shutdown=10)


def worker(concurrency: int = typer.Option(None, help="Processes working in parallel"),
           queues: str = typer.Option("daily,ops", help="Logical queues to consume: daily,ops or bulk")) -> None:
    """Run a Celery worker. Daily and bulk work have their own workers, so an
    archive can never hold a slot a daily invoice needs: run one (or more)
    `worker` and one (or more) `worker --queues bulk`."""
    from ingest.platform.broker import queue_name
    from ingest.platform.logs import configure_logging
    from workers.app import create_app

    configure_logging()
    settings = _settings()
    app = create_app(settings)
    declare_queues(app)
    logical = [q.strip() for q in queues.split(",") if q.strip()]
    if logical == ["bulk"] and settings.bulk_worker_nice:
        # Bulk work yields the CPU to daily work sharing the host (its pool inherits this).
        os.nice(settings.bulk_worker_nice)
    names = ",".join(queue_name(settings, q) for q in logical)
    argv = ["worker", "-Q", names, "--concurrency", str(concurrency or settings.worker_concurrency),
            "--loglevel", "INFO", "--without-gossip", "--without-mingle", "-n", f"bordereau-{os.getpid()}@%h"]
    app.worker_main(argv)


def declare_queues(app: Celery, attempts: int = 5) -> None:
    """Declare every queue, the dead-letter one included, which no worker
    consumes: a message dead-lettered before anyone declared it would be lost.

    Retried on a fresh connection: on the embedded broker two processes starting
    together may both try to create the same queue row, and the loser gets a
    unique-constraint error (kombu only retries operational errors)."""
    for attempt in range(1, attempts + 1):
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=10)
                channel = conn.default_channel
                for queue in app.conf.task_queues:
                    queue.bind(channel).declare()
            return
        except Exception:
            if attempt == attempts:
                raise
            time.sleep(0.2 * attempt)


def beat() -> None:
    """Run the scheduler: outbox relay, stale-lease sweeper (and later jobs)."""
    from ingest.platform.logs import configure_logging
    from workers.app import create_app

    configure_logging()
    settings = _settings()
    schedule = settings.resolved_data_dir() / "beat-schedule"
    schedule.parent.mkdir(parents=True, exist_ok=True)
    create_app(settings).start(["beat", "--loglevel", "INFO", "--schedule", str(schedule)])


def _prepare(settings: Settings) -> int:
    from ingest.processing.requeue import resume_unfinished
    from ingest.resources import for_command

    with for_command(settings) as resources:
        # Queues exist before the workers start, so they never race to create them.
        declare_queues(resources.broker)
        return resume_unfinished(resources.engine)


def serve(host: str = typer.Option(None, help="Interface to listen on"),
          port: int = typer.Option(None, help="Port to listen on")) -> None:
    """Run api + workers (daily and bulk) + beat together. With no configuration everything lives
    under BORDEREAU_DATA_DIR: SQLite, a local object folder and a SQLite broker.
    Ctrl-C or SIGTERM stops all three; the next start resumes unfinished work."""
    settings = _settings()
    data = settings.resolved_data_dir()
    data.mkdir(parents=True, exist_ok=True)
    resumed = _prepare(settings)
    host, port = host or settings.api_host, port or settings.api_port
    typer.echo(f"bordereau: data in {data}; api on http://{host}:{port}"
               + (f"; resumed {resumed} unfinished documents" if resumed else ""))
    exe = [sys.executable, "-m", "cli.main"]
    env = {**os.environ, "BORDEREAU_DATA_DIR": str(data)}
    children = [subprocess.Popen(exe + ["api", "--host", host, "--port", str(port)], env=env,
                                 start_new_session=True),
                subprocess.Popen(exe + ["worker"], env=env, start_new_session=True),
                subprocess.Popen(exe + ["worker", "--queues", "bulk", "--concurrency", "1"], env=env,
                                 start_new_session=True),
                subprocess.Popen(exe + ["beat"], env=env, start_new_session=True)]
    _supervise(children)


def _supervise(children: list[subprocess.Popen[bytes]]) -> None:
    stopping = False

    def _stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stopping and all(c.poll() is None for c in children):
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if not stopping:
        die("a component stopped unexpectedly; all were stopped (run serve again to resume)")
    typer.echo("bordereau: stopped")
