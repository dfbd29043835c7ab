"""Every invoice of the real e-invoice corpus, processed through the real path, makes an entry that
balances to the cent; the dossier's FEC passes the administration's checks; credit notes, reverse
charge and exemptions are booked as the invoices say."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import facturx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from ingest.accounts.lifecycle import create_account
from ingest.documents.einvoice import parse_einvoice
from ingest.journal.entries import Booking, HoldCode, cents
from ingest.journal.period import Period, bookings
from ingest.platform.models import Document
from tests.integration.conftest import Stack, auth
from tests.integration.journal.conftest import DOSSIER_SIREN, Books, process_now
from tests.unit.journal.fec_checks import check_fec

# Processing's clock for the corpus: its invoices are dated 2017 and 2018, inside the history then.
CORPUS_CLOCK = datetime(2018, 12, 20, 12, tzinfo=UTC)
pytestmark = pytest.mark.corpus
AMOUNTS_AND_IDS = ("document_type", "invoice_number", "issue_date", "currency", "total_excl_tax", "total_tax",
                   "total_incl_tax", "vat_breakdown")


@pytest.fixture(scope="module")
def corpus_books(stack: Stack, corpus: Path) -> tuple[Books, list[Document]]:
    """The corpus uploaded and processed once for the module's tests, which read what it made (the FEC
    test confirms invoices a person would, which changes none of their fields)."""
    from api.app import create_app

    with Session(stack.engine) as session:
        account = create_account(session, f"Cabinet {uuid.uuid4().hex[:6]}", "firm",
                                 f"{uuid.uuid4().hex[:8]}@example.test")
    with TestClient(create_app(stack.settings)) as client:
        resp = client.post("/v1/dossiers", json={"name": "Menuiserie Martin SARL", "siren": DOSSIER_SIREN},
                           headers=auth(account.api_key))
        assert resp.status_code == 201, resp.text
        books = Books(account, resp.json()["id"], auth(account.api_key))
        files = sorted(corpus.glob("*.pdf"))
        ids = books.upload(client, [(f.name, f.read_bytes()) for f in files])
    docs = process_now(stack, ids, at=CORPUS_CLOCK)
    assert len(docs) == len(files) and all(d.state == "processed" for d in docs), \
        [(d.filename, d.state, d.reason) for d in docs if d.state != "processed"]
    return books, docs


def amount(booking: Booking, key: str) -> int:
    value = cents(booking.invoice.fields[key]["value"])
    assert value is not None
    return abs(value)


def test_every_corpus_invoice_makes_a_balanced_entry(corpus_books: tuple[Books, list[Document]],
                                                     stack: Stack) -> None:
    books, docs = corpus_books
    invoices = [d.id for d in docs if d.duplicate_of is None]
    booked = list(bookings(stack.engine, books.dossier_id, Period()))
    assert sorted(b.invoice.document_id for b in booked) == sorted(invoices) and len(booked) >= 25
    for b in booked:
        entry = b.entry
        assert entry is not None and entry.balanced, b
        by_account: dict[str, int] = {}
        for line in entry.lines:
            by_account[line.account] = by_account.get(line.account, 0) + line.debit + line.credit
        # The entry carries the invoice's own totals: what is owed, the expense, the VAT charged.
        assert by_account["401000"] == amount(b, "total_incl_tax")
        assert by_account[entry.lines[0].account] == amount(b, "total_excl_tax")
        reverse = by_account.get("445200", 0)
        assert by_account.get("445660", 0) - reverse == amount(b, "total_tax")


def _numbers(booked: list[Booking], test: Callable[[Booking], bool]) -> set[str]:
    return {b.invoice.fields["invoice_number"]["value"] for b in booked if test(b)}


def test_credit_notes_reverse_charge_and_exemptions_as_the_invoices_say(
        corpus_books: tuple[Books, list[Document]], stack: Stack) -> None:
    books, _ = corpus_books
    booked = list(bookings(stack.engine, books.dossier_id, Period()))
    # Category K (intra-community) on the French and the German samples; E (exempt insurance,
    # physiotherapy) and G (export to an overseas department) charge no VAT and owe none either.
    assert _numbers(booked, lambda b: b.entry is not None and b.entry.reverse_charge) == {"FA-2017-0008", "47110818"}
    exempt = _numbers(booked, lambda b: b.entry is not None and not b.entry.reverse_charge
                      and {line.account for line in b.entry.lines} == {"607000", "401000"})
    assert {"FA-2017-0009", "00.123.456.7-2018-1", "R18-31", "01.234.567.8-2018-1"} <= exempt
    # The credit note (type 381, positive amounts) and the same one as an invoice of negative amounts
    # (type 380) make the same reversed entry.
    notes = [b.entry for b in booked if b.entry is not None and b.entry.piece == "AV-2017-0005"]
    assert len(notes) == 2 and [n.credit_note for n in notes].count(True) == 1
    assert all([(line.account, line.debit, line.credit) for line in n.lines][-1] == ("401000", 23347, 0)
               for n in notes)
    # German VAT rates (19 %, 7 %) are not deductible in France: held with the flag that says so.
    german = [b for b in booked if "vat_rate_invalid" in " ".join(h.message for h in b.holds)]
    assert len(german) >= 10 and all(not b.exported for b in german)
    assert HoldCode.foreign_currency in {h.code for b in booked for h in b.holds}


def test_the_corpus_fec_passes_the_checks(corpus_books: tuple[Books, list[Document]], client: TestClient,
                                          stack: Stack) -> None:
    books, _ = corpus_books
    # Sample invoices print made-up VAT numbers (DE123456789) that fail their check digits: held with
    # identity_mismatch until a person confirms them, as an accountant does here.
    for b in bookings(stack.engine, books.dossier_id, Period()):
        if b.holds and all(h.code == HoldCode.open_flag and h.message.startswith("identity_mismatch:")
                           for h in b.holds):
            confirmed = client.patch(f"/v1/documents/{b.invoice.document_id}/fields", json={},
                                     headers=books.headers)
            assert confirmed.status_code == 200 and confirmed.json()["exported"], confirmed.text
    resp = client.get(f"/v1/dossiers/{books.dossier_id}/journal", headers=books.headers,
                      params={"from": "2017-01-01", "to": "2018-12-31", "format": "fec"})
    assert resp.status_code == 200 and check_fec(resp.text) == []
    rows = [line.split("\t") for line in resp.text.splitlines()[1:]]
    exported = [b for b in bookings(stack.engine, books.dossier_id, Period()) if b.exported]
    assert len({r[2] for r in rows}) == len(exported) >= 8
    owed = sum(int(r[12].replace(",", "")) - int(r[11].replace(",", "")) for r in rows if r[4] == "401000")
    signed = {"invoice": 1, "credit_note": -1}
    assert owed == sum(signed[b.invoice.fields["document_type"]["value"]] * cents(
        b.invoice.fields["total_incl_tax"]["value"]) or 0 for b in exported)


def test_every_corpus_invoice_exports_as_a_valid_en16931_invoice_with_its_amounts(
        corpus_books: tuple[Books, list[Document]], client: TestClient) -> None:
    books, docs = corpus_books
    valid, incomplete = [], []
    for doc in docs:
        resp = client.get(f"/v1/documents/{doc.id}/einvoice.xml", headers=books.headers)
        if resp.status_code == 422:
            assert resp.json()["code"] == "einvoice_incomplete" and "vat_breakdown" in resp.json()["detail"]
            incomplete.append(doc)
            continue
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/xml"), resp.text
        assert facturx.xml_check_xsd(resp.content, flavor="factur-x", level="en16931")
        parsed = parse_einvoice(resp.content)
        original = {key: doc.fields[key]["value"] for key in AMOUNTS_AND_IDS if key in (doc.fields or {})}
        exported = {key: parsed.fields[key].value for key in original}
        if "vat_breakdown" in original and doc.fields["vat_breakdown"]["source"] != "einvoice":
            # A MINIMUM invoice's breakdown read from its page has no category; the export states one.
            exported["vat_breakdown"] = [{key: row[key] for key in ("rate", "base", "tax")}
                                         for row in exported["vat_breakdown"]]
        assert exported == original, doc.filename
        valid.append(doc)
    # Only MINIMUM-profile files, which carry no VAT breakdown, whose page gives none either and whose VAT total
    # no single French rate explains.
    assert all("MINIMUM" in doc.filename for doc in incomplete), [d.filename for d in incomplete]
    assert len(valid) >= len(docs) - 6


def test_a_facturx_pdf_received_is_handed_back_unchanged(corpus_books: tuple[Books, list[Document]],
                                                         client: TestClient, corpus: Path) -> None:
    books, docs = corpus_books
    for doc in docs[:3]:
        resp = client.get(f"/v1/documents/{doc.id}/facturx.pdf", headers=books.headers)
        assert resp.status_code == 200 and resp.content == (corpus / doc.filename).read_bytes()
