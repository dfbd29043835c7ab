"""Spooling an incoming file: written and hashed as it arrives, never past the limit."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from ingest.platform.spool import CHUNK, Spooler, spool


def test_a_pushed_file_is_written_hashed_and_its_head_kept(tmp_path: Path) -> None:
    body = b"%PDF-1.7\n" + bytes(range(256)) * 100
    spooler = Spooler(limit=len(body), tmp_dir=tmp_path)
    for i in range(0, len(body), 1000):  # as a multipart parser pushes it, a piece at a time
        spooler.write(body[i:i + 1000])
    spooled = spooler.finish()
    assert spooled.path.read_bytes() == body
    assert (spooled.size, spooled.sha256, spooled.truncated) == (len(body), hashlib.sha256(body).hexdigest(), False)
    assert spooled.head == body[:8192]
    spooled.discard()
    assert list(tmp_path.iterdir()) == []


def test_past_the_limit_bytes_are_counted_but_not_written(tmp_path: Path) -> None:
    spooler = Spooler(limit=2500, tmp_dir=tmp_path)
    for _ in range(10):
        spooler.write(b"x" * 1000)
    spooled = spooler.finish()
    assert spooled.truncated and spooled.size == 10_000
    assert spooled.path.stat().st_size == 2000  # the pieces that fit whole; the file is refused anyway


def test_a_stream_is_read_no_further_than_one_chunk_past_the_limit(tmp_path: Path) -> None:
    src = io.BytesIO(b"y" * (5 * CHUNK))
    spooled = spool(src, limit=CHUNK, tmp_dir=tmp_path)
    assert spooled.truncated and src.tell() == 2 * CHUNK


def test_an_aborted_file_leaves_nothing(tmp_path: Path) -> None:
    spooler = Spooler(limit=None, tmp_dir=tmp_path)
    spooler.write(b"partial")
    spooler.abort()
    assert list(tmp_path.iterdir()) == []

    class Failing(io.RawIOBase):
        def read(self, n: int = -1) -> bytes:
            raise OSError("connection reset")

    try:
        spool(Failing(), limit=100, tmp_dir=tmp_path)  # type: ignore[arg-type]
    except OSError:
        pass
    assert list(tmp_path.iterdir()) == []
