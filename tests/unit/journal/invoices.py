"""Invoice fields as processing stores them, for the journal's tests."""

from __future__ import annotations

from typing import Any


def field(value: Any, confidence: float = 1.0, source: str = "einvoice") -> dict[str, Any]:
    return {"value": value, "confidence": confidence, "source": source}


def invoice_fields(*, excl: str = "100.00", tax: str = "20.00", incl: str = "120.00",
                   rows: list[tuple[str, str, str]] | None = None, number: str = "F-1",
                   document_type: str = "invoice", supplier_vat: str | None = None,
                   siren: str | None = "732829320", currency: str = "EUR", issue_date: str = "2026-03-12",
                   confidence: float = 1.0, source: str = "einvoice", **extra: Any) -> dict[str, Any]:
    """A French supplier's invoice of 100 € + 20 % VAT unless told otherwise; a keyword given None
    leaves its field out."""
    values: dict[str, Any] = {
        "document_type": document_type, "supplier_name": "Scierie Dupont SAS", "supplier_siren": siren,
        "supplier_vat": supplier_vat, "invoice_number": number, "issue_date": issue_date, "currency": currency,
        "total_excl_tax": excl, "total_tax": tax, "total_incl_tax": incl,
        "vat_breakdown": [{"rate": r, "base": b, "tax": t} for r, b, t in rows] if rows is not None
        else [{"rate": "20.00", "base": excl, "tax": tax}],
        **extra,
    }
    return {key: field(value, confidence, source) for key, value in values.items() if value is not None}
