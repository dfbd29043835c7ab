"""One invoice's purchase entry: balanced to the cent, one VAT line per rate, reverse charge, credit
notes, rounding, and the reasons an entry is held for review."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.journal.chart import supplier_identity
from ingest.journal.entries import Booking, HoldCode, Invoice, Supplier, book, cents, euros
from tests.unit.journal.invoices import field, invoice_fields

DUPONT = Supplier("401732829320", "Scierie Dupont SAS")


def booked(fields: dict[str, Any], supplier: Supplier | None = DUPONT, flags: list[dict[str, str]] | None = None,
           expense: str = "607000") -> Booking:
    return book(Invoice("doc-1", fields, flags or []), supplier, expense)


def lines(booking: Booking) -> list[tuple[str, int, int]]:
    assert booking.entry is not None
    return [(line.account, line.debit, line.credit) for line in booking.entry.lines]


def test_an_invoice_debits_expense_and_vat_and_credits_the_supplier() -> None:
    booking = booked(invoice_fields())
    assert booking.exported and booking.holds == ()
    assert lines(booking) == [("607000", 10000, 0), ("445660", 2000, 0), ("401000", 0, 12000)]
    entry = booking.entry
    assert entry is not None and entry.balanced and entry.default_expense and not entry.reverse_charge
    supplier_line = entry.lines[-1]
    assert (supplier_line.aux, supplier_line.aux_label) == ("401732829320", "Scierie Dupont SAS")
    assert all(line.aux == "" for line in entry.lines[:-1])
    assert entry.label == "Facture F-1 Scierie Dupont SAS" and entry.piece == "F-1"
    assert entry.lines[1].label.startswith("TVA 20 % ")


def test_one_vat_line_per_rate() -> None:
    rows = [("20.00", "81.90", "16.38"), ("5.50", "543.00", "29.87")]
    booking = booked(invoice_fields(excl="624.90", tax="46.25", incl="671.15", rows=rows))
    assert lines(booking) == [("607000", 62490, 0), ("445660", 1638, 0), ("445660", 2987, 0), ("401000", 0, 67115)]
    assert booking.entry is not None
    assert [line.label.split(" Facture")[0] for line in booking.entry.lines[1:3]] == ["TVA 20 %", "TVA 5,5 %"]


def test_rows_of_one_rate_make_one_line_and_zero_rates_none() -> None:
    rows = [("20.00", "50.00", "10.00"), ("20.00", "50.00", "10.00"), ("0.00", "30.00", "0.00")]
    booking = booked(invoice_fields(excl="130.00", tax="20.00", incl="150.00", rows=rows))
    assert lines(booking) == [("607000", 13000, 0), ("445660", 2000, 0), ("401000", 0, 15000)]


def test_a_credit_note_is_the_entry_reversed() -> None:
    booking = booked(invoice_fields(document_type="credit_note", number="AV-7"))
    assert lines(booking) == [("607000", 0, 10000), ("445660", 0, 2000), ("401000", 12000, 0)]
    assert booking.entry is not None and booking.entry.credit_note and booking.entry.balanced
    assert booking.entry.label.startswith("Avoir AV-7")


def test_an_invoice_with_negative_totals_reverses_itself() -> None:
    booking = booked(invoice_fields(excl="-7.67", tax="-1.12", incl="-8.79",
                                    rows=[("20.00", "-4.85", "-0.92"), ("10.00", "-2.82", "-0.20")]))
    assert lines(booking) == [("607000", 0, 767), ("445660", 0, 92), ("445660", 0, 20), ("401000", 879, 0)]


def test_intra_eu_supplier_without_vat_is_reverse_charged_at_the_normal_rate() -> None:
    fields = invoice_fields(excl="2000.00", tax="0.00", incl="2000.00", rows=[("0.00", "2000.00", "0.00")],
                            siren=None, supplier_vat="DE123456789")
    identity = supplier_identity(fields)
    assert identity is not None and identity.country == "DE"
    booking = booked(fields, Supplier(identity.number, identity.name, None, identity.country))
    assert lines(booking) == [("607000", 200000, 0), ("445660", 40000, 0), ("445200", 0, 40000),
                              ("401000", 0, 200000)]
    assert booking.entry is not None and booking.entry.reverse_charge and booking.exported


@pytest.mark.parametrize(("category", "country", "reverse"), [
    ("AE", None, True),     # the invoice says reverse charge, whoever issues it
    ("K", "DE", True),      # intra-community supply
    ("E", "DE", False),     # exempt (an insurance premium): no VAT is owed by anyone
    ("Z", "DE", False),
    (None, "DE", True),     # no category: an EU supplier charging no VAT
    (None, "CH", False),    # outside the EU: not this rule
    (None, None, False),    # a French supplier charging no VAT (overseas, exempt)
])  # fmt: skip
def test_reverse_charge_detection(category: str | None, country: str | None, reverse: bool) -> None:
    row = {"rate": "0.00", "base": "100.00", "tax": "0.00", **({"category": category} if category else {})}
    fields = {**invoice_fields(excl="100.00", tax="0.00", incl="100.00"), "vat_breakdown": field([row])}
    booking = booked(fields, Supplier("401X", "X", None, country))
    assert booking.entry is not None and booking.entry.reverse_charge is reverse and booking.entry.balanced


def test_an_eu_supplier_charging_vat_is_not_reverse_charged() -> None:
    booking = booked(invoice_fields(), Supplier("401DE1", "X", None, "DE"))
    assert booking.entry is not None and not booking.entry.reverse_charge


def test_a_cent_of_rounding_goes_on_its_own_line() -> None:
    # Two rows rounded each: 33.33 + 6.67 and 33.33 + 6.67 is 80.00, the invoice says 80.01.
    rows = [("20.00", "33.33", "6.67"), ("20.00", "33.33", "6.67")]
    booking = booked(invoice_fields(excl="66.67", tax="13.34", incl="80.01", rows=rows))
    assert lines(booking) == [("607000", 6667, 0), ("445660", 1334, 0), ("401000", 0, 8001)]
    gain = booked(invoice_fields(excl="66.66", tax="13.34", incl="80.01", rows=rows))
    assert lines(gain)[-1] == ("658000", 1, 0) and gain.exported
    loss = booked(invoice_fields(excl="66.68", tax="13.34", incl="80.01", rows=rows))
    assert lines(loss)[-1] == ("758000", 0, 1) and loss.exported


def test_more_than_rounding_holds_the_entry() -> None:
    booking = booked(invoice_fields(excl="100.00", tax="20.00", incl="125.00"))
    assert [hold.code for hold in booking.holds] == [HoldCode.amounts_disagree]
    assert "5,00 €" in booking.holds[0].message and not booking.exported
    assert booking.entry is not None and booking.entry.balanced  # proposed, balanced, but held


@pytest.mark.parametrize(("fields", "supplier", "flags", "code"), [
    (invoice_fields(), DUPONT, [{"code": "totals_mismatch", "message": "…"}], HoldCode.open_flag),
    (invoice_fields(incl=None), DUPONT, [], HoldCode.amount_missing),
    (invoice_fields(confidence=0.6, source="text"), DUPONT, [], HoldCode.low_confidence),
    (invoice_fields(issue_date=None), DUPONT, [], HoldCode.no_date),
    (invoice_fields(), None, [], HoldCode.supplier_unknown),
    (invoice_fields(currency="GBP"), DUPONT, [], HoldCode.foreign_currency),
    (invoice_fields(excl="0.00", tax="0.00", incl="0.00"), DUPONT, [], HoldCode.zero_total),
])  # fmt: skip
def test_held_entries_say_why(fields: dict[str, Any], supplier: Supplier | None, flags: list[dict[str, str]],
                              code: HoldCode) -> None:
    booking = booked(fields, supplier, flags)
    assert code in {hold.code for hold in booking.holds} and not booking.exported
    assert all(hold.message for hold in booking.holds)


def test_one_unsure_total_is_trusted_when_the_other_two_imply_it() -> None:
    fields = invoice_fields(source="text")
    fields["total_tax"] = field("20.00", 0.7, "text")
    assert booked(fields).exported
    fields["total_incl_tax"] = field("120.00", 0.7, "text")
    assert [hold.code for hold in booked(fields).holds] == [HoldCode.low_confidence] * 2
    fields = {**invoice_fields(source="text", incl="121.00"), "total_tax": field("20.00", 0.7, "text")}
    assert HoldCode.low_confidence in {hold.code for hold in booked(fields).holds}


def test_a_learned_expense_account_is_not_a_default() -> None:
    booking = booked(invoice_fields(), Supplier("401732829320", "Dupont", "606000"), expense="607000")
    assert booking.entry is not None and not booking.entry.default_expense
    assert lines(booking)[0] == ("606000", 10000, 0)


def test_a_fixed_asset_s_vat_goes_to_445620() -> None:
    booking = booked(invoice_fields(), Supplier("401732829320", "Dupont", "218300"))
    assert lines(booking) == [("218300", 10000, 0), ("445620", 2000, 0), ("401000", 0, 12000)]


def test_cents_and_euros() -> None:
    assert [cents(v) for v in ("12.34", "-0.01", "1e3", "0.005", "x", None, "NaN")] == [1234, -1, 100000, 1, None,
                                                                                        None, None]
    assert euros(123456) == "1\u202f234,56 €" and euros(-5) == "-0,05 €"


amount = st.integers(min_value=-10**9, max_value=10**9)
rate = st.sampled_from(["20.00", "10.00", "5.50", "2.10", "0.00"])


@given(st.lists(st.tuples(rate, amount, amount), min_size=1, max_size=4), st.integers(-3, 3),
       st.booleans(), st.booleans())
def test_every_entry_balances_to_the_cent(rows: list[tuple[str, int, int]], off: int, credit_note: bool,
                                          eu: bool) -> None:
    excl = sum(base for _, base, _ in rows)
    tax = sum(t for _, _, t in rows)
    as_text = [(r, f"{b / 100:.2f}", f"{t / 100:.2f}") for r, b, t in rows]
    fields = invoice_fields(excl=f"{excl / 100:.2f}", tax=f"{tax / 100:.2f}", incl=f"{(excl + tax + off) / 100:.2f}",
                            rows=as_text, document_type="credit_note" if credit_note else "invoice")
    booking = booked(fields, Supplier("401X", "X", None, "DE" if eu else None))
    if booking.entry is not None:
        entry = booking.entry
        assert entry.balanced
        assert all(line.debit >= 0 and line.credit >= 0 and (line.debit == 0) != (line.credit == 0)
                   for line in entry.lines)
