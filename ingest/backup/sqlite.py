"""The embedded database: SQLite's online backup API, which copies a consistent snapshot while
the service keeps reading and writing (WAL mode)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from ingest.backup.database import Dump, count_rows, purged_ids, revision
from ingest.backup.errors import BackupCode, BackupError

FILE = "database.sqlite3"
# All pages in one step, in one read transaction: in WAL mode it does not block the service's
# writers. Copying in several steps would restart from the first page whenever another
# connection writes between two steps, and might never end on a busy service.
PAGES_PER_STEP = -1


def path_of(url: str) -> Path:
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(BackupCode.dump_failed, "an in-memory SQLite database cannot be backed up or "
                                                  "restored: set BORDEREAU_DATA_DIR or a file URL.")
    return Path(database)


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst, pages=PAGES_PER_STEP)
        # One self-contained file (no -wal beside it), which a restore can open read-only.
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(BackupCode.dump_failed, f"SQLite backup from {source} to {target} failed: {exc}") \
            from None
    finally:
        dst.close()
        src.close()


def dump(url: str, folder: Path) -> Dump:
    source = path_of(url)
    if not source.is_file():
        raise BackupError(BackupCode.dump_failed, f"{source} does not exist: is BORDEREAU_DATA_DIR right?")
    target = folder / FILE
    _copy(source, target)
    # Counted in the copy: the very snapshot the backup holds.
    engine = sa.create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return Dump("sqlite", target, count_rows(conn), revision(conn), purged_ids(conn))
    finally:
        engine.dispose()


def restore(file: Path, url: str) -> None:
    """Overwrite the configured database with the backup's, page by page (the target's own
    journal mode is kept, and no stale WAL file can outlive the copy)."""
    target = path_of(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(BackupCode.dump_failed, f"SQLite restore into {target} failed: {exc}") from None
    finally:
        dst.close()
        src.close()
