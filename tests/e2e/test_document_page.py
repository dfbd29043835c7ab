"""A document's page in a real browser: reached from its batch, its invoice fields in French formats, the
preview of its page drawn and shown, accessible (axe, WCAG 2.1 AA), fitting a phone; another account's
document is a 404 page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from ingest.accounts.lifecycle import NewAccount
from tests.e2e.conftest import PHONE, Service, assert_accessible
from tests.e2e.people import NEW_PASSWORD, sign_in_first_time
from tests.support.files import text_pdf
from tests.support.invoices import invoice_lines, text_invoice_pdf

Shoot = Callable[[Page, str], Path]
IMAGE_SHOWN = """() => {
  const images = [...document.querySelectorAll('img.doc-page')];
  return images.length > 0 && images.every(i => i.complete && i.naturalWidth > 0);
}"""


def _key(account: NewAccount) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.api_key}"}


def _processed(service: Service, account: NewAccount, name: str, data: bytes) -> dict[str, Any]:
    """Upload one file into a new dossier and wait until the worker has finished it."""
    dossier = httpx.post(f"{service.url}/v1/dossiers", json={"name": "SARL Dupont & Fils"},
                         headers=_key(account)).json()["id"]
    sent = httpx.post(f"{service.url}/v1/batches", data={"dossier_id": dossier}, files=[("files", (name, data))],
                      headers=_key(account), timeout=60)
    assert sent.status_code == 202, sent.text
    doc_id = sent.json()["documents"][0]["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        doc: dict[str, Any] = httpx.get(f"{service.url}/v1/documents/{doc_id}", headers=_key(account)).json()
        if doc["state"] in ("processed", "rejected", "failed"):
            return doc | {"batch_id": sent.json()["id"]}
        time.sleep(0.3)
    raise AssertionError(f"document {doc_id} did not finish:\n{service.logs()}")


def email_of(service: Service, account: NewAccount) -> str:
    return str(httpx.get(f"{service.url}/v1/auth/me", headers=_key(account)).json()["email"])


def _sign_in(page: Page, service: Service, email: str) -> None:
    page.goto(f"{service.url}/app/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/app/$"))


def test_a_processed_invoice_with_its_fields_and_its_preview(service: Service, page: Page, shoot: Shoot,
                                                              make_page: Callable[..., Page]) -> None:
    account = service.new_account("Cabinet Lefèvre")
    email = email_of(service, account)
    doc = _processed(service, account, "facture-scierie-mars.pdf", text_invoice_pdf(invoice_lines()))
    assert doc["state"] == "processed", doc
    sign_in_first_time(page, service, email, str(account.initial_password))

    page.goto(f"{service.url}/app/batches/{doc['batch_id']}")
    page.get_by_role("link", name="facture-scierie-mars.pdf").click()
    expect(page).to_have_url(re.compile(rf"/app/documents/{doc['id']}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("facture-scierie-mars.pdf")
    total = page.get_by_role("row", name=re.compile("Total TTC"))
    expect(total).to_contain_text(re.compile(r"1\s481,47\s€"))
    expect(total).to_contain_text(re.compile(r"98\s%"))
    expect(page.get_by_role("row", name=re.compile("Date de facture"))).to_contain_text("12/03/2026")
    expect(page.get_by_role("link", name="Télécharger l'original")).to_have_attribute(
        "href", f"/v1/documents/{doc['id']}/content")
    expect(page.get_by_role("img", name="Page 1 sur 1")).to_be_visible()
    page.wait_for_function(IMAGE_SHOWN, timeout=30_000)
    assert page.evaluate("document.querySelector('img.doc-page').naturalWidth") == 900
    assert_accessible(page)
    shoot(page, "document")

    phone = make_page(PHONE["width"], PHONE["height"], is_mobile=True, has_touch=True)
    _sign_in(phone, service, email)
    phone.goto(f"{service.url}/app/documents/{doc['id']}")
    phone.get_by_role("img", name="Page 1 sur 1").scroll_into_view_if_needed()
    phone.wait_for_function(IMAGE_SHOWN, timeout=30_000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(phone)
    shoot(phone, "document-phone")


def test_another_accounts_document_is_not_found(service: Service, page: Page, shoot: Shoot) -> None:
    stranger = service.new_account("Cabinet Autre")
    theirs = _processed(service, stranger, "autre.pdf", text_pdf("Facture de quelqu'un d'autre"))
    account = service.new_account("Cabinet Roux")
    sign_in_first_time(page, service, email_of(service, account), str(account.initial_password))
    response = page.goto(f"{service.url}/app/documents/{theirs['id']}")
    assert response is not None and response.status == 404
    expect(page.get_by_text("n'est pas visible depuis votre compte")).to_be_visible()
    expect(page.get_by_text("autre.pdf")).to_have_count(0)


def test_an_einvoices_lines_are_a_table_that_fits_a_phone(service: Service, shoot: Shoot, corpus: Path,
                                                          make_page: Callable[..., Page]) -> None:
    account = service.new_account("Cabinet Roux")
    name = "correct__intarsys__EN16931__zugferd_2p0_EN16931_Einfach.pdf"
    doc = _processed(service, account, name, (corpus / name).read_bytes())
    assert len(doc["fields"]["line_items"]["value"]) == 2, doc
    phone = make_page(PHONE["width"], PHONE["height"], is_mobile=True, has_touch=True)
    sign_in_first_time(phone, service, email_of(service, account), str(account.initial_password))
    phone.goto(f"{service.url}/app/documents/{doc['id']}")
    expect(phone.get_by_role("row", name=re.compile("^Client")).first).to_contain_text("Kunden AG Mitte")
    lines = phone.locator("table.doc-lines")
    lines.scroll_into_view_if_needed()
    expect(lines.get_by_role("columnheader", name="Désignation")).to_be_visible()
    expect(lines.locator("tbody tr")).to_have_count(2)
    expect(lines.locator("tbody tr").first).to_contain_text(re.compile(r"Trennblätter A4.*20 u\..*9,90\s€.*198,00\s€"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(phone)
    shoot(phone, "document-lines-phone")


def test_a_refused_einvoice_says_why_and_shows_its_data(service: Service, page: Page, shoot: Shoot,
                                                        corpus: Path) -> None:
    account = service.new_account("Cabinet Blanc")
    name = "correct__FNFE-factur-x-examples__Facture_FR_BASICWL.pdf"
    doc = _processed(service, account, name, (corpus / name).read_bytes())
    assert (doc["state"], doc["reason"]) == ("rejected", "outside_history"), doc  # dated 2017
    sign_in_first_time(page, service, email_of(service, account), str(account.initial_password))
    page.goto(f"{service.url}/app/documents/{doc['id']}")
    expect(page.get_by_text("Document refusé.")).to_be_visible()
    expect(page.get_by_text(re.compile("antérieure à l'historique de deux ans"))).to_be_visible()
    expect(page.get_by_role("heading", name="Facture électronique")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Date de facture"))).to_contain_text("13/11/2017")
    page.get_by_role("img", name=re.compile(r"Page 1 sur \d")).scroll_into_view_if_needed()
    page.wait_for_function(IMAGE_SHOWN, timeout=30_000)
    assert_accessible(page)
    shoot(page, "document-einvoice-refused")
