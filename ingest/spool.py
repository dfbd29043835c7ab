"""Copy an incoming stream to a private temporary file, hashing as it goes.

Uploads are never held whole in memory: a file is read in 1 MiB chunks, its
SHA-256 computed on the way, and copying stops one chunk past the size limit so
that an oversized file costs neither disk nor time.
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


def spool(src: BinaryIO, limit: int, tmp_dir: Path | None = None) -> Spooled:
    fd, name = tempfile.mkstemp(prefix="upload-", dir=tmp_dir)
    digest = hashlib.sha256()
    size = 0
    head = b""
    truncated = False
    with os.fdopen(fd, "wb") as out:
        while chunk := src.read(CHUNK):
            if len(head) < HEAD:
                head += chunk[: HEAD - len(head)]
            size += len(chunk)
            if size > limit:
                truncated = True
                break
            digest.update(chunk)
            out.write(chunk)
    return Spooled(Path(name), size, digest.hexdigest(), head, truncated)
