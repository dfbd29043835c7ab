"""What a corrected field may be, and the fields as a person left them."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.journal.corrected import BadValue, clean, overlay


@pytest.mark.parametrize(("key", "value", "stored"), [
    ("total_incl_tax", "1481.47", "1481.47"),
    ("total_tax", 20, "20.00"),
    ("total_excl_tax", "-7.5", "-7.50"),
    ("total_excl_tax", "12.3400000", "12.34"),
    ("issue_date", "2026-03-12", "2026-03-12"),
    ("currency", " eur ", "EUR"),
    ("document_type", "credit_note", "credit_note"),
    ("supplier_siren", "732 829 320", "732829320"),
    ("supplier_vat", "de 123-456-789", "DE123456789"),
    ("supplier_name", "  Scierie   Dupont ", "Scierie Dupont"),
    ("vat_breakdown", [{"rate": "20", "base": "100", "tax": "20", "category": "s"}],
     [{"rate": "20.00", "base": "100.00", "tax": "20.00", "category": "S"}]),
    ("due_date", None, None),
    ("customer_name", " Menuiserie  Martin ", "Menuiserie Martin"),
    ("customer_vat", "fr 19 787878784", "FR19787878784"),
    ("po_number", "BC-2026-118", "BC-2026-118"),
    ("payment_terms", "Escompte 2 % à 10 jours ;\n paiement à 30 jours " + "net " * 60,
     "Escompte 2 % à 10 jours ; paiement à 30 jours" + " net" * 60),
])  # fmt: skip
def test_accepted_values_are_stored_in_the_fields_shapes(key: str, value: Any, stored: Any) -> None:
    assert clean(key, value) == stored


@pytest.mark.parametrize(("key", "value"), [
    ("total_tax", "12.345"), ("total_tax", "1e12"), ("total_tax", "abc"), ("total_tax", True), ("total_tax", [1]),
    ("total_tax", "1e999999999"), ("total_tax", "1e-999999999"), ("total_tax", "NaN"),
    ("issue_date", "12/03/2026"), ("issue_date", "1999-12-31"), ("currency", "EURO"),
    ("document_type", "receipt"), ("supplier_siren", "732829321"), ("supplier_name", ""), ("supplier_name", {"a": 1}),
    ("supplier_name", "a\x00b"), ("vat_breakdown", []), ("vat_breakdown", [{"rate": "20"}]),
    ("vat_breakdown", [{"rate": "20", "base": "1", "tax": "0.2", "category": "XX"}]), ("iban", "FR76…"),
    ("flags", []), ("customer_name", "x" * 201), ("payment_terms", "x" * 1001), ("customer_vat", "12"),
    ("line_items", []),
])  # fmt: skip
def test_refused_values_say_what_the_field_takes(key: str, value: Any) -> None:
    with pytest.raises(BadValue) as refused:
        clean(key, value)
    assert str(refused.value)


def test_corrections_lie_over_what_was_read() -> None:
    read = {"total_tax": {"value": "20.00", "confidence": 0.4, "source": "ocr"},
            "due_date": {"value": "2026-01-01", "confidence": 0.9, "source": "ocr"},
            "currency": {"value": "EUR", "confidence": 0.9, "source": "ocr"}}
    merged = overlay(read, {"total_tax": "24.00", "due_date": None})
    assert merged == {"total_tax": {"value": "24.00", "confidence": 1.0, "source": "correction"},
                      "currency": {"value": "EUR", "confidence": 1.0, "source": "ocr"}}  # confirmed as read
    assert read["total_tax"]["value"] == "20.00" and read["currency"]["confidence"] == 0.9  # left as it was
