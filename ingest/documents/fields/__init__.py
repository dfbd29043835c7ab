"""Invoice fields: the shared shape, and template-free extraction from page text.

The text layer of a PDF (or OCR output) is read line by line. Each field has a
few labels in French, German and English; a value found right after its label
scores high, a value found by shape alone scores low, and totals that add up
(excl. tax + tax = incl. tax) raise each other's confidence. No template per
supplier: the rules are general, so an unseen layout still mostly works.

The layout reading (``ingest.documents.reading``) adds the values labels point to on the page; it
does not import this package, so the two import in either order.
"""

from __future__ import annotations

from ingest.documents.fields.extract import extract_fields
from ingest.documents.fields.model import FIELD_KEYS, Field, fields_to_json

__all__ = ["FIELD_KEYS", "Field", "extract_fields", "fields_to_json"]
