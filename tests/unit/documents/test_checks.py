"""Plausibility flags on invoice fields."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.documents.checks import FlagCode, check_invoice
from ingest.documents.fields import Field

TODAY = date(2026, 3, 20)


def invoice(**overrides: object) -> dict[str, Field]:
    values: dict[str, object] = {
        "supplier_name": "Scierie Dupont SAS",
        "invoice_number": "F-2026-001",
        "issue_date": "2026-03-12",
        "due_date": "2026-04-11",
        "total_excl_tax": "200.00",
        "total_tax": "25.50",
        "total_incl_tax": "225.50",
        "vat_breakdown": [
            {"rate": "20.00", "base": "100.00", "tax": "20.00"},
            {"rate": "5.50", "base": "100.00", "tax": "5.50"},
        ],
    }
    values.update(overrides)
    return {k: Field(v, 0.9, "text") for k, v in values.items() if v is not None}


def codes(fields: dict[str, Field]) -> list[str]:
    return [flag.code for flag in check_invoice(fields, TODAY)]


def test_a_consistent_invoice_raises_no_flag() -> None:
    assert check_invoice(invoice(), TODAY) == []


def test_totals_mismatch_by_one_cent() -> None:
    flags = check_invoice(invoice(total_incl_tax="225.51"), TODAY)
    assert [f.code for f in flags] == [FlagCode.TOTALS_MISMATCH]
    assert "225.51" in flags[0].message


def test_breakdown_mismatch_on_bases_and_on_taxes() -> None:
    rows = [{"rate": "20.00", "base": "100.00", "tax": "20.00"}]
    assert codes(invoice(vat_breakdown=rows)) == ["breakdown_mismatch", "breakdown_mismatch"]


@pytest.mark.parametrize("rate", ["20.00", "10.00", "5.50", "2.10", "0.00", "8.50", "1.75", "1.05"])
def test_french_and_overseas_rates_are_valid(rate: str) -> None:
    rows = [{"rate": rate, "base": "0.00", "tax": "0.00"}]
    fields = invoice(vat_breakdown=rows, total_excl_tax=None, total_tax=None, total_incl_tax="1.00")
    assert codes(fields) == []


@pytest.mark.parametrize("rate", ["19.00", "7.00", "19.60", "21.00"])
def test_foreign_or_obsolete_rates_are_flagged(rate: str) -> None:
    rows = [{"rate": rate, "base": "0.00", "tax": "0.00"}]
    fields = invoice(vat_breakdown=rows, total_excl_tax=None, total_tax=None, total_incl_tax="1.00")
    flags = check_invoice(fields, TODAY)
    assert [f.code for f in flags] == ["vat_rate_invalid"]
    assert rate.rstrip("0").rstrip(".") in flags[0].message


@pytest.mark.parametrize(
    ("issue", "due", "flagged"),
    [
        ("2026-03-21", None, False),  # tomorrow: within the day of slack
        ("2026-03-22", None, True),  # two days ahead
        ("1999-12-31", None, True),
        ("2000-01-01", None, False),
        ("2026-03-12", "2026-03-11", True),  # due before issue
        ("2026-03-12", "2026-03-12", False),
    ],
)
def test_implausible_dates(issue: str, due: str | None, flagged: bool) -> None:
    assert (codes(invoice(issue_date=issue, due_date=due)) == ["date_implausible"]) is flagged


def test_missing_mentions_are_each_named() -> None:
    fields = invoice(invoice_number=None, supplier_name=None, total_excl_tax=None,
                     total_tax=None, total_incl_tax=None, vat_breakdown=None)
    flags = check_invoice(fields, TODAY)
    assert [f.code for f in flags] == ["mention_missing", "mention_missing", "mention_missing"]
    assert any("invoice number" in f.message for f in flags)
    assert any("seller identity" in f.message for f in flags)


def test_seller_identity_may_be_a_siren_or_vat_number_alone() -> None:
    assert codes(invoice(supplier_name=None, supplier_siren="732829320")) == []
    assert codes(invoice(supplier_name=None, supplier_vat="FR44732829320")) == []


def test_an_empty_result_lacks_every_mention() -> None:
    assert codes({}) == ["mention_missing"] * 4


def test_the_sellers_identifiers_agree() -> None:
    assert codes(invoice(supplier_siren="732829320", supplier_siret="73282932000074",
                         supplier_vat="FR44732829320")) == []


@pytest.mark.parametrize("ids", [
    {"supplier_siren": "732829320", "supplier_vat": "FR40303265045"},   # both valid, two companies
    {"supplier_siret": "30326504510002", "supplier_siren": "732829320"},
])
def test_identifiers_of_two_companies_are_flagged(ids: dict[str, str]) -> None:
    flags = check_invoice(invoice(**ids), TODAY)
    assert [f.code for f in flags] == ["identity_mismatch"]
    assert "732829320" in flags[0].message


@pytest.mark.parametrize(("key", "value"), [("supplier_siren", "732829321"), ("supplier_vat", "FR45732829320"),
                                            ("supplier_vat", "DE123456789")])
def test_an_identifier_failing_its_check_digits_is_flagged(key: str, value: str) -> None:
    flags = check_invoice(invoice(**{key: value}), TODAY)
    assert [f.code for f in flags] == ["identity_mismatch"]
    assert "check digits" in flags[0].message
