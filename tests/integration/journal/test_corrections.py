"""`PATCH /v1/documents/{id}/fields` on both stacks: a correction releases a held invoice into the
journal, is audited, survives a reprocessing, and teaches the supplier's expense account; only the
account's users correct, and only processed documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import facturx
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from ingest.documents.einvoice import parse_einvoice
from ingest.journal.tables import SupplierAccount
from ingest.platform.models import Document
from tests.integration.conftest import Firm, Stack
from tests.integration.journal.conftest import Books
from tests.integration.journal.test_journal_api import YEAR, invoices, journal  # noqa: F401  (a fixture)
from tests.support.pdfa import pdfa3_problems
from tests.unit.journal.fec_checks import check_fec


def patch(client: TestClient, books: Books, doc: Document, body: dict[str, Any], **kw: Any) -> Any:
    return client.patch(f"/v1/documents/{doc.id}/fields", json=body, headers=kw.get("headers", books.headers))


def pieces(client: TestClient, books: Books) -> set[str]:
    text = journal(client, books).text
    assert check_fec(text) == []
    return {line.split("\t")[8] for line in text.splitlines()[1:]}


def test_a_correction_releases_the_held_invoice_and_is_audited(
        client: TestClient, books: Books, invoices: list[Document], stack: Stack) -> None:  # noqa: F811
    held = invoices[2]  # its total incl. tax was 1 500,00 € against 1 481,47 € of excl. + VAT
    assert pieces(client, books) == {"F-1", "F-2"}
    wrong = patch(client, books, held, {"fields": {"total_incl_tax": "1480.00"}})
    assert wrong.status_code == 200 and not wrong.json()["exported"]
    assert [h["code"] for h in wrong.json()["holds"]] == ["amounts_disagree"]  # the person's flag closed, not the sum
    right = patch(client, books, held, {"fields": {"total_incl_tax": "1481.47"}})
    assert right.status_code == 200, right.text
    answer = right.json()
    assert answer["exported"] and answer["holds"] == [], answer
    assert answer["fields"]["total_incl_tax"] == {"value": "1481.47", "confidence": 1.0, "source": "correction"}
    assert pieces(client, books) == {"F-1", "F-2", "F-3"}
    review = client.get(f"/v1/dossiers/{books.dossier_id}/review", headers=books.headers).json()
    assert review["total"] == 0
    audit = client.get("/v1/audit", params={"action": "document.fields_corrected"}, headers=books.headers).json()
    assert audit["total"] == 2 and audit["items"][0]["target_id"] == held.id
    assert audit["items"][0]["actor_id"] == books.account.user_id
    assert audit["items"][0]["detail"] == {"fields": ["total_incl_tax"], "expense_account": None}

    # A reprocessing rewrites what was read; the correction stays over it.
    with Session(stack.engine) as session:
        session.execute(sa.update(Document).where(Document.id == held.id).values(fields=held.fields))
        session.commit()
    assert "F-3" in pieces(client, books)
    # The document shows its fields as corrected, as the journal books them.
    shown = client.get(f"/v1/documents/{held.id}", headers=books.headers).json()["fields"]
    assert shown["total_incl_tax"] == {"value": "1481.47", "confidence": 1.0, "source": "correction"}
    assert shown["total_excl_tax"]["source"] != "correction" and shown["total_excl_tax"]["confidence"] == 1.0


def test_a_correction_teaches_the_suppliers_expense_account(client: TestClient, books: Books,
                                                            invoices: list[Document], stack: Stack) -> None:  # noqa: F811
    taught = patch(client, books, invoices[0], {"expense_account": "606000"})
    assert taught.status_code == 200 and taught.json()["entry"]["default_expense"] is False
    rows = [line.split("\t") for line in journal(client, books).text.splitlines()[1:]]
    assert {r[4] for r in rows if r[4].startswith("60")} == {"606000"}  # every invoice of that supplier
    with Session(stack.engine) as session:
        accounts = session.exec(select(SupplierAccount).where(SupplierAccount.dossier_id == books.dossier_id)).all()
    assert [(a.number, a.expense_account) for a in accounts] == [("401732829320", "606000")]
    csv_rows = journal(client, books, format="csv").content.decode("utf-8-sig").splitlines()[1:]
    assert all(row.split(";")[11] == "non" for row in csv_rows)  # compte_par_defaut


def test_who_may_correct_and_what(client: TestClient, books: Books, invoices: list[Document], firm: Firm,  # noqa: F811
                                  operator_headers: dict[str, str], process: Callable[..., list[Document]]) -> None:
    doc = invoices[0]
    other = patch(client, books, doc, {"fields": {"total_tax": "1.00"}}, headers=firm.headers)
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    operator = patch(client, books, doc, {"fields": {"total_tax": "1.00"}}, headers=operator_headers)
    assert operator.status_code == 403 and operator.json()["code"] == "account_users_only"
    bad = patch(client, books, doc, {"fields": {"issue_date": "12/03/2026"}})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_correction"
    assert "'issue_date' takes a date as YYYY-MM-DD" in bad.json()["detail"]
    assert patch(client, books, doc, {"expense_account": "401000"}).json()["code"] == "invalid_expense_account"
    broken = b"<?xml version='1.0'?><Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'><ID>"
    [rejected] = process(books.upload(client, [("broken.xml", broken)]))
    assert rejected.state == "rejected"
    refused = patch(client, books, rejected, {"fields": {}})
    assert refused.status_code == 409 and refused.json()["code"] == "not_processed"
    not_exported = client.get(f"/v1/documents/{rejected.id}/einvoice.xml", headers=books.headers)
    assert not_exported.status_code == 409 and not_exported.json()["code"] == "not_processed"
    audit = client.get("/v1/audit", params={"action": "document.fields_corrected"}, headers=books.headers).json()
    assert audit["total"] == 0  # nothing refused was recorded


def test_an_invoice_exports_as_en16931_with_its_corrections(client: TestClient, books: Books,
                                                            invoices: list[Document], firm: Firm) -> None:  # noqa: F811
    path = f"/v1/documents/{invoices[0].id}/einvoice.xml"
    resp = client.get(path, headers=books.headers)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/xml")
    assert f'filename="facture-{invoices[0].id}.xml"' in resp.headers["content-disposition"]
    parsed = parse_einvoice(resp.content)
    assert (parsed.fields["total_incl_tax"].value, parsed.fields["invoice_number"].value) == ("1481.47", "F-1")
    assert patch(client, books, invoices[0], {"fields": {"invoice_number": "F-0001"}}).status_code == 200
    assert parse_einvoice(client.get(path, headers=books.headers).content).fields["invoice_number"].value == "F-0001"
    other = client.get(path, headers=firm.headers)
    assert other.status_code == 404 and other.json()["code"] == "not_found"


def test_a_pdf_invoice_becomes_a_facturx_pdf(client: TestClient, books: Books, invoices: list[Document],  # noqa: F811
                                              process: Callable[..., list[Document]], firm: Firm) -> None:
    resp = client.get(f"/v1/documents/{invoices[0].id}/facturx.pdf", headers=books.headers)
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf"
    name, xml = facturx.get_xml_from_pdf(resp.content, check_xsd=True)
    assert name == "factur-x.xml"
    # The original (an fpdf2 file, not PDF/A) was rewritten: the file is PDF/A-3B in its structure.
    assert pdfa3_problems(resp.content, attachment="factur-x.xml") == []
    assert xml == client.get(f"/v1/documents/{invoices[0].id}/einvoice.xml", headers=books.headers).content
    assert client.get(f"/v1/documents/{invoices[0].id}/facturx.pdf", headers=firm.headers).status_code == 404
    [xml_upload] = process(books.upload(client, [("f.xml", xml)]))
    assert xml_upload.state == "processed", (xml_upload.reason, xml_upload.message)
    refused = client.get(f"/v1/documents/{xml_upload.id}/facturx.pdf", headers=books.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "not_a_pdf"
