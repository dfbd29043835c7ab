"""The journal's routes on both stacks: a FEC that passes the administration's checks, a CSV, the
entries held for review, supplier accounts opened once and renamed, the dossier's expense account,
the refusals, and no account seeing another's dossier."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ingest.platform.models import Document
from tests.integration.conftest import Firm
from tests.integration.journal.conftest import DOSSIER_SIREN, Books
from tests.support.invoices import invoice_lines, text_invoice_pdf
from tests.unit.journal.fec_checks import check_fec, check_filename

YEAR = {"from": "2026-01-01", "to": "2026-12-31"}


@pytest.fixture
def invoices(client: TestClient, books: Books, process: Callable[..., list[Document]]) -> list[Document]:
    """Two invoices of March 2026 that add up, and one whose total incl. tax does not (flagged)."""
    files = [("a.pdf", text_invoice_pdf(invoice_lines(day="12/03/2026", number="F-1"))),
             ("b.pdf", text_invoice_pdf(invoice_lines(day="02/03/2026", number="F-2"))),
             ("c.pdf", text_invoice_pdf(invoice_lines(day="20/03/2026", number="F-3", total="1 500,00 €")))]
    docs = process(books.upload(client, files))
    assert [d.state for d in docs] == ["processed"] * 3, [(d.state, d.reason, d.message) for d in docs]
    return docs


def journal(client: TestClient, books: Books, **params: str) -> Any:
    return client.get(f"/v1/dossiers/{books.dossier_id}/journal", params={**YEAR, **params}, headers=books.headers)


def test_the_fec_passes_the_checks_and_leaves_the_flagged_invoice_for_review(
        client: TestClient, books: Books, invoices: list[Document]) -> None:
    resp = journal(client, books, format="fec")
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/plain")
    name = f"{DOSSIER_SIREN}FEC20261231.txt"
    assert f'filename="{name}"' in resp.headers["content-disposition"] and check_filename(name) == []
    assert check_fec(resp.text) == []
    rows = [line.split("\t") for line in resp.text.splitlines()[1:]]
    assert {r[2] for r in rows} == {"1", "2"}  # the flagged one is not exported
    assert [r[8] for r in rows if r[4] == "401000"] == ["F-2", "F-1"]  # by invoice date
    assert {(r[4], r[11], r[12]) for r in rows if r[2] == "1"} == {("607000", "1234,56", "0,00"),
                                                                  ("445660", "246,91", "0,00"),
                                                                  ("401000", "0,00", "1481,47")}
    supplier = [r for r in rows if r[4] == "401000"][0]
    assert (supplier[6], supplier[7]) == ("401732829320", "Scierie Dupont SAS")

    review = client.get(f"/v1/dossiers/{books.dossier_id}/review", headers=books.headers).json()
    assert review["total"] == 1 and review["items"][0]["document_id"] == invoices[2].id
    held = review["items"][0]
    assert "open_flag" in {h["code"] for h in held["holds"]} and held["entry"]["piece"] == "F-3"
    entry_lines = held["entry"]["lines"]
    assert sum(line["debit_cents"] for line in entry_lines) == sum(line["credit_cents"] for line in entry_lines)


def test_the_csv_has_the_same_entries_and_says_what_is_a_default(
        client: TestClient, books: Books, invoices: list[Document]) -> None:
    resp = journal(client, books, format="csv")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    assert {r["ecriture"] for r in rows} == {"1", "2"} and {r["compte_par_defaut"] for r in rows} == {"oui"}
    assert rows[0]["date"] == "02/03/2026"


def test_a_period_takes_only_its_invoices(client: TestClient, books: Books, invoices: list[Document]) -> None:
    resp = journal(client, books, **{"from": "2026-03-10", "to": "2026-03-31"})
    assert check_fec(resp.text) == [] and {line.split("\t")[8] for line in resp.text.splitlines()[1:]} == {"F-1"}
    empty = journal(client, books, **{"from": "2025-01-01", "to": "2025-12-31"})
    assert empty.status_code == 200 and len(empty.text.splitlines()) == 1  # the header alone


def test_supplier_accounts_are_opened_once_and_renamed(client: TestClient, books: Books,
                                                       invoices: list[Document]) -> None:
    journal(client, books)
    journal(client, books)
    listed = client.get(f"/v1/dossiers/{books.dossier_id}/suppliers", headers=books.headers).json()
    assert listed["total"] == 1
    account = listed["items"][0]
    assert (account["number"], account["name"], account["supplier_key"]) == (
        "401732829320", "Scierie Dupont SAS", "siren:732829320")
    renamed = client.patch(f"/v1/dossiers/{books.dossier_id}/suppliers/{account['id']}",
                           json={"name": "Dupont (scierie)"}, headers=books.headers)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Dupont (scierie)"
    assert {line.split("\t")[7] for line in journal(client, books).text.splitlines()[1:]} >= {"Dupont (scierie)"}


def test_the_dossier_chooses_its_expense_account(client: TestClient, books: Books, invoices: list[Document]) -> None:
    path = f"/v1/dossiers/{books.dossier_id}/journal-settings"
    assert client.get(path, headers=books.headers).json() == {"expense_account": "607000"}
    assert client.put(path, json={"expense_account": "606000"}, headers=books.headers).status_code == 200
    accounts = {line.split("\t")[4] for line in journal(client, books).text.splitlines()[1:]}
    assert "606000" in accounts and "607000" not in accounts
    refused = client.put(path, json={"expense_account": "401000"}, headers=books.headers)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_expense_account"


def test_refusals_say_what_to_do(client: TestClient, books_factory: Callable[..., Books]) -> None:
    books = books_factory(siren=None)
    no_siren = journal(client, books)
    assert no_siren.status_code == 422 and no_siren.json()["code"] == "siren_required"
    assert "format=csv" in no_siren.json()["detail"]
    assert journal(client, books, format="csv").status_code == 200
    reversed_period = journal(client, books, **{"from": "2026-12-31", "to": "2026-01-01", "format": "csv"})
    assert reversed_period.status_code == 422 and reversed_period.json()["code"] == "period_reversed"
    assert journal(client, books, format="xls").json()["code"] == "invalid_request"
    assert journal(client, books, **{"from": "1999-12-31"}).json()["code"] == "invalid_request"
    missing = client.patch(f"/v1/dossiers/{books.dossier_id}/suppliers/nope", json={"name": "X"},
                           headers=books.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "supplier_not_found"


def test_an_account_never_sees_another_accounts_journal(client: TestClient, books: Books, invoices: list[Document],
                                                        firm: Firm) -> None:
    journal(client, books)  # opens the supplier's account
    supplier_id = client.get(f"/v1/dossiers/{books.dossier_id}/suppliers", headers=books.headers).json()["items"][0]
    base = f"/v1/dossiers/{books.dossier_id}"
    for method, path, kwargs in [("GET", "/journal", {"params": YEAR}), ("GET", "/review", {}),
                                 ("GET", "/suppliers", {}), ("GET", "/journal-settings", {}),
                                 ("PUT", "/journal-settings", {"json": {"expense_account": "606000"}}),
                                 ("PATCH", f"/suppliers/{supplier_id['id']}", {"json": {"name": "Pirate"}})]:
        resp = client.request(method, base + path, headers=firm.headers, **kwargs)
        assert resp.status_code == 404 and resp.json()["code"] == "not_found", (method, path, resp.text)
    # Its own dossier shows nothing of the other's suppliers.
    assert client.get(f"/v1/dossiers/{firm.dossier_id}/suppliers", headers=firm.headers).json()["total"] == 0
    assert client.get(f"{base}/suppliers", headers=books.headers).json()["items"][0]["name"] == "Scierie Dupont SAS"
