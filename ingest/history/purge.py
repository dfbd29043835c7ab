"""The nightly purge of the two-year history (docs/contract.md §5): selection, dry run, deletion in chunks.

Rows are the source of truth. Each chunk deletes its objects first, then, in one transaction, its
rows, its tombstones and its share of the run's counts. A run killed between the two leaves rows
whose objects are (partly) gone: the next run selects them again, deletes the objects again (an
absent key is not an error) and then the rows. Nothing else is ever selected, so a rerun deletes
nothing that should stay.

Originals are content-addressed and may be shared by several documents, even across accounts: one
is deleted only when no document outside the chunk still points to it. Derivatives belong to one
document (`derived/<id>/…`); processing's are named in `facts["derivatives"]`, and the page previews
drawn for the web app have fixed names that follow from the page count
(`ingest.documents.preview.preview_names`): they are deleted whether or not they were ever drawn (an
absent key is not an error), and not counted among the run's objects, being a cache. Derivatives
written by a processing attempt that crashed before saving its facts are orphans for the integrity
scan.

`purge_named` removes given documents the same way whatever their date or hold: a restore's
tool, for documents a later backup proves were purged (`ingest.backup.run`), never the night's.

Batches and their rejections are kept: other tables point to batches, and they hold file names and
reasons, not documents. Usage records and statements are never touched.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from ingest.accounts.tables import Dossier
from ingest.contract.retention import PARIS, history_start, paris_date
from ingest.documents.preview import preview_names
from ingest.history.lock import PurgeBusy, purge_lock
from ingest.history.tables import PurgeRun, PurgeRunDossier, RunState, Tombstone
from ingest.platform.columns import utcnow
from ingest.platform.models import Document, DocumentState
from ingest.store import ObjectStore, derivative_key

__all__ = ["CHUNK", "Preview", "PurgeBusy", "PurgeResult", "as_of_from_date", "preview", "purge_named", "run_purge",
           "select_chunk"]

CHUNK = 1000  # rows per transaction, and at most one DeleteObjects call of originals per chunk
FAILURES_KEPT = 1000
DOCS = SQLModel.metadata.tables[Document.__tablename__]
DOSSIERS = SQLModel.metadata.tables[Dossier.__tablename__]


def as_of_from_date(day: date) -> datetime:
    """The instant a `--as-of DATE` stands for: noon in Paris, well clear of either midnight."""
    return datetime.combine(day, dtime(12, 0), PARIS)


def _purgeable(as_of: datetime, now: datetime) -> list[Any]:
    """Conditions on `documents` joined with `dossiers`, legal hold aside.

    A document a worker is processing right now (live lease) waits for the next night rather than
    being removed under the worker's feet. A row without a reference date is never selected: the
    purge only deletes what it can prove is outside the history.
    """
    return [
        DOCS.c.reference_date < history_start(as_of),
        sa.not_(sa.and_(DOCS.c.state == DocumentState.processing.value, DOCS.c.lease_until > now)),
    ]


@dataclass(frozen=True)
class DossierTally:
    dossier_id: str
    account_id: str
    name: str
    documents: int
    bytes: int


@dataclass(frozen=True)
class Preview:
    """What a purge at `as_of` would remove (`dossiers`), and what legal hold keeps (`held`)."""

    as_of: datetime
    history_start: date
    documents: int
    bytes: int
    dossiers: list[DossierTally]
    held: list[DossierTally]


def preview(engine: Engine, as_of: datetime) -> Preview:
    """The dry run: one grouped query, nothing deleted. `bytes` sums the documents' sizes."""
    stmt = (sa.select(DOSSIERS.c.id, DOSSIERS.c.account_id, DOSSIERS.c.name, DOSSIERS.c.legal_hold,
                      sa.func.count(), sa.func.coalesce(sa.func.sum(DOCS.c.size), 0))
            .select_from(DOCS.join(DOSSIERS, DOSSIERS.c.id == DOCS.c.dossier_id))
            .where(*_purgeable(as_of, utcnow()))
            .group_by(DOSSIERS.c.id, DOSSIERS.c.account_id, DOSSIERS.c.name, DOSSIERS.c.legal_hold)
            .order_by(DOSSIERS.c.account_id, DOSSIERS.c.id))
    going: list[DossierTally] = []
    held: list[DossierTally] = []
    with engine.connect() as conn:
        for dossier_id, account_id, name, on_hold, count, size in conn.execute(stmt):
            tally = DossierTally(dossier_id, account_id, name, int(count), int(size))
            (held if on_hold else going).append(tally)
    return Preview(as_of, history_start(as_of), sum(t.documents for t in going),
                   sum(t.bytes for t in going), going, held)


