"""A page preview of a document: drawn once from the stored original, then kept beside it.

The PNG is a derivative like processing's (``derived/<id>/preview-<n>.png``), so it belongs to its
document: the purge deletes the names a document can have (`ingest.documents.preview.preview_names`,
no listing needed), and the integrity scan never takes it for an orphan while the document's row
exists. One drawn in the instant between a purge's object delete and its row delete is left behind
as an orphan, which that scan removes a day later.

Only a document whose page count processing recorded has previews: until then (or for a bare XML
e-invoice, which has no pages) the answer says why there is none. Drawing is the renderer's
(`ingest.documents.preview.draw_preview`, in a child process); this module reads the original into a
private temporary file for it and keeps the result.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from ingest.documents.limits import Limits
from ingest.documents.preview import (
    PAGED_KINDS,
    CannotDraw,
    DrawingBusy,
    draw_preview,
    preview_name,
    previewable_pages,
)
from ingest.documents.sniff import Kind
from ingest.platform.models import FINAL_STATES, Document
from ingest.platform.spool import spool
from ingest.store import ObjectStore, derivative_key

__all__ = ["DrawingBusy", "NoPreview", "Why", "page_preview", "why_none"]


class Why(StrEnum):
    """Why a document (or one of its pages) has no preview."""

    not_paged = "not_paged"  # an XML e-invoice: data, no pages
    not_ready = "not_ready"  # processing has not counted its pages yet
    no_pages = "no_pages"  # finished without a page count (refused or failed before it was read)
    no_such_page = "no_such_page"  # past the last page, or past the pages that get a preview
    original_missing = "original_missing"  # the stored original is gone
    unreadable = "unreadable"  # the renderer could not draw it (damaged, protected, too slow)


class NoPreview(Exception):
    """No preview for this page: `why`, and the renderer's own words in `detail` when it tried."""

    def __init__(self, why: Why, detail: str = "") -> None:
        super().__init__(f"{why}: {detail}" if detail else str(why))
        self.why, self.detail = why, detail


def why_none(doc: Document) -> Why | None:
    """What the row alone says against previews of `doc`, without touching the store."""
    try:
        kind = Kind(doc.kind)
    except ValueError:
        return Why.not_paged
    if kind not in PAGED_KINDS:
        return Why.not_paged
    if not doc.pages:
        return Why.no_pages if doc.state in FINAL_STATES else Why.not_ready
    return None


def page_preview(store: ObjectStore, doc: Document, page: int, limits: Limits, tmp_dir: Path | None = None) -> bytes:
    """The PNG of page `page` (from 1) of `doc`: the kept one, else drawn from the original and kept.

    Raises NoPreview with the reason, DrawingBusy when the renderer stays busy, and lets
    StoreUnavailable through (a transient fault the caller answers as such)."""
    why = why_none(doc)
    if why is not None:
        raise NoPreview(why)
    if not 1 <= page <= previewable_pages(doc.pages):
        raise NoPreview(Why.no_such_page)
    key = derivative_key(doc.id, preview_name(page))
    try:
        with store.open(key) as kept:
            return kept.read()
    except FileNotFoundError:
        pass
    png = _draw(store, doc, page, limits, tmp_dir)
    store.put_bytes(key, png)
    return png


def _draw(store: ObjectStore, doc: Document, page: int, limits: Limits, tmp_dir: Path | None) -> bytes:
    try:
        with store.open(doc.object_key) as src:
            spooled = spool(src, limits.max_file_bytes, tmp_dir)
    except FileNotFoundError:
        raise NoPreview(Why.original_missing) from None
    try:
        if spooled.truncated:
            raise NoPreview(Why.unreadable, "the original is larger than a document may be")
        return draw_preview(spooled.path, Kind(doc.kind), page, limits)
    except CannotDraw as exc:
        raise NoPreview(Why.unreadable, str(exc)) from exc
    finally:
        spooled.discard()
