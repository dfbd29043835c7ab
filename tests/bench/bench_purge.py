"""Purge benchmark on the real services (PostgreSQL in a fresh database, SeaweedFS S3).

    .venv/bin/python -m tests.bench.bench_purge [--rows 1000000] [--objects 100000]

Prints one JSON object. Figures, all measured in this run:
- rows phase: ``--rows`` purgeable document rows (their originals are not in the bucket, so each
  chunk still sends its DeleteObjects call): ``purge_rows_per_s`` against ``floor_rows_per_s``,
  one set-based ``DELETE`` of the same rows (in a transaction rolled back), and their ratio;
- objects phase: ``--objects`` documents whose originals are really in the bucket:
  ``purge_objects_per_s`` against ``floor_objects_per_s``, DeleteObjects calls alone on the same
  keys (uploaded, deleted, uploaded again), and their ratio;
- ``purge_peak_rss_mb``: the peak resident memory of the process that ran the purges.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import resource
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ingest.platform.db import make_engine
from ingest.platform.settings import Settings
from ingest.store import open_store, original_key
from tests.support import services
from tests.support.places import new_place

AS_OF_DAY = "2026-06-01"  # documents dated 2023 are outside the history then

_INSERT = sa.text("""
INSERT INTO documents (id, account_id, dossier_id, batch_id, filename, kind, sha256, size, object_key, state,
                       attempts, reference_date, received_at)
SELECT md5(:salt || i)::uuid::text, :account, :dossier, :batch, 'f' || i || '.pdf', 'pdf', s.sha, 1000,
       'originals/' || substr(s.sha, 1, 2) || '/' || substr(s.sha, 3, 2) || '/' || s.sha, 'processed', 1,
       DATE '2023-06-01', TIMESTAMPTZ '2023-06-01 09:00:00+00'
FROM generate_series(1, :n) AS i,
     LATERAL (SELECT encode(sha256(convert_to(:salt || i, 'UTF8')), 'hex') AS sha) AS s
""")


def _content(salt: str, i: int) -> bytes:
    return f"{salt}{i}".encode()


def _place(engine: sa.Engine) -> dict[str, str]:
    with Session(engine) as s:
        place = new_place(s)
        s.commit()
        return {"account": place.account, "dossier": place.dossier, "batch": place.batch}


def _insert_rows(engine: sa.Engine, place: dict[str, str], salt: str, n: int) -> None:
    with engine.begin() as conn:
        conn.execute(_INSERT, {**place, "salt": salt, "n": n})
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE documents"))
        conn.commit()


def _upload(store: Any, salt: str, n: int) -> list[str]:
    def put(i: int) -> str:
        body = _content(salt, i)
        key = original_key(hashlib.sha256(body).hexdigest())
        store.put_bytes(key, body)
        return key

    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(put, range(1, n + 1), chunksize=256))


def _floor_rows(engine: sa.Engine) -> float:
    with engine.connect() as conn:
        trans = conn.begin()
        start = time.perf_counter()
        conn.execute(sa.text("DELETE FROM documents WHERE reference_date < DATE '2025-01-01'"))
        elapsed = time.perf_counter() - start
        trans.rollback()
    return elapsed


def _floor_objects(store: Any, keys: list[str]) -> float:
    start = time.perf_counter()
    failed = store.delete_many(keys)
    elapsed = time.perf_counter() - start
    assert not failed, failed[:5]
    return elapsed


def _purge_child(settings_json: str, out: Any) -> None:
    """Runs in a process of its own, so that its peak memory is the purge's alone."""
    from datetime import date

    from ingest.history.purge import as_of_from_date, run_purge

    settings = Settings.model_validate_json(settings_json)
    engine = make_engine(settings.effective_database_url())
    start = time.perf_counter()
    result = run_purge(engine, open_store(settings), as_of_from_date(date.fromisoformat(AS_OF_DAY)))
    out.put({"seconds": time.perf_counter() - start, "documents": result.documents, "objects": result.objects,
             "failures": len(result.failures), "state": result.state.value,
             "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    engine.dispose()


def _purge(settings: Settings) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_purge_child, args=(settings.model_dump_json(), out))
    proc.start()
    answer = out.get(timeout=6 * 3600)
    proc.join()
    return answer  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--objects", type=int, default=100_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-purge-"))
    ready = services.ready_services(tmp)
    settings, store, engine, drop = ready.settings, ready.store, ready.engine, ready.drop
    try:
        place = _place(engine)
        report: dict[str, Any] = {"rows": args.rows, "objects": args.objects}

        # Objects phase: the same keys are deleted by DeleteObjects alone, then by the purge.
        t0 = time.perf_counter()
        keys = _upload(store, "obj-", args.objects)
        report["upload_s"] = round(time.perf_counter() - t0, 1)
        floor_obj = _floor_objects(store, keys)
        _upload(store, "obj-", args.objects)
        _insert_rows(engine, place, "obj-", args.objects)
        purge_obj = _purge(settings)
        assert purge_obj["documents"] == args.objects and not purge_obj["failures"], purge_obj
        left = sum(1 for _ in store.iter_keys("originals/"))
        report.update(floor_objects_per_s=round(args.objects / floor_obj),
                      purge_objects_per_s=round(purge_obj["objects"] / purge_obj["seconds"]),
                      objects_left_in_bucket=left)
        report["ratio_objects"] = round(report["purge_objects_per_s"] / report["floor_objects_per_s"], 3)

        # Rows phase: a set-based DELETE (rolled back), then the purge of the same rows.
        t0 = time.perf_counter()
        _insert_rows(engine, place, "row-", args.rows)
        report["insert_rows_s"] = round(time.perf_counter() - t0, 1)
        floor_rows = _floor_rows(engine)
        purge_rows = _purge(settings)
        assert purge_rows["documents"] == args.rows, purge_rows
        report.update(floor_rows_per_s=round(args.rows / floor_rows),
                      purge_rows_per_s=round(purge_rows["documents"] / purge_rows["seconds"]),
                      purge_rows_s=round(purge_rows["seconds"], 1),
                      purge_peak_rss_mb=round(max(purge_obj["peak_rss_mb"], purge_rows["peak_rss_mb"]), 1))
        report["ratio_rows"] = round(report["purge_rows_per_s"] / report["floor_rows_per_s"], 3)
        with engine.connect() as conn:
            report["documents_left"] = conn.execute(sa.text("SELECT count(*) FROM documents")).scalar()
            report["tombstones"] = conn.execute(sa.text("SELECT count(*) FROM tombstones")).scalar()
        engine.dispose()
        print(json.dumps(report))
    finally:
        drop()


if __name__ == "__main__":
    main()
