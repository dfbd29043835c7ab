"""The use cases: create a backup, restore one.

**Create** holds the purge lock from the database snapshot to the last object copied, so no
object that the snapshot's rows name can be deleted in between; objects written after the
snapshot are copied too and are simply left out at restore (no row names them).

**Restore** (the service stopped) refuses a backup that does not verify and a target that holds
data (unless `force`). It restores the database, brings its schema up to date, checks the row
counts against the manifest, then purges before any object is put back: first the documents that
a newer backup in the same directory lists as purged (whatever their date or legal hold), then
everything outside the two-year history *as of now* (purged by the old service since, or due).
They go again with their tombstones, and their bytes never reach the store. Only the objects
that a remaining row names are put back, so every object has its row; the integrity scan then
proves every row has its original. Documents unfinished in the snapshot are handed out again.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from ingest.backup import database, objects
from ingest.backup.errors import BackupCode, BackupError
from ingest.backup.manifest import (
    OBJECT_LIST,
    PURGED_LIST,
    Entry,
    Manifest,
    backups_in,
    file_sha256,
    find_backup,
    read_entries,
    read_ids,
    read_manifest,
    verify,
    write_entries,
    write_ids,
    write_manifest,
)
from ingest.platform.columns import utcnow
from ingest.store import ObjectStore


@dataclass(frozen=True)
class Created:
    path: Path
    manifest: Manifest
    seconds: float


@dataclass(frozen=True)
class Restored:
    path: Path
    manifest: Manifest
    documents: int
    objects: int
    bytes: int
    purged: int  # documents the purge at restore removed (out of the history since the backup)
    requeued: int
    seconds: float


def _stamp(root: Path, at: datetime) -> str:
    base = at.strftime("%Y%m%dT%H%M%SZ")
    stamp, n = base, 1
    while (root / stamp).exists() or (root / f".{stamp}.partial").exists():
        n += 1
        stamp = f"{base}-{n}"
    return stamp


def _previous(root: Path) -> dict[str, Entry]:
    """The newest finished backup's objects, to skip those unchanged since."""
    found = backups_in(root)
    if not found or not (found[-1] / OBJECT_LIST).is_file():
        return {}
    return {e.key: e for e in read_entries(found[-1] / OBJECT_LIST)}


def create_backup(engine: Engine, store: ObjectStore, url: str, root: Path) -> Created:
    """A new backup under `root` (made if absent); raises PurgeBusy while a purge runs."""
    started, created = time.monotonic(), utcnow()
    root.mkdir(parents=True, exist_ok=True)
    stamp = _stamp(root, created)
    work = root / f".{stamp}.partial"
    work.mkdir()
    try:
        return _fill(engine, store, url, root, work, stamp, created, started)
    except BaseException:
        # The objects already copied stay: the next backup will not copy them again.
        shutil.rmtree(work, ignore_errors=True)
        raise


def _fill(engine: Engine, store: ObjectStore, url: str, root: Path, work: Path, stamp: str, created: datetime,
          started: float) -> Created:
    from ingest.history.lock import purge_lock

    with purge_lock(engine) as renew:
        dump = database.dump(url, work)
        copied = objects.back_up(store, root, _previous(root), renew)
    db_sha, db_size = file_sha256(dump.file)
    list_sha = write_entries(work / OBJECT_LIST, copied.entries)
    purged_sha = write_ids(work / PURGED_LIST, dump.purged)
    manifest = Manifest(created_at=created.isoformat(), finished_at=utcnow().isoformat(), database_kind=dump.kind,
                        database_file=dump.file.name, database_size=db_size, database_sha256=db_sha,
                        schema_revision=dump.revision, tables=dump.tables, objects=len(copied.entries),
                        object_bytes=sum(e.size for e in copied.entries), objects_new=copied.new,
                        object_bytes_new=copied.new_bytes, object_list_sha256=list_sha,
                        purged=len(dump.purged), purged_list_sha256=purged_sha)
    write_manifest(work, manifest)
    os.replace(work, root / stamp)  # the backup exists from this rename on, whole
    return Created(root / stamp, manifest, time.monotonic() - started)


def check(root: Path, stamp: str | None = None) -> tuple[Path, list[str]]:
    """The backup chosen in `root` and what is wrong with it (nothing: it verifies)."""
    path = find_backup(root, stamp)
    return path, verify(path)


def _refuse_unless_empty(engine: Engine, store: ObjectStore) -> None:
    if not database.is_empty(engine):
        raise BackupError(BackupCode.target_not_empty, "the configured database already has tables: restore "
                                                       "into a new, empty one, or pass --force to replace it.")
    if not objects.store_is_empty(store):
        raise BackupError(BackupCode.target_not_empty, "the configured object store already holds objects: "
                                                       "restore into an empty bucket or folder, or pass --force.")


def _check_counts(engine: Engine, manifest: Manifest) -> None:
    with engine.connect() as conn:
        got = database.count_rows(conn)
    differ = {t: (n, got.get(t)) for t, n in manifest.tables.items() if t != "alembic_version" and got.get(t) != n}
    if differ:
        table, (want, have) = next(iter(sorted(differ.items())))
        raise BackupError(BackupCode.counts_differ, f"{len(differ)} tables differ from the manifest after the "
                                                    f"restore (e.g. {table}: {have} rows, not {want}); the "
                                                    "database may be half-restored: restore again with --force.")


