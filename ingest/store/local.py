"""The embedded default: objects as files under one folder.

A reader never sees half an object: a write goes to a temporary file in the
target's own folder (same file system, so the final rename is atomic), is
flushed to disk, then renamed over the key.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from ingest.store.base import COPY_CHUNK, StoreUnavailable

# Temporary files start with this; no key segment may, so a listing can skip
# them without ever hiding a real object.
TMP_PREFIX = ".partial-"


def _check_key(key: str) -> list[str]:
    """The key's segments, or ValueError if it could escape the root or name a folder."""
    parts = key.split("/")
    bad_part = any(p in ("", ".", "..") or p.startswith(TMP_PREFIX) for p in parts)
    if not key or bad_part or "\\" in key or "\x00" in key:
        raise ValueError(f"invalid object key: {key!r}")
    return parts


class LocalStore:
    """Keys are relative paths under ``root``; folders are made as needed and
    pruned when a delete empties them."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_check_key(key))

    def _file(self, key: str) -> Path:
        """The key's path, if it names a regular file (not a folder of other keys)."""
        path = self._path(key)
        try:
            if path.is_file():
                return path
        except OSError:  # e.g. a segment of the key is a file: no such object either
            pass
        raise FileNotFoundError(key)

    def put_file(self, key: str, fileobj: BinaryIO, size: int | None = None) -> None:
        path = self._path(key)
        fd, tmp = self._temp_beside(path)
        try:
            with os.fdopen(fd, "wb") as out:
                written = 0
                while chunk := fileobj.read(COPY_CHUNK):
                    out.write(chunk)
                    written += len(chunk)
                if size is not None and written != size:
                    raise ValueError(f"{key}: expected {size} bytes, read {written}")
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)  # make the rename itself survive a power cut

    def _temp_beside(self, path: Path) -> tuple[int, str]:
        # A concurrent delete_many may prune the folder between mkdir and mkstemp;
        # making it again is enough.
        for attempt in range(3):
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                return tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX)
            except FileNotFoundError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def put_bytes(self, key: str, data: bytes) -> None:
        self.put_file(key, io.BytesIO(data), len(data))

    def open(self, key: str) -> BinaryIO:
        return self._file(key).open("rb")

    def delete_many(self, keys: Sequence[str]) -> list[str]:
        failed = []
        for key in keys:
            try:
                path = self._path(key)
                path.unlink(missing_ok=True)
            except (ValueError, OSError):
                failed.append(key)
                continue
            self._prune(path.parent)
        return failed

    def _prune(self, folder: Path) -> None:
        """Remove folders a delete left empty (one per purged document otherwise
        piles up for ever), stopping at the first that is not empty."""
        while folder != self.root and self.root in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def iter_keys(self, prefix: str = "") -> Iterator[tuple[str, int, datetime]]:
        start = self._walk_start(prefix)
        if start is None:
            return
        for dirpath, dirs, files in os.walk(start):
            dirs.sort()
            for name in sorted(files):
                if name.startswith(TMP_PREFIX):
                    continue
                path = Path(dirpath, name)
                key = path.relative_to(self.root).as_posix()
                if not key.startswith(prefix):
                    continue
                try:
                    st = path.stat()
                except FileNotFoundError:  # deleted while we walked
                    continue
                yield key, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC)

    def _walk_start(self, prefix: str) -> Path | None:
        """The deepest folder that holds every key with ``prefix``, so that listing
        ``derived/<id>/`` does not walk the whole store."""
        folder = prefix.rpartition("/")[0]
        start = self.root.joinpath(*_check_key(folder)) if folder else self.root
        return start if start.is_dir() else None

    def ping(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"cannot create {self.root}: {exc}") from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreUnavailable(f"{self.root} is not writable")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not every platform opens folders; the data itself is synced
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
