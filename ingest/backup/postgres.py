"""PostgreSQL: ``pg_dump`` in custom format and a parallel ``pg_restore``.

The rows are counted in a REPEATABLE READ transaction whose snapshot ``pg_dump`` adopts
(``--snapshot``), so the manifest's counts are exactly the dump's. Connection details travel
in libpq's environment variables: a password never shows in the process list.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import sqlalchemy as sa

from ingest.backup.database import Dump, count_rows, purged_ids, revision
from ingest.backup.errors import BackupCode, BackupError
from ingest.platform.db import make_engine

FILE = "database.dump"


def libpq_env(url: str) -> dict[str, str]:
    parts = sa.engine.make_url(url)
    env = {"PGHOST": parts.host or "", "PGPORT": str(parts.port or ""), "PGUSER": parts.username or "",
           "PGPASSWORD": parts.password or "", "PGDATABASE": parts.database or ""}
    return {**os.environ, **{k: v for k, v in env.items() if v}}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(BackupCode.dump_failed, f"{name} is not on PATH: install the PostgreSQL client "
                                                  "of the server's major version (e.g. postgresql-client-15).")
    return found


def _run(args: list[str], url: str) -> None:
    done = subprocess.run(args, env=libpq_env(url), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(BackupCode.dump_failed, f"{Path(args[0]).name} failed (exit {done.returncode}): {last}")


def dump(url: str, folder: Path) -> Dump:
    target = folder / FILE
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            _run([_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], url)
            return Dump("postgresql", target, count_rows(conn), revision(conn), purged_ids(conn))
    finally:
        engine.dispose()


def restore(file: Path, url: str, *, jobs: int, clean: bool) -> None:
    """Into the configured database, which must exist. `clean` drops what the dump recreates."""
    args = [_tool("pg_restore"), f"--jobs={max(jobs, 1)}", "--no-owner", "--no-privileges", "--exit-on-error",
            f"--dbname={sa.engine.make_url(url).database}"]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, str(file)], url)