def restore_backup(engine: Engine, store: ObjectStore, url: str, root: Path, *, stamp: str | None = None,
                   force: bool = False, jobs: int = 2) -> Restored:
    from ingest.platform.db import migrate

    started = time.monotonic()
    path, problems = check(root, stamp)
    if problems:
        raise BackupError(BackupCode.not_verified, f"{path} does not verify ({len(problems)} problems, first: "
                                                   f"{problems[0]}); restore from another backup.")
    manifest = read_manifest(path)
    ensure_bucket = getattr(store, "ensure_bucket", None)
    if ensure_bucket is not None:  # fresh services: the bucket may not be made yet
        ensure_bucket()
    if not force:
        _refuse_unless_empty(engine, store)
    database.restore(manifest.database_kind, path / manifest.database_file, url, jobs=jobs, clean=force)
    engine.dispose()  # connections opened before the restore may hold the old file or catalogue
    _check_counts(engine, manifest)
    migrate(url)
    purged = _purge_since(engine, store, path) + _purge_now(engine, store)
    wanted = _Referenced.read(engine)
    count, size = objects.restore(store, path.parent, (e for e in read_entries(path / OBJECT_LIST) if wanted(e.key)))
    _prove_consistent(engine, store)
    return Restored(path, manifest, wanted.documents, count, size, purged, _requeue(engine),
                    time.monotonic() - started)


def _purge_since(engine: Engine, store: ObjectStore, path: Path) -> int:
    """Purge again what the newer backups beside this one had purged: even a document the purge
    rule would keep today (a legal hold lifted, then purged, after this backup)."""
    from ingest.history.lock import forget_holders
    from ingest.history.purge import purge_named

    forget_holders(engine)
    later = {i for newer in backups_in(path.parent) if newer.name > path.name for i in read_ids(newer / PURGED_LIST)}
    docs = SQLModel.metadata.tables["documents"]
    ids = sorted(later)
    present: list[str] = []
    with engine.connect() as conn:
        for start in range(0, len(ids), 1000):
            present += conn.execute(sa.select(docs.c.id).where(docs.c.id.in_(ids[start:start + 1000]))).scalars()
    return purge_named(engine, store, present).documents if present else 0


def _purge_now(engine: Engine, store: ObjectStore) -> int:
    from ingest.history.purge import run_purge

    return run_purge(engine, store).documents


def _requeue(engine: Engine) -> int:
    from ingest.processing.requeue import resume_unfinished

    return resume_unfinished(engine)


def _prove_consistent(engine: Engine, store: ObjectStore) -> None:
    from ingest.history.integrity import run_integrity

    report = run_integrity(engine, store)
    if report.missing_count:
        first = (report.missing or [{}])[0]
        raise BackupError(BackupCode.objects_missing, f"{report.missing_count} documents have no original after "
                                                      f"the restore (e.g. {first.get('object_key')}); the backup "
                                                      "was taken from a store that had lost them.")


@dataclass
class _Referenced:
    """The object keys the restored rows name: each document's original and derivatives, each
    support attachment."""

    originals: set[str]
    document_ids: set[str]
    attachments: set[str]

    @property
    def documents(self) -> int:
        return len(self.document_ids)

    @classmethod
    def read(cls, engine: Engine) -> _Referenced:
        import ingest.schema  # noqa: F401  (every table in the metadata)

        docs = SQLModel.metadata.tables["documents"]
        atts = SQLModel.metadata.tables["support_attachments"]
        with engine.connect() as conn:
            rows = conn.execute(sa.select(docs.c.id, docs.c.object_key)).all()
            attachments = set(conn.execute(sa.select(atts.c.object_key)).scalars())
        return cls({r.object_key for r in rows}, {r.id for r in rows}, attachments)

    def __call__(self, key: str) -> bool:
        if key.startswith("derived/"):
            return key.split("/")[1] in self.document_ids
        return key in self.originals or key in self.attachments


@dataclass(frozen=True)
class Pruned:
    backups: list[str]
    objects: int
    bytes: int


def prune(root: Path, keep: int) -> Pruned:
    """Keep the newest `keep` backups; delete the others, then every object no kept backup lists.
    Objects go last, so a prune killed half-way leaves extra bytes, never a backup missing some."""
    if keep < 1:
        raise BackupError(BackupCode.keep_none, "--keep must be at least 1: a prune never deletes the last backup.")
    found = backups_in(root)
    gone = found[:-keep]
    for path in gone:
        shutil.rmtree(path)
    listed = {e.sha256 for path in found[-keep:] for e in read_entries(path / OBJECT_LIST)}
    count = size = 0
    for blob in (root / "objects").glob("??/*"):
        if blob.name not in listed:
            size += blob.stat().st_size
            blob.unlink()
            count += 1
    return Pruned([p.name for p in gone], count, size)
