"""A document's page over HTTP, on both stacks, with a real worker processing the uploads: its fields in
French formats, its original to download with the session, previews drawn once and kept, pages
without a preview, other accounts' documents, refusals, e-invoices, duplicates, and previews going with
their document at the purge (and never taken for orphans before)."""

from __future__ import annotations

import html as markup
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from ingest.accounts.lifecycle import create_account
from ingest.documents.fields import FIELD_KEYS
from ingest.history.integrity import run_integrity
from ingest.history.purge import run_purge
from ingest.platform.columns import utcnow
from ingest.platform.models import Document
from ingest.store import derivative_key
from tests.integration.conftest import Stack, WorkerProcess, auth, wait_for
from tests.integration.web.pages import browser, change_password, sign_in
from tests.support.files import text_pdf
from tests.support.invoices import invoice_lines, text_invoice_pdf
from tests.support.store import exists as store_exists
from tests.support.store import read as store_read

FINAL = ("processed", "rejected", "failed")
FACTURX = "correct__FNFE-factur-x-examples__Facture_FR_BASICWL.pdf"
# An EN 16931 invoice: its XML names the customer and the payment terms and has lines.
WITH_LINES = "correct__intarsys__EN16931__zugferd_2p0_EN16931_Einfach.pdf"


@pytest.fixture(scope="module")
def doc_worker(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    """One real worker for the module's uploads (each test's documents are its own dossier's)."""
    worker = WorkerProcess(stack, tmp_path_factory.mktemp("doc-worker") / "worker.log").start()
    yield worker
    worker.stop()


@dataclass
class Reader:
    """A client of an accounting firm: its browser (signed in through the form), its key, a dossier."""

    page: TestClient
    headers: dict[str, str]
    dossier_id: str
    client: TestClient
    worker: WorkerProcess

    def upload(self, name: str, data: bytes) -> dict[str, Any]:
        resp = self.client.post("/v1/batches", data={"dossier_id": self.dossier_id}, files=[("files", (name, data))],
                                headers=self.headers)
        assert resp.status_code == 202, resp.text
        return dict(resp.json()["documents"][0]) | {"batch_id": resp.json()["id"]}

    def finished(self, doc_id: str) -> dict[str, Any]:
        seen: dict[str, Any] = {}

        def done() -> bool:
            seen.update(self.client.get(f"/v1/documents/{doc_id}", headers=self.headers).json())
            return seen.get("state") in FINAL

        try:
            wait_for(done, 180, interval=0.3, what=f"document {doc_id} to finish")
        except AssertionError:
            raise AssertionError(f"{seen}\n{self.worker.log()}") from None
        return seen

    def processed(self, name: str, data: bytes) -> dict[str, Any]:
        return self.finished(self.upload(name, data)["id"])

    def html(self, path: str) -> str:
        resp = self.page.get(path)
        assert resp.status_code == 200, resp.text
        return plain(resp.text)


@pytest.fixture
def reader(client: TestClient, stack: Stack, doc_worker: WorkerProcess) -> Reader:
    email = f"admin-{uuid.uuid4().hex[:8]}@martin.test"
    with Session(stack.engine) as session:
        account = create_account(session, "Cabinet Martin", "firm", email, initial_password=True)
    headers = auth(account.api_key)
    dossier = client.post("/v1/dossiers", json={"name": "SARL Dupont"}, headers=headers).json()["id"]
    page = browser(client)
    sign_in(page, email, str(account.initial_password))
    change_password(page, str(account.initial_password))
    return Reader(page, headers, dossier, client, doc_worker)


def plain(html: str) -> str:
    """A page's text with its entities read (``n&#39;est`` as ``n'est``) and Babel's (narrow) no-break
    spaces as plain spaces, for simple matching."""
    return markup.unescape(html).replace("\u202f", " ").replace("\xa0", " ")


def png_size(data: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.size


def test_a_processed_invoice_shows_its_fields_in_french_and_its_original(reader: Reader) -> None:
    data = text_invoice_pdf(invoice_lines(number="F2026-0042"))
    sent = reader.upload("facture-mars.pdf", data)
    doc = reader.finished(sent["id"])
    assert doc["state"] == "processed", doc
    html = reader.html(f"/app/documents/{doc['id']}")
    assert "<h1" in html and "facture-mars.pdf" in html and "traité" in html
    assert "SARL Dupont" in html and f'href="/app/batches/{sent["batch_id"]}"' in html
    assert re.search(r"Reçu le</dt><dd>\d\d/\d\d/20\d\d \d\d:\d\d", html)
    for label, value in (("Numéro de facture", "F2026-0042"), ("Date de facture", "12/03/2026"),
                         ("Total HT", "1 234,56 €"), ("Total TVA", "246,91 €"), ("Total TTC", "1 481,47 €"),
                         ("SIREN du fournisseur", "732 829 320"), ("N° de TVA du fournisseur", "FR44732829320")):
        assert re.search(rf"<th scope=\"row\">{re.escape(label)}</th>\s*<td[^>]*>{re.escape(value)}</td>", html), label
    assert "98 %" in html and "texte du PDF" in html  # the total's confidence and its source
    assert "Aucun point à vérifier" in html
    assert f'href="/v1/documents/{doc["id"]}/content"' in html
    assert f'src="/app/documents/{doc["id"]}/pages/1.png" alt="Page 1 sur 1"' in html and 'loading="lazy"' in html
    assert "<script>" not in html and " style=" not in html

    download = reader.page.get(f"/v1/documents/{doc['id']}/content")  # the session cookie is enough
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-disposition"].startswith('attachment; filename="facture-mars.pdf"')
    assert f'href="/app/documents/{doc["id"]}"' in reader.html(f"/app/batches/{sent['batch_id']}")

    english = reader.html(f"/app/documents/{doc['id']}?lang=en")
    assert "Total incl. tax" in english and "€1,481.47" in english and "12/03/2026" in english
    assert "PDF text" in english and "Page 1 of 1" in english


def test_a_preview_is_a_png_drawn_once_and_kept(reader: Reader, stack: Stack) -> None:
    doc = reader.processed("deux-pages.pdf", text_pdf("Facture F-77\nTotal TTC 10,00 EUR", pages=2))
    assert doc["pages"] == 2
    first = reader.page.get(f"/app/documents/{doc['id']}/pages/1.png")
    assert first.status_code == 200 and first.headers["content-type"] == "image/png"
    assert first.headers["cache-control"] == "private, max-age=3600"
    assert png_size(first.content) == (900, 1273)
    kept = derivative_key(doc["id"], "preview-1.png")
    assert store_read(stack.store, kept) == first.content
    # What the store holds is what is served: a changed object comes back as it is, nothing drawn again.
    marker = io.BytesIO()
    Image.new("L", (90, 127), 128).save(marker, format="PNG")
    stack.store.put_bytes(kept, marker.getvalue())
    assert reader.page.get(f"/app/documents/{doc['id']}/pages/1.png").content == marker.getvalue()
    assert png_size(reader.page.get(f"/app/documents/{doc['id']}/pages/2.png").content) == (900, 1273)

    beyond = reader.page.get(f"/app/documents/{doc['id']}/pages/3.png")
    assert beyond.status_code == 404 and "n'existe pas" in plain(beyond.text)
    assert reader.page.get(f"/app/documents/{doc['id']}/pages/0.png").status_code == 422
    assert reader.page.get(f"/app/documents/{doc['id']}/pages/x.png").status_code == 422
    html = reader.html(f"/app/documents/{doc['id']}")
    assert 'alt="Page 1 sur 2"' in html and 'alt="Page 2 sur 2"' in html


def test_only_the_first_pages_have_previews(reader: Reader) -> None:
    doc = reader.processed("longue.pdf", text_pdf("Facture F-8", pages=7))
    html = reader.html(f"/app/documents/{doc['id']}")
    assert html.count('class="doc-page"') == 5 and 'alt="Page 5 sur 7"' in html
    assert "Les 2 pages suivantes n'ont pas d'aperçu" in html
    assert reader.page.get(f"/app/documents/{doc['id']}/pages/6.png").status_code == 404


def test_another_accounts_document_is_not_found(reader: Reader, client: TestClient, stack: Stack) -> None:
    with Session(stack.engine) as session:
        stranger = create_account(session, "Cabinet Autre", "firm", f"{uuid.uuid4().hex[:8]}@autre.test")
    dossier = client.post("/v1/dossiers", json={"name": "SCI Autre"}, headers=auth(stranger.api_key)).json()["id"]
    theirs = client.post("/v1/batches", data={"dossier_id": dossier}, headers=auth(stranger.api_key),
                         files=[("files", ("autre.pdf", text_pdf("Autre")))]).json()["documents"][0]["id"]
    wait_for(lambda: client.get(f"/v1/documents/{theirs}", headers=auth(stranger.api_key)).json()["state"] in FINAL,
             180, what="the stranger's document")
    for path in (f"/app/documents/{theirs}", f"/app/documents/{theirs}/pages/1.png",
                 f"/app/documents/{uuid.uuid4()}", f"/app/documents/{uuid.uuid4()}/pages/1.png"):
        resp = reader.page.get(path)
        assert resp.status_code == 404 and "n'est pas visible depuis votre compte" in plain(resp.text), path
        assert "SCI Autre" not in resp.text and "autre.pdf" not in resp.text
    assert reader.page.get(f"/v1/documents/{theirs}/content").status_code == 404


def test_a_rejected_document_says_why_and_has_no_preview(reader: Reader) -> None:
    doc = reader.processed("abimee.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\ngarbage, no xref, no trailer\n")
    assert (doc["state"], doc["reason"]) == ("rejected", "damaged"), doc
    html = reader.html(f"/app/documents/{doc['id']}")
    assert "Document refusé." in html and "refusé</span>" in html
    assert "Le document est endommagé et illisible : exportez-le à nouveau depuis son logiciel d'origine." in html
    assert "Détail technique" in html and doc["message"] in html
    assert "Aucun aperçu : le document n'a pas pu être lu." in html and 'class="doc-page"' not in html
    assert reader.page.get(f"/app/documents/{doc['id']}/pages/1.png").status_code == 404


def test_an_einvoice_shows_its_data_from_the_xml(reader: Reader, corpus: Path, stack: Stack) -> None:
    doc = reader.processed(FACTURX, (corpus / FACTURX).read_bytes())
    # Dated 2017: outside the two-year history, so refused, and what it says is shown all the same.
    assert (doc["state"], doc["reason"]) == ("rejected", "outside_history"), doc
    html = reader.html(f"/app/documents/{doc['id']}")
    assert "Facture électronique</h2>" in html and "Factur-X" in html and "BASIC WL" in html
    assert "antérieure à l'historique de deux ans" in html
    assert "13/11/2017" in html
    # Every field the XML's but the lines, which BASIC WL does not carry: the page's.
    assert html.count('<span class="source">facture électronique (XML)</span>') == len(doc["fields"]) - 1
    assert doc["fields"]["line_items"]["source"] == "text"
    assert 'alt="Page 1 sur' in html  # its PDF pages are shown

    xml = store_read(stack.store, derivative_key(doc["id"], "einvoice.xml"))
    bare = reader.processed("facture.xml", xml)
    bare_html = reader.html(f"/app/documents/{bare['id']}")
    assert "Facture électronique XML" in bare_html and "Factur-X" in bare_html
    assert "faite de données, pas de pages" in bare_html and 'class="doc-page"' not in bare_html
    assert reader.page.get(f"/app/documents/{bare['id']}/pages/1.png").status_code == 404


def test_an_einvoice_shows_its_customer_terms_and_lines(reader: Reader, corpus: Path) -> None:
    doc = reader.processed(WITH_LINES, (corpus / WITH_LINES).read_bytes())
    keys = list(doc["fields"])
    assert keys == [key for key in FIELD_KEYS if key in keys]  # the canonical order, the new keys last
    assert {"customer_name", "payment_terms", "line_items"} <= set(keys) and "po_number" not in keys
    assert [line["net_amount"] for line in doc["fields"]["line_items"]["value"]] == ["198.00", "275.00"]
    html = plain(reader.html(f"/app/documents/{doc['id']}"))
    for label, value in (("Client", "Kunden AG Mitte"),
                         ("Conditions de paiement", "Zahlbar innerhalb 30 Tagen netto bis 04.04.2018")):
        assert re.search(rf"<th scope=\"row\">{re.escape(label)}</th>\s*<td[^>]*>{re.escape(value)}", html), label
    table = html[html.index('<table class="doc-lines">'):html.index("</table>", html.index("doc-lines"))]
    assert "Lignes de la facture" in html and "Désignation" in table and "PU HT" in table
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert cells[:5] == ["Trennblätter A4", "20 u.", "9,90 €", "19 %", "198,00 €"], cells
    assert len(cells) == 10


def test_a_duplicate_links_to_its_original(reader: Reader) -> None:
    data = text_invoice_pdf(invoice_lines(number="D-2026-9"))
    first = reader.processed("original.pdf", data)
    again = reader.processed("copie.pdf", data)
    assert again["duplicate_of"] == first["id"], again
    html = reader.html(f"/app/documents/{again['id']}")
    assert "Doublon." in html and f'href="/app/documents/{first["id"]}">original.pdf, reçu le' in html
    assert "Il n'est pas compté dans votre consommation." in html
    assert "Doublon." not in reader.html(f"/app/documents/{first['id']}")


def test_a_document_whose_original_is_gone_has_no_preview(reader: Reader, stack: Stack) -> None:
    doc = reader.processed("perdue.pdf", text_pdf(f"Facture {uuid.uuid4()}"))
    with Session(stack.engine) as session:
        row = session.get(Document, doc["id"])
        assert row is not None
        stack.store.delete_many([row.object_key])
    html = reader.html(f"/app/documents/{doc['id']}")
    assert "le fichier d'origine n'est plus dans notre stockage" in html
    assert "/content" not in html and 'class="doc-page"' not in html
    assert reader.page.get(f"/app/documents/{doc['id']}/pages/1.png").status_code == 404


def test_previews_go_with_their_document_at_the_purge(reader: Reader, stack: Stack) -> None:
    doc = reader.processed("ancienne.pdf", text_pdf(f"Facture {uuid.uuid4()}", pages=2))
    for n in (1, 2):
        assert reader.page.get(f"/app/documents/{doc['id']}/pages/{n}.png").status_code == 200
    previews = [derivative_key(doc["id"], f"preview-{n}.png") for n in (1, 2)]
    # While the document's row exists, its previews are not orphans, however old the scan thinks they are.
    run_integrity(stack.engine, stack.store, now=utcnow() + timedelta(days=2))
    assert all(store_exists(stack.store, key) for key in previews)

    docs = Document.__table__  # type: ignore[attr-defined]
    with stack.engine.begin() as conn:  # as if it had been received three years ago
        conn.execute(sa.update(docs).where(docs.c.id == doc["id"]).values(reference_date=date(2023, 1, 2)))
    result = run_purge(stack.engine, stack.store)
    assert not result.failures
    assert not any(store_exists(stack.store, key) for key in previews)
    assert reader.page.get(f"/app/documents/{doc['id']}").status_code == 404
