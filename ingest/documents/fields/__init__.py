"""Invoice fields: the shared shape, and template-free extraction from page text.

The text layer of a PDF (or OCR output) is read line by line. Each field has a
few labels in French, German and English; a value found right after its label
scores high, a value found by shape alone scores low, and totals that add up
(excl. tax + tax = incl. tax) raise each other's confidence. No template per
supplier: the rules are general, so an unseen layout still mostly works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.documents.fields.model import FIELD_KEYS, Field, fields_to_json

if TYPE_CHECKING:
    from ingest.documents.fields.extract import extract_fields

__all__ = ["FIELD_KEYS", "Field", "extract_fields", "fields_to_json"]


def __getattr__(name: str) -> Any:
    """`extract_fields` is imported when first asked for: it uses the layout reading
    (``ingest.documents.reading``), which itself uses this package's small parts (``lines``, ``model``),
    so importing either package first works."""
    if name == "extract_fields":
        from ingest.documents.fields.extract import extract_fields

        return extract_fields
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
