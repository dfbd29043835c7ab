"""The shared shape of invoice fields, whichever reader found them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FIELD_KEYS = (
    "document_type", "supplier_name", "supplier_siren", "supplier_siret", "supplier_vat",
    "invoice_number", "issue_date", "due_date", "currency", "total_excl_tax", "total_tax",
    "total_incl_tax", "vat_breakdown", "iban", "customer_name", "customer_vat", "po_number", "payment_terms",
    "line_items",
)  # fmt: skip

SOURCES = ("einvoice", "text", "ocr")


@dataclass(frozen=True)
class Field:
    """One extracted fact: its value, how sure we are (0..1), and where it came from."""

    value: str | list[dict[str, str]]
    confidence: float
    source: str

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is outside 0..1")
        if self.source not in SOURCES:
            raise ValueError(f"unknown source {self.source!r}")


def fields_to_json(fields: dict[str, Field]) -> dict[str, dict[str, Any]]:
    """``{key: {"value", "confidence", "source"}}`` in the canonical key order."""
    return {
        key: {
            "value": fields[key].value,
            "confidence": round(fields[key].confidence, 3),
            "source": fields[key].source,
        }
        for key in FIELD_KEYS
        if key in fields
    }
