"""The database half of a backup, whichever the configured database is.

Each backend dumps a snapshot and counts every table's rows *in that same snapshot*, so the
manifest's counts are the dump's, even while the service writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine


@dataclass(frozen=True)
class Dump:
    kind: str
    file: Path
    tables: dict[str, int]
    revision: str
    purged: list[str]  # the snapshot's tombstones: documents purged before it



def kind_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def count_rows(conn: Connection) -> dict[str, int]:
    """Rows of every table the connection sees (our schema only)."""
    names = sa.inspect(conn).get_table_names()
    return {name: int(conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one())
            for name in sorted(names)}


def revision(conn: Connection) -> str:
    """The schema's migration revision(s), so a restore can say what it brought back."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return ""
    return ",".join(sorted(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()))


def purged_ids(conn: Connection) -> list[str]:
    if not sa.inspect(conn).has_table("tombstones"):
        return []
    return sorted(conn.execute(sa.text("SELECT document_id FROM tombstones")).scalars())


def is_empty(engine: Engine) -> bool:
    """No table at all: a fresh database, never migrated."""
    with engine.connect() as conn:
        return not sa.inspect(conn).get_table_names()


def dump(url: str, folder: Path) -> Dump:
    if kind_of(url) == "sqlite":
        from ingest.backup import sqlite

        return sqlite.dump(url, folder)
    from ingest.backup import postgres

    return postgres.dump(url, folder)


def restore(kind: str, file: Path, url: str, *, jobs: int, clean: bool) -> None:
    if kind != kind_of(url):
        from ingest.backup.errors import BackupCode, BackupError

        raise BackupError(BackupCode.not_verified, f"this backup holds a {kind} database and the configured "
                                                   f"one is {kind_of(url)}: set BORDEREAU_DATABASE_URL to a "
                                                   f"{kind} database to restore it.")
    if kind == "sqlite":
        from ingest.backup import sqlite

        sqlite.restore(file, url)
        return
    from ingest.backup import postgres

    postgres.restore(file, url, jobs=jobs, clean=clean)