def select_chunk(conn: Connection, as_of: datetime, after: str, limit: int) -> list[Any]:
    """The next purgeable rows by id after `after` (keyset: each row is visited once per run,
    so a document kept because the store refused its keys does not loop)."""
    stmt = (sa.select(DOCS.c.id, DOCS.c.dossier_id, DOCS.c.account_id, DOCS.c.sha256, DOCS.c.size,
                      DOCS.c.object_key, DOCS.c.received_at, DOCS.c.reference_date, DOCS.c.facts,
                      DOCS.c.pages)
            .select_from(DOCS.join(DOSSIERS, DOSSIERS.c.id == DOCS.c.dossier_id))
            .where(DOSSIERS.c.legal_hold.is_(False), DOCS.c.id > after, *_purgeable(as_of, utcnow()))
            .order_by(DOCS.c.id).limit(limit))
    return list(conn.execute(stmt))


@dataclass
class PurgeResult:
    run_id: str
    state: RunState
    as_of: datetime
    documents: int = 0
    bytes: int = 0
    objects: int = 0
    failures: list[str] = field(default_factory=list)
    dossiers: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))


# Called with the chunk's document ids once its objects are gone and before its rows are: the
# seam where tests (and operators' drills) simulate a crash at the worst moment.
Hook = Callable[[list[str]], None]


def run_purge(engine: Engine, store: ObjectStore, as_of: datetime | None = None, *, chunk: int = CHUNK,
              max_seconds: float | None = None, after_objects_deleted: Hook | None = None,
              progress: Callable[[int], None] | None = None) -> PurgeResult:
    """Purge everything outside the history at `as_of` (default: now); raise PurgeBusy if another
    purge or integrity scan holds the lock. With `max_seconds` the run stops after the chunk
    that crosses it, in state `paused`; the next run goes on from the rows that remain."""
    now = utcnow()
    as_of = as_of or now
    if paris_date(as_of) > paris_date(now):
        raise ValueError("a purge cannot run as of a future date: it would delete documents the "
                         "contract still keeps (use the dry run to look ahead)")
    deadline = time.monotonic() + max_seconds if max_seconds is not None else None
    with purge_lock(engine) as renew:
        result = PurgeResult(_start_run(engine, as_of), RunState.running, as_of)
        try:
            result.state = _purge_chunks(engine, store, result, chunk, deadline, after_objects_deleted,
                                         progress, renew)
        except BaseException as exc:
            _end_run(engine, result.run_id, RunState.failed, f"{type(exc).__name__}: {exc}"[:1000])
            raise
        _end_run(engine, result.run_id, result.state, None)
    return result


def _start_run(engine: Engine, as_of: datetime) -> str:
    run = PurgeRun(as_of=as_of, history_start=history_start(as_of), failures=[])
    runs = SQLModel.metadata.tables[PurgeRun.__tablename__]
    with engine.begin() as conn:
        # The lock is ours: a run still marked running was killed before it could say so.
        conn.execute(runs.update().where(runs.c.state == RunState.running.value)
                     .values(state=RunState.interrupted.value, ended_at=utcnow()))
        conn.execute(runs.insert().values(id=run.id, as_of=as_of, history_start=run.history_start,
                                          started_at=utcnow(), state=RunState.running.value, documents=0,
                                          bytes=0, objects=0, failures=[], failure_count=0))
    return run.id


def _end_run(engine: Engine, run_id: str, state: RunState, message: str | None) -> None:
    runs = SQLModel.metadata.tables[PurgeRun.__tablename__]
    with engine.begin() as conn:
        conn.execute(runs.update().where(runs.c.id == run_id)
                     .values(state=state.value, ended_at=utcnow(), message=message))


def _purge_chunks(engine: Engine, store: ObjectStore, result: PurgeResult, chunk: int,
                  deadline: float | None, hook: Hook | None, progress: Callable[[int], None] | None,
                  renew: Callable[[], None]) -> RunState:
    after = ""
    while True:
        if deadline is not None and time.monotonic() > deadline:
            return RunState.paused
        with engine.connect() as conn:
            rows = select_chunk(conn, result.as_of, after, chunk)
        if not rows:
            return RunState.finished
        after = rows[-1].id
        done, failed, sent = _delete_objects(engine, store, rows)
        if hook is not None:
            hook([r.id for r in rows])
        _delete_rows(engine, result, done, failed, sent)
        renew()
        if progress is not None:
            progress(len(done))


def _keys_of(row: Any) -> list[str]:
    names = (row.facts or {}).get("derivatives") or []
    return [derivative_key(row.id, str(name)) for name in names]


def _previews_of(row: Any) -> list[str]:
    return [derivative_key(row.id, name) for name in preview_names(row.pages)]


