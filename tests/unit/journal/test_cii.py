"""An invoice's fields as EN 16931 CII: valid against the schema (cii_xml checks it), read back by
our own e-invoice reader with the same amounts, nothing invented that the fields do not say."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.documents.einvoice import parse_einvoice
from ingest.journal.cii import Buyer, Incomplete, cii_data, cii_xml
from tests.unit.journal.invoices import field, invoice_fields

BUYER = Buyer("Menuiserie Martin SARL", "552100554")
SAME = ("document_type", "invoice_number", "issue_date", "currency", "total_excl_tax", "total_tax", "total_incl_tax",
        "supplier_name", "supplier_siren", "supplier_vat", "due_date", "iban")


def read_back(fields: dict[str, Any]) -> dict[str, Any]:
    parsed = parse_einvoice(cii_xml(fields, BUYER))
    assert (parsed.flavour, parsed.profile) == ("cii", "EN 16931")
    return {key: f.value for key, f in parsed.fields.items()}


@pytest.mark.parametrize("fields", [
    invoice_fields(supplier_vat="FR44732829320", due_date="2026-04-11", iban="FR7630006000011234567890189"),
    invoice_fields(excl="624.90", tax="46.25", incl="671.15",
                   rows=[("20.00", "81.90", "16.38"), ("5.50", "543.00", "29.87")]),
    invoice_fields(document_type="credit_note", number="AV-7"),
    invoice_fields(excl="-7.67", tax="-1.12", incl="-8.79",
                   rows=[("20.00", "-4.85", "-0.92"), ("10.00", "-2.82", "-0.20")]),
    invoice_fields(excl="2000.00", tax="0.00", incl="2000.00", siren=None, supplier_vat="DE123456789",
                   rows=[("0.00", "2000.00", "0.00")]),
])  # fmt: skip
def test_the_xml_says_what_the_fields_say(fields: dict[str, Any]) -> None:
    got = read_back(fields)
    expected = {key: fields[key]["value"] for key in SAME if key in fields}
    assert {key: got.get(key) for key in expected} == expected
    assert [(r["rate"], r["base"], r["tax"]) for r in got["vat_breakdown"]] == [
        (r["rate"], r["base"], r["tax"]) for r in fields["vat_breakdown"]["value"]]


def test_what_the_fields_do_not_say_is_not_invented() -> None:
    data = cii_data(invoice_fields(siren=None, supplier_vat="DE123456789"), BUYER)
    assert data["BG-4"] == {"name": "Scierie Dupont SAS", "country_code": "DE", "vat_identifier": "DE123456789"}
    assert data["BG-7"] == {"name": "Menuiserie Martin SARL", "country_code": "FR", "legal_identifier": "552100554",
                            "legal_identifier_schemeid": "0002"}
    assert [line["BT-131"] for line in data["BG-25"]] == ["100.00"] and "BT-9" not in data and "BT-84" not in data
    negative = cii_data(invoice_fields(excl="-10.00", tax="-2.00", incl="-12.00"), BUYER)["BG-25"][0]
    assert (negative["BT-129"], negative["BT-146"], negative["BT-131"]) == ("-1", "10.00", "-10.00")


def test_a_missing_breakdown_is_made_only_when_one_french_rate_explains_it() -> None:
    single = {**invoice_fields(excl="100.00", tax="5.50", incl="105.50"), "vat_breakdown": None}
    single.pop("vat_breakdown")
    assert cii_data(single, BUYER)["BG-23"] == [{"BT-116": "100.00", "BT-117": "5.50", "BT-118": "S",
                                                 "BT-119": "5.50"}]
    exempt = invoice_fields(excl="530.75", tax="0.00", incl="530.75")
    exempt.pop("vat_breakdown")
    assert cii_data(exempt, BUYER)["BG-23"][0]["BT-118"] == "E"
    mixed = invoice_fields(excl="624.90", tax="46.25", incl="671.15")
    mixed.pop("vat_breakdown")
    with pytest.raises(Incomplete) as refused:
        cii_data(mixed, BUYER)
    assert refused.value.missing == ["vat_breakdown"]


def test_an_invoice_without_its_mandatory_terms_is_incomplete() -> None:
    fields = invoice_fields(number=None, incl=None)
    fields["total_tax"] = field("abc")
    with pytest.raises(Incomplete) as refused:
        cii_data(fields, BUYER)
    assert refused.value.missing == ["invoice_number", "total_incl_tax", "total_tax"]
    with pytest.raises(Incomplete) as unknown:
        cii_data(invoice_fields(currency="ABC"), BUYER)
    assert unknown.value.missing == ["currency"]
