"""The objects half of a backup: the store's objects to the backup folder, and back.

The folder keeps each object's bytes once, under its checksum (``objects/<sha[:2]>/<sha>``), so
backups share them and a backup copies only what is new. Originals are named by their checksum
in the store already: one whose bytes are in the folder is skipped without being read. Another
object (a derivative, a support attachment) is skipped when the previous backup listed it with
the same size; otherwise it is read once and hashed on the way.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ingest.backup.manifest import READ_CHUNK, Entry, blob_path
from ingest.store import ObjectStore

# Everything the service writes; anything else in a bucket is someone else's.
PREFIXES = ("originals/", "derived/", "support/")
# Copies run in threads: each waits on the network or the disk, rarely on the interpreter.
THREADS = 8


@dataclass
class Copied:
    entries: list[Entry]
    new: int = 0
    new_bytes: int = 0


def _listed(store: ObjectStore) -> Iterator[tuple[str, int]]:
    for prefix in PREFIXES:
        for key, size, _modified in store.iter_keys(prefix):
            yield key, size


def _known(root: Path, key: str, size: int, previous: dict[str, Entry]) -> Entry | None:
    """The entry of an object the folder already holds, without reading the store."""
    if key.startswith("originals/"):
        sha = key.rsplit("/", 1)[-1]
        blob = blob_path(root, sha)
        if blob.is_file() and blob.stat().st_size == size:
            return Entry(key, size, sha)
        return None
    before = previous.get(key)
    if before is not None and before.size == size and blob_path(root, before.sha256).is_file():
        return before
    return None


def _fetch(store: ObjectStore, root: Path, key: str) -> Entry | None:
    """Copy one object into the folder, hashing it on the way; None if it went meanwhile."""
    spool = root / "objects" / ".incoming"
    spool.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=spool)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out, store.open(key) as stream:
            while chunk := stream.read(READ_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        blob = blob_path(root, digest.hexdigest())
        blob.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, blob)  # the same bytes twice land on the same name: last one wins, same content
    except FileNotFoundError:
        Path(tmp).unlink(missing_ok=True)
        return None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Entry(key, size, digest.hexdigest())


def back_up(store: ObjectStore, root: Path, previous: dict[str, Entry],
            tick: Callable[[], None] = lambda: None) -> Copied:
    """Every object of the store into the folder under `root`; `tick` is called as work goes
    (the caller renews its lock there)."""
    result = Copied([])
    todo: list[str] = []
    for key, size in _listed(store):
        known = _known(root, key, size, previous)
        if known is None:
            todo.append(key)
        else:
            result.entries.append(known)
    with ThreadPoolExecutor(THREADS) as pool:
        for n, entry in enumerate(pool.map(lambda k: _fetch(store, root, k), todo)):
            if entry is not None:
                result.entries.append(entry)
                result.new += 1
                result.new_bytes += entry.size
            if n % 500 == 0:
                tick()
    return result


def restore(store: ObjectStore, root: Path, entries: Iterable[Entry]) -> tuple[int, int]:
    """Put each entry's bytes back under its key; returns (objects, bytes)."""
    def put(entry: Entry) -> int:
        with blob_path(root, entry.sha256).open("rb") as stream:
            store.put_file(entry.key, stream, entry.size)
        return entry.size

    with ThreadPoolExecutor(THREADS) as pool:
        sizes = list(pool.map(put, entries))
    return len(sizes), sum(sizes)


def store_is_empty(store: ObjectStore) -> bool:
    return next(_listed(store), None) is None
