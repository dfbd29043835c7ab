"""Engine, sessions and migrations. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry, Pool

# ingest/migrations: the schema's history sees every wing's tables, so it sits above them all.
MIGRATIONS_DIR = Path(__file__).parents[1] / "migrations"

# Errors worth retrying: the database went away or was busy, not a bad statement.
TRANSIENT_DB_ERRORS: tuple[type[Exception], ...] = (sa.exc.OperationalError, sa.exc.InterfaceError)


def make_engine(url: str, *, pre_ping: bool = True, poolclass: type[Pool] | None = None, pool_size: int = 5,
                max_overflow: int = 10, pool_timeout: float = 30.0) -> Engine:
    """An engine with a connection pool.

    ``pre_ping`` tests every connection as it leaves the pool (a round trip), so a
    request never meets a connection the database dropped while it idled. Workers
    turn it off: a task that meets one fails with a transient error and is retried,
    and that first failure makes SQLAlchemy discard the whole stale pool; the ping
    would cost two round trips on every document. ``poolclass=NullPool`` for a
    process that must hold no connection between uses. A checkout that waits longer than
    ``pool_timeout`` for a free connection raises ``sqlalchemy.exc.TimeoutError``.
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, poolclass, {"pool_size": pool_size, "max_overflow": max_overflow,
                                               "pool_timeout": pool_timeout})
    if poolclass is not None:
        return sa.create_engine(url, poolclass=poolclass)
    return sa.create_engine(url, pool_pre_ping=pre_ping, pool_size=pool_size, max_overflow=max_overflow,
                            pool_timeout=pool_timeout)


@contextmanager
def autocommit(engine: Engine) -> Iterator[sa.Connection]:
    """A connection where each statement commits on its own: for a single
    statement, this spares the BEGIN and COMMIT round trips of a transaction."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        yield conn


def _sqlite_engine(url: str, poolclass: type[Pool] | None, sizes: dict[str, Any]) -> Engine:
    path = sa.engine.make_url(url).database
    in_memory = not path or path == ":memory:"  # one connection, shared: no pool sizes
    if not in_memory:
        Path(str(path)).parent.mkdir(parents=True, exist_ok=True)
    pool: dict[str, Any] = {"poolclass": poolclass} if poolclass is not None else ({} if in_memory else sizes)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **pool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # WAL lets the API read while a worker writes; the busy timeout makes
        # concurrent writers wait instead of failing with "database is locked".
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str) -> None:
    """Bring the schema to the newest revision (safe to run at every start). "heads"
    also covers a feature branch not yet merged into the main line."""
    command.upgrade(alembic_config(url), "heads")


def pending_migrations(url: str) -> tuple[set[str], set[str]]:
    """The database's revisions and the code's heads, when they differ (two empty sets when the
    schema is current): the check a pod runs before it starts (``bordereau migrate --check``)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    return (set(), set()) if current == heads else (current, heads)


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
