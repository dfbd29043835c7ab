"""The periodic integrity scan: the bucket against the document rows.

Only our prefixes are scanned (`originals/`, `derived/`); anything else in the bucket (support
attachments, backups) belongs to someone else and is never looked at.

* An object with no row is an orphan: an upload that failed after its put, derivatives of a
  processing attempt that crashed, or derivatives the purge could not know about (a page preview
  drawn while the purge removed its document). Once older than the grace period (an upload in
  flight has written its object but not yet its row) it is removed. A derivative of a document
  whose row exists is never one, whatever its name: processing's and the page previews alike.
* A row whose original is missing is a loss: it is reported, never dropped, so an operator can
  restore it from backup or tell the client.

The scan takes the purge lock: between a purge's object delete and its row delete, rows without
objects are expected, and must not be reported as losses.

Memory stays flat: originals are compared one two-hex-digit fan-out folder at a time (1/256 of
the bucket), derivatives one listing page at a time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from ingest.history.lock import purge_lock
from ingest.history.tables import IntegrityReport
from ingest.platform.columns import utcnow
from ingest.platform.models import Document
from ingest.store import ObjectStore

GRACE = timedelta(days=1)
MISSING_KEPT = 1000
PAGE = 1000
DOCS = SQLModel.metadata.tables[Document.__tablename__]
HEX = "0123456789abcdef"


def _fanout() -> Iterator[tuple[str, str]]:
    """("00", "01"), …, ("ff", "fg"): each first-level folder and the bound just past it."""
    names = [a + b for a in HEX for b in HEX]
    yield from zip(names, names[1:] + ["fg"], strict=True)


def run_integrity(engine: Engine, store: ObjectStore, now: datetime | None = None, grace: timedelta = GRACE,
                  max_seconds: float | None = None) -> IntegrityReport:
    """Scan, remove old orphans, record and return the report. Raises PurgeBusy while a purge
    (or another scan) runs. With `max_seconds` the scan may stop early (`complete` is then False)."""
    now = now or utcnow()
    deadline = time.monotonic() + max_seconds if max_seconds is not None else None
    with purge_lock(engine) as renew:
        report = IntegrityReport(started_at=utcnow(), missing=[], failures=[])
        for low, high in _fanout():
            if deadline is not None and time.monotonic() > deadline:
                break
            _scan_originals(engine, store, report, low, high, now - grace)
            renew()
        else:
            _scan_derived(engine, store, report, now - grace)
            report.complete = True
        report.ended_at = utcnow()
        _save(engine, report)
    return report


def _scan_originals(engine: Engine, store: ObjectStore, report: IntegrityReport, low: str, high: str,
                    cutoff: datetime) -> None:
    listed = {key: modified for key, _size, modified in store.iter_keys(f"originals/{low}/")}
    report.objects_scanned += len(listed)
    with engine.connect() as conn:
        expected = set(conn.execute(sa.select(DOCS.c.object_key).distinct()
                                    .where(DOCS.c.sha256 >= low, DOCS.c.sha256 < high)).scalars())
    _remove_orphans(engine, store, report, {k: m for k, m in listed.items() if k not in expected}, cutoff)
    missing = sorted(expected - set(listed))
    if missing:
        _record_missing(engine, report, missing)


def _scan_derived(engine: Engine, store: ObjectStore, report: IntegrityReport, cutoff: datetime) -> None:
    keys = ((key, modified) for key, _size, modified in store.iter_keys("derived/"))
    while page := list(islice(keys, PAGE)):
        report.objects_scanned += len(page)
        owners = {key.split("/")[1] for key, _ in page if key.count("/") >= 2}
        with engine.connect() as conn:
            alive = set(conn.execute(sa.select(DOCS.c.id).where(DOCS.c.id.in_(owners))).scalars())
        orphans = {key: modified for key, modified in page
                   if key.count("/") < 2 or key.split("/")[1] not in alive}
        _remove_orphans(engine, store, report, orphans, cutoff, derived=True)


def _remove_orphans(engine: Engine, store: ObjectStore, report: IntegrityReport, orphans: dict[str, datetime],
                    cutoff: datetime, derived: bool = False) -> None:
    report.orphans_found += len(orphans)
    old = sorted(k for k, modified in orphans.items() if modified < cutoff)
    report.orphans_young += len(orphans) - len(old)
    if not old:
        return
    # Checked again just before deleting: a row may have been committed since the listing.
    with engine.connect() as conn:
        if derived:
            ids = {k.split("/")[1] for k in old if k.count("/") >= 2}
            now_owned = set(conn.execute(sa.select(DOCS.c.id).where(DOCS.c.id.in_(ids))).scalars())
            old = [k for k in old if k.count("/") < 2 or k.split("/")[1] not in now_owned]
        else:
            shas = {k.rsplit("/", 1)[-1] for k in old}  # sha256 is indexed, object_key is not
            now_owned = set(conn.execute(sa.select(DOCS.c.object_key).where(DOCS.c.sha256.in_(shas))).scalars())
            old = [k for k in old if k not in now_owned]
    failed = store.delete_many(old) if old else []
    report.orphans_removed += len(old) - len(failed)
    report.failures = [*report.failures, *failed][:MISSING_KEPT]


def _record_missing(engine: Engine, report: IntegrityReport, keys: list[str]) -> None:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(DOCS.c.id, DOCS.c.dossier_id, DOCS.c.account_id, DOCS.c.object_key)
                            .where(DOCS.c.sha256.in_({k.rsplit("/", 1)[-1] for k in keys}),
                                   DOCS.c.object_key.in_(keys)).order_by(DOCS.c.object_key, DOCS.c.id)).all()
    report.missing_count += len(rows)
    room = MISSING_KEPT - len(report.missing)
    report.missing = [*report.missing, *({"document_id": r.id, "dossier_id": r.dossier_id,
                                          "account_id": r.account_id, "object_key": r.object_key}
                                         for r in rows[:max(room, 0)])]


def _save(engine: Engine, report: IntegrityReport) -> None:
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        session.add(report)
        session.commit()


def report_dict(report: IntegrityReport) -> dict[str, Any]:
    """The report as plain JSON values (CLI and API)."""
    return {"id": report.id, "started_at": report.started_at.isoformat(),
            "ended_at": report.ended_at.isoformat() if report.ended_at else None, "complete": report.complete,
            "objects_scanned": report.objects_scanned, "orphans_found": report.orphans_found,
            "orphans_removed": report.orphans_removed, "orphans_young": report.orphans_young,
            "missing_count": report.missing_count, "missing": list(report.missing or []),
            "failures": list(report.failures or [])}
