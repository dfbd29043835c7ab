"""Backup benchmark on the real services (PostgreSQL in a fresh database, SeaweedFS S3).

    .venv/bin/python -m tests.bench.bench_backup [--documents 2000] [--size 65536]

Prints one JSON object. ``--documents`` documents, each with an original of ``--size`` random
bytes in the bucket, are backed up. Measured in this run:
- ``baseline``: a plain ``pg_dump -Fc`` of the database plus a plain copy of every object into
  files (listing, then GETs in as many threads as the backup uses): the work no backup can avoid;
- ``backup``: ``bordereau backup``'s first (full) backup: the same dump, and each object read,
  hashed and stored by checksum, with a manifest and its object list; ``ratio_backup_over_baseline``
  compares their times (above 1: slower);
- ``incremental``: a second backup with nothing new (only the listing and the dump);
- ``restore``: the backup restored into a fresh database and bucket (the drill's RTO, at scale).
Each in seconds, documents per second and bytes per second (of object bytes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlmodel import Session

from ingest.backup.objects import THREADS
from ingest.backup.postgres import libpq_env
from ingest.backup.run import create_backup, restore_backup
from ingest.platform.db import make_engine
from ingest.platform.models import Document
from ingest.platform.settings import Settings
from ingest.store import ObjectStore, open_store, original_key
from tests.support import services
from tests.support.places import new_place


def _populate(engine: Any, store: ObjectStore, count: int, size: int) -> int:
    with Session(engine) as s:
        place = new_place(s)

        def put(i: int) -> Document:
            body = os.urandom(size)
            sha = hashlib.sha256(body).hexdigest()
            store.put_bytes(original_key(sha), body)
            return Document(account_id=place.account, dossier_id=place.dossier, batch_id=place.batch,
                            filename=f"f{i}.pdf", kind="pdf", sha256=sha, size=size, object_key=original_key(sha),
                            state="processed", attempts=1)

        with ThreadPoolExecutor(16) as pool:
            s.add_all(pool.map(put, range(count)))
        s.commit()
    return count * size


def _baseline(settings: Settings, store: ObjectStore, out: Path) -> float:
    out.mkdir(parents=True)
    start = time.perf_counter()
    subprocess.run(["pg_dump", "--format=custom", f"--file={out / 'db.dump'}"], check=True,
                   env=libpq_env(settings.effective_database_url()))

    def copy(key: str) -> None:
        with store.open(key) as src, (out / key.replace("/", "_")).open("wb") as dst:
            while chunk := src.read(1024 * 1024):
                dst.write(chunk)

    keys = [key for key, _, _ in store.iter_keys("originals/")]
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(copy, keys))
    return time.perf_counter() - start


def _rates(seconds: float, documents: int, size: int) -> dict[str, float]:
    return {"seconds": round(seconds, 2), "documents_per_s": round(documents / seconds, 1),
            "mb_per_s": round(size / seconds / 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--size", type=int, default=64 * 1024)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    ready = services.ready_services(tmp / "source")
    settings, store, engine, drop = ready.settings, ready.store, ready.engine, ready.drop
    target, drop_target = services.services_settings(tmp / "target")
    url = settings.effective_database_url()
    try:
        total = _populate(engine, store, args.documents, args.size)
        report: dict[str, Any] = {"documents": args.documents, "object_bytes": total}
        report["baseline"] = _rates(_baseline(settings, store, tmp / "plain"), args.documents, total)
        first = create_backup(engine, store, url, tmp / "backups")
        report["backup"] = _rates(first.seconds, args.documents, total)
        again = create_backup(engine, store, url, tmp / "backups")
        report["incremental"] = {**_rates(again.seconds, args.documents, total),
                                 "objects_new": again.manifest.objects_new}
        report["ratio_backup_over_baseline"] = round(first.seconds / report["baseline"]["seconds"], 2)
        target_store = open_store(target)
        target_store.ensure_bucket()  # type: ignore[attr-defined]
        target_engine = make_engine(target.effective_database_url())
        done = restore_backup(target_engine, target_store, target.effective_database_url(), tmp / "backups")
        report["restore"] = {**_rates(done.seconds, done.documents, done.bytes), "objects": done.objects}
        engine.dispose()
        target_engine.dispose()
        print(json.dumps(report))
    finally:
        drop()
        drop_target()
        for copies in ("plain", "backups"):  # the objects, twice over; SeaweedFS's own data goes with it
            shutil.rmtree(tmp / copies, ignore_errors=True)


if __name__ == "__main__":
    main()
