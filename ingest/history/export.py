"""A dossier's year of originals as a ZIP, streamed (docs/contract.md §5: clients are told ahead and can
take their documents away before the purge).

The archive is written by `zipfile` into a sink that cannot seek, so every entry is streamed with
a data descriptor, and the generator hands out whatever the sink holds after each slice: memory
stays at about one read slice (COPY_CHUNK) whatever the size of the year. Rows are read in keyset
pages, each in a short transaction of its own, so a slow download holds no transaction open.

Entries are stored, not deflated: invoices are PDFs and images, already compressed.
The manifest (`manifest.csv`, last entry) is spooled to a temporary file as the entries go, and
names a document whose original is missing instead of failing the whole download.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Generator, Iterator
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from ingest.platform.models import Document
from ingest.platform.spreadsheet import text_cell
from ingest.store import ObjectStore
from ingest.store.base import COPY_CHUNK

PAGE = 500
DOCS = SQLModel.metadata.tables[Document.__tablename__]
MANIFEST_COLUMNS = ["file_name", "document_id", "original_filename", "sha256", "size", "received_at",
                    "reference_date", "state", "status", "fields"]
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class _Sink(io.RawIOBase):
    """Collects what zipfile writes until the generator takes it; tells its position, cannot seek."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._pos = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._pos += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._pos

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def entry_name(doc: Any) -> str:
    """A name unique within the archive and safe on any file system: `<id>-<file name>`."""
    cleaned = _UNSAFE.sub("_", doc.filename.rsplit("/", 1)[-1]).strip(" .") or "document"
    return f"{doc.id}-{cleaned[:150]}"


def year_documents(engine: Engine, dossier_id: str, year: int) -> Iterator[Any]:
    """The dossier's documents whose reference date falls in `year`, by id, page by page."""
    after = ""
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(DOCS.c.id, DOCS.c.filename, DOCS.c.sha256, DOCS.c.size, DOCS.c.object_key,
                          DOCS.c.received_at, DOCS.c.reference_date, DOCS.c.state, DOCS.c.facts)
                .where(DOCS.c.dossier_id == dossier_id, DOCS.c.id > after,
                       DOCS.c.reference_date >= date(year, 1, 1), DOCS.c.reference_date <= date(year, 12, 31))
                .order_by(DOCS.c.id).limit(PAGE)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def _fields(facts: dict[str, Any] | None) -> str:
    """Extracted fields, if processing left any, as one JSON cell (their set varies by document)."""
    if not facts:
        return ""
    picked = {k: v for k, v in facts.items() if k not in ("derivatives",)}
    return json.dumps(picked, sort_keys=True, ensure_ascii=False, default=str) if picked else ""


def _info(name: str, when: datetime | None) -> zipfile.ZipInfo:
    stamp = (when or datetime.now(UTC)).astimezone(UTC)
    info = zipfile.ZipInfo(name, date_time=(max(stamp.year, 1980), stamp.month, stamp.day,
                                            stamp.hour, stamp.minute, stamp.second))
    info.compress_type = zipfile.ZIP_STORED
    return info


def iter_export(engine: Engine, store: ObjectStore, dossier_id: str, year: int) -> Iterator[bytes]:
    """The ZIP archive, as slices of bytes, for a streaming response."""
    sink = _Sink()
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024, mode="w+", newline="", encoding="utf-8") as spool:
        manifest = csv.writer(spool)
        manifest.writerow(MANIFEST_COLUMNS)
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for doc in year_documents(engine, dossier_id, year):
                name = entry_name(doc)
                status = yield from _copy_entry(archive, sink, store, doc, name)
                manifest.writerow([name if status == "included" else "", doc.id, text_cell(doc.filename),
                                   doc.sha256, doc.size, doc.received_at.isoformat(),
                                   doc.reference_date.isoformat(), doc.state, status, text_cell(_fields(doc.facts))])
            spool.seek(0)
            with archive.open(_info("manifest.csv", None), "w", force_zip64=True) as out:
                while text := spool.read(COPY_CHUNK // 4):
                    out.write(text.encode("utf-8"))
                    yield sink.take()
        yield sink.take()


def _copy_entry(archive: zipfile.ZipFile, sink: _Sink, store: ObjectStore, doc: Any,
                name: str) -> Generator[bytes, None, str]:
    """Stream one original into the archive; the generator's return value is its manifest status."""
    try:
        source = store.open(doc.object_key)
    except FileNotFoundError:
        return "missing"
    with source, archive.open(_info(name, doc.received_at), "w", force_zip64=True) as out:
        while chunk := source.read(COPY_CHUNK):
            out.write(chunk)
            yield sink.take()
    yield sink.take()
    return "included"
