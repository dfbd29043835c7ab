"""Copy an incoming file to a private temporary file, hashing as it goes.

Uploads are never held whole in memory: a file is written as its chunks arrive
(read in 1 MiB chunks from a stream, or pushed by the multipart parser), its
SHA-256 computed on the way, and nothing is written past the size limit, so
that an oversized file costs no disk.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
HEAD = 8192


@dataclass
class Spooled:
    path: Path
    size: int
    sha256: str
    head: bytes
    truncated: bool  # the source was larger than the limit; path holds a prefix only

    def discard(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class Spooler:
    """A file written to a private temporary file as its chunks arrive, hashed on the way.

    For a source that pushes its bytes (a multipart parser); `spool` pulls from a stream. Past
    `limit` bytes nothing more is written or hashed, only counted: the file is refused anyway.
    """

    def __init__(self, limit: int | None, tmp_dir: Path | None = None):
        fd, name = tempfile.mkstemp(prefix="upload-", dir=tmp_dir)
        self.path, self.limit, self._out = Path(name), limit, os.fdopen(fd, "wb")
        self._digest = hashlib.sha256()
        self._head = bytearray()
        self.size, self.truncated = 0, False

    def write(self, chunk: bytes) -> None:
        if len(self._head) < HEAD:
            self._head += chunk[: HEAD - len(self._head)]
        self.size += len(chunk)
        if self.truncated:
            return
        if self.limit is not None and self.size > self.limit:
            self.truncated = True
            return
        self._digest.update(chunk)
        self._out.write(chunk)

    def finish(self) -> Spooled:
        self._out.close()
        return Spooled(self.path, self.size, self._digest.hexdigest(), bytes(self._head), self.truncated)

    def abort(self) -> None:
        self._out.close()
        self.path.unlink(missing_ok=True)


def spool(src: BinaryIO, limit: int, tmp_dir: Path | None = None) -> Spooled:
    """Copy `src` to a temporary file, stopping one chunk past `limit` (an archive entry that
    claims little and expands much costs no more than that)."""
    spooler = Spooler(limit, tmp_dir)
    try:
        while chunk := src.read(CHUNK):
            spooler.write(chunk)
            if spooler.truncated:
                break
    except BaseException:
        spooler.abort()
        raise
    return spooler.finish()
