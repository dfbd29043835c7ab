"""The manifest of one backup: what it holds, with counts and checksums, and how to check it.

The manifest is written last, by a rename, so a backup killed half-way has none and is never
mistaken for a finished one. Verification reads every byte the manifest names (the database
file, the object list, each object) and needs no database or store.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ingest.backup.errors import BackupCode, BackupError

FORMAT = 1
MANIFEST = "manifest.json"
OBJECT_LIST = "objects.tsv"
PURGED_LIST = "purged.txt"
OBJECTS_DIR = "objects"
READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One object of the store as backed up: its key there, its size and checksum."""

    key: str
    size: int
    sha256: str


@dataclass
class Manifest:
    created_at: str
    finished_at: str
    database_kind: str  # "sqlite" or "postgresql"
    database_file: str
    database_size: int
    database_sha256: str
    schema_revision: str
    tables: dict[str, int]  # rows per table, read in the same snapshot as the dump
    objects: int
    object_bytes: int
    objects_new: int  # copied by this backup; the others were in the folder already
    object_bytes_new: int
    object_list_sha256: str
    # Ids of the documents purged before the snapshot (its tombstones), one a line: restoring an
    # older backup purges them again (ingest.backup.run).
    purged: int = 0
    purged_list_sha256: str = ""
    format: int = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)


def sha256_of(stream: BinaryIO) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(READ_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def file_sha256(path: Path) -> tuple[str, int]:
    with path.open("rb") as stream:
        return sha256_of(stream)


def blob_path(root: Path, sha256: str) -> Path:
    """Where the backup directory keeps the bytes of this checksum."""
    return root / OBJECTS_DIR / sha256[:2] / sha256


def write_entries(path: Path, entries: list[Entry]) -> str:
    """The object list, sorted by key (tab-separated: keys hold no tabs); returns its checksum."""
    text = "".join(f"{e.key}\t{e.size}\t{e.sha256}\n" for e in sorted(entries, key=lambda e: e.key))
    path.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode()).hexdigest()


def read_entries(path: Path) -> Iterator[Entry]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            key, size, sha = line.rstrip("\n").split("\t")
            yield Entry(key, int(size), sha)


def write_ids(path: Path, ids: list[str]) -> str:
    text = "".join(f"{i}\n" for i in ids)
    path.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode()).hexdigest()


def read_ids(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split() if path.is_file() else []


def write_manifest(folder: Path, manifest: Manifest) -> None:
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(asdict(manifest), indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(**data)
    except FileNotFoundError:
        raise BackupError(BackupCode.no_backup, f"{folder} has no {MANIFEST}: it is not a finished backup "
                                                "(one interrupted while it ran leaves none).") from None
    except (ValueError, TypeError) as exc:
        raise BackupError(BackupCode.not_verified, f"{path} cannot be read as a manifest ({exc}); "
                                                   "restore from another backup.") from None


def backups_in(root: Path) -> list[Path]:
    """Finished backups under `root`, oldest first (stamps sort by time)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / MANIFEST).is_file())


def find_backup(root: Path, stamp: str | None = None) -> Path:
    """`root` itself when it is one backup, else the named or the newest backup in it."""
    if (root / MANIFEST).is_file() and stamp is None:
        return root
    found = backups_in(root)
    if stamp is not None:
        found = [p for p in found if p.name == stamp]
    if not found:
        named = f"a backup named {stamp}" if stamp else "a finished backup"
        raise BackupError(BackupCode.no_backup, f"{root} holds no {named}; list it, or point to the "
                                                "directory given to 'backup create --to'.")
    return found[-1]


def verify(folder: Path) -> list[str]:
    """Every way the backup in `folder` differs from its manifest (none: it verifies)."""
    manifest = read_manifest(folder)
    if manifest.format != FORMAT:
        return [f"manifest format {manifest.format} is not {FORMAT}: written by another release"]
    problems = _check_file(folder / manifest.database_file, manifest.database_size, manifest.database_sha256)
    purged = folder / PURGED_LIST
    if manifest.purged_list_sha256 and (not purged.is_file() or file_sha256(purged)[0] != manifest.purged_list_sha256):
        problems.append(f"{PURGED_LIST} does not match the manifest's checksum")
    listing = folder / OBJECT_LIST
    if not listing.is_file():
        return [*problems, f"{OBJECT_LIST} is missing"]
    if file_sha256(listing)[0] != manifest.object_list_sha256:
        return [*problems, f"{OBJECT_LIST} does not match the manifest's checksum"]
    count = size = 0
    for entry in read_entries(listing):
        count += 1
        size += entry.size
        problems += [f"{entry.key}: {p}" for p in _check_file(blob_path(folder.parent, entry.sha256),
                                                              entry.size, entry.sha256)]
    if (count, size) != (manifest.objects, manifest.object_bytes):
        problems.append(f"{OBJECT_LIST} lists {count} objects, {size} bytes; the manifest says "
                        f"{manifest.objects}, {manifest.object_bytes}")
    return problems


def _check_file(path: Path, size: int, sha256: str) -> list[str]:
    if not path.is_file():
        return [f"{path.name} is missing"]
    got_sha, got_size = file_sha256(path)
    if got_size != size:
        return [f"{path.name} has {got_size} bytes, not {size}"]
    if got_sha != sha256:
        return [f"{path.name}'s sha256 is {got_sha[:12]}…, not {sha256[:12]}…"]
    return []