def _delete_objects(engine: Engine, store: ObjectStore, rows: Sequence[Any]) -> tuple[list[Any], list[str], int]:
    """Delete the chunk's objects; return the rows whose every object is gone, the refused keys,
    and how many keys of stored objects were sent (previews, which may never have been drawn, aside)."""
    ids = [r.id for r in rows]
    shas = sorted({r.sha256 for r in rows})
    with engine.connect() as conn:
        # Looked up right before the delete, to keep the window with a concurrent upload of the
        # same bytes as short as the store allows (see the report on integrity for the rest).
        kept = set(conn.execute(sa.select(DOCS.c.object_key).distinct()
                                .where(DOCS.c.sha256.in_(shas), DOCS.c.id.not_in(ids))).scalars())
    stored = {r.id: _keys_of(r) + ([r.object_key] if r.object_key not in kept else []) for r in rows}
    keys_of = {r.id: stored[r.id] + _previews_of(r) for r in rows}
    keys = sorted({k for ks in keys_of.values() for k in ks})
    failed = set(store.delete_many(keys)) if keys else set()
    done = [r for r in rows if not failed.intersection(keys_of[r.id])]
    return done, sorted(failed), len({k for ks in stored.values() for k in ks})


def _delete_rows(engine: Engine, result: PurgeResult, rows: list[Any], failed: list[str], sent: int) -> None:
    """Rows, tombstones and counts of one chunk, in one transaction."""
    per_dossier: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        tally = per_dossier[(r.dossier_id, r.account_id)]
        tally[0] += 1
        tally[1] += r.size
    count, size = len(rows), sum(r.size for r in rows)
    with engine.begin() as conn:
        if rows:
            conn.execute(SQLModel.metadata.tables[Tombstone.__tablename__].insert(),
                         [_tombstone(r, result.run_id) for r in rows])
            conn.execute(DOCS.delete().where(DOCS.c.id.in_([r.id for r in rows])))
        for (dossier_id, account_id), (n, b) in per_dossier.items():
            _add_dossier(conn, result.run_id, dossier_id, account_id, n, b)
        result.failures.extend(failed)
        runs = SQLModel.metadata.tables[PurgeRun.__tablename__]
        conn.execute(runs.update().where(runs.c.id == result.run_id).values(
            documents=runs.c.documents + count, bytes=runs.c.bytes + size, objects=runs.c.objects + sent,
            failure_count=runs.c.failure_count + len(failed), failures=result.failures[:FAILURES_KEPT]))
    result.documents += count
    result.bytes += size
    result.objects += sent
    for (dossier_id, _), (n, b) in per_dossier.items():
        result.dossiers[dossier_id][0] += n
        result.dossiers[dossier_id][1] += b


def _tombstone(r: Any, run_id: str) -> dict[str, Any]:
    return {"document_id": r.id, "dossier_id": r.dossier_id, "account_id": r.account_id, "sha256": r.sha256,
            "size": r.size, "received_at": r.received_at, "reference_date": r.reference_date,
            "purge_run_id": run_id, "purged_at": utcnow()}


def _add_dossier(conn: Connection, run_id: str, dossier_id: str, account_id: str, n: int, b: int) -> None:
    table = SQLModel.metadata.tables[PurgeRunDossier.__tablename__]
    where = sa.and_(table.c.run_id == run_id, table.c.dossier_id == dossier_id)
    updated = conn.execute(table.update().where(where).values(documents=table.c.documents + n,
                                                              bytes=table.c.bytes + b))
    if updated.rowcount == 0:
        conn.execute(table.insert().values(run_id=run_id, dossier_id=dossier_id, account_id=account_id,
                                           documents=n, bytes=b))


def purge_named(engine: Engine, store: ObjectStore, document_ids: Sequence[str], *,
                chunk: int = CHUNK) -> PurgeResult:
    """Purge these documents whatever their date or legal hold, the same way as the nightly purge
    (objects, then rows with their tombstones, in chunks, as one recorded run). For a restore: a
    later backup proves they were purged after the one restored (`ingest.backup.run`)."""
    now = utcnow()
    with purge_lock(engine) as renew:
        result = PurgeResult(_start_run(engine, now), RunState.running, now)
        try:
            for start in range(0, len(document_ids), chunk):
                with engine.connect() as conn:
                    rows = _select_named(conn, document_ids[start:start + chunk])
                done, failed, sent = _delete_objects(engine, store, rows)
                _delete_rows(engine, result, done, failed, sent)
                renew()
            result.state = RunState.finished
        except BaseException as exc:
            _end_run(engine, result.run_id, RunState.failed, f"{type(exc).__name__}: {exc}"[:1000])
            raise
        _end_run(engine, result.run_id, result.state, None)
    return result


def _select_named(conn: Connection, ids: Sequence[str]) -> list[Any]:
    stmt = (sa.select(DOCS.c.id, DOCS.c.dossier_id, DOCS.c.account_id, DOCS.c.sha256, DOCS.c.size,
                      DOCS.c.object_key, DOCS.c.received_at, DOCS.c.reference_date, DOCS.c.facts, DOCS.c.pages)
            .where(DOCS.c.id.in_(list(ids))).order_by(DOCS.c.id))
    return list(conn.execute(stmt))
