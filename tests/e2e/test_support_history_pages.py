"""Support requests and a dossier's history in a real browser: a request opened through the form with
an attachment chosen in the file input, found in the list with its deadline once qualified, opened,
its attachment downloaded; a dossier's history with what leaves it by month and a year's export
downloaded through its link; every page accessible (axe, WCAG 2.1 AA) and fitting a phone."""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from sqlmodel import Session

from ingest.accounts.lifecycle import NewAccount, create_operator
from ingest.contract.calendar import PARIS
from ingest.platform.models import Batch
from tests.e2e.conftest import Service, assert_accessible
from tests.e2e.people import email_of, new_dossier, sign_in_first_time
from tests.integration.history.test_purge import Place, add_doc
from tests.support.files import scan

Shoot = Callable[[Page, str], Path]
SUBJECT = "Le dépôt du 30/11 reste en cours"
DESCRIPTION = ("Les 12 factures déposées hier dans le dossier SARL Dupont sont toujours « en attente ».\n"
               "Le dépôt a pourtant été accepté.")
FRENCH_INSTANT = r"\d\d/\d\d/20\d\d \d\d:\d\d"


def _fits(page: Page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _qualify(service: Service, request_id: str, criticality: int) -> None:
    """The provider's staff pick the request up and qualify it, through the API."""
    with Session(service.engine) as session:
        key = create_operator(session, f"op-{uuid.uuid4().hex[:8]}@provider.test").api_key
    headers = {"Authorization": f"Bearer {key}"}
    base = f"{service.url}/v1/support-requests/{request_id}"
    assert httpx.post(f"{base}/pick-up", headers=headers).status_code == 200
    resp = httpx.post(f"{base}/qualify", json={"criticality": criticality}, headers=headers)
    assert resp.status_code == 200, resp.text


def _open_request(page: Page, service: Service, attachment: Path) -> str:
    """Open a request through the form with one attachment; its id."""
    page.goto(f"{service.url}/app/support")
    page.get_by_role("link", name="Ouvrir une demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ouvrir une demande de support")
    page.get_by_label("Objet").fill(SUBJECT)
    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_label("Contexte (facultatif)").fill("Dossier SARL Dupont, dépôt du 30/11 à 14:05")
    page.get_by_label("Pièces jointes (facultatif)").set_input_files(attachment)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page).to_have_url(re.compile(r"/app/support/[A-Za-z0-9_-]+$"))
    return page.url.rsplit("/", 1)[1]


def test_open_a_support_request_with_an_attachment_then_follow_it(service: Service, page: Page, shoot: Shoot,
                                                                   tmp_path: Path) -> None:
    account = service.new_account("Cabinet Lefèvre")
    sign_in_first_time(page, service, email_of(service, account), str(account.initial_password))
    page.get_by_role("link", name="Support", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes de support")
    expect(page.get_by_text("Aucune demande ne correspond.")).to_be_visible()

    page.get_by_role("link", name="Ouvrir une demande").click()
    expect(page.get_by_text(re.compile("plan d'action correctif est dû sous 12 heures ouvrées"))).to_be_visible()
    assert_accessible(page)
    shoot(page, "support-new")
    capture = tmp_path / "capture-écran.png"
    capture.write_bytes(scan("PNG"))
    request_id = _open_request(page, service, capture)

    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(page.get_by_text("Demande enregistrée")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("capture-écran.png"))).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger capture-écran.png").click()
    assert Path(info.value.path()).read_bytes() == capture.read_bytes()

    _qualify(service, request_id, 1)
    page.reload()
    expect(page.locator(".support-facts")).to_contain_text(re.compile(r"1 — bloquante"))
    expect(page.locator(".support-facts")).to_contain_text(re.compile(rf"Avant le {FRENCH_INSTANT}"))
    expect(page.get_by_text("Qualifiée : anomalie de criticité 1")).to_be_visible()
    assert_accessible(page)
    shoot(page, "support-request")

    page.get_by_role("link", name="Toutes les demandes").click()
    row = page.get_by_role("row", name=SUBJECT)
    expect(row).to_contain_text("1 — bloquante")
    expect(row).to_contain_text("Qualifiée")
    expect(row).to_contain_text(re.compile(rf"Avant le {FRENCH_INSTANT}"))
    expect(row).to_contain_text("Dans les temps")
    assert_accessible(page)
    shoot(page, "support-list")
    row.get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)


def test_attachments_too_large_are_refused_in_french_and_the_text_is_kept(service: Service, page: Page,
                                                                           tmp_path: Path) -> None:
    """The browser is still sending the file when the service refuses it: the refusal must still
    reach it as a page (the rest of the body is read and dropped), with what was typed."""
    account = service.new_account("Cabinet Gros")
    sign_in_first_time(page, service, email_of(service, account), str(account.initial_password))
    big = tmp_path / "scan-21-mo.pdf"
    big.write_bytes(b"%PDF-1.4\n" + bytes(21 * 1024 * 1024))
    page.goto(f"{service.url}/app/support/new")
    page.get_by_label("Objet").fill(SUBJECT)
    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_label("Pièces jointes (facultatif)").set_input_files(big)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("alert")).to_contain_text("Les pièces jointes dépassent 20 Mo pour un seul envoi")
    expect(page.get_by_label("Objet")).to_have_value(SUBJECT)
    expect(page.get_by_label("Description")).to_have_value(DESCRIPTION)
    assert_accessible(page)
    page.goto(f"{service.url}/app/support")
    expect(page.get_by_text("Aucune demande ne correspond.")).to_be_visible()


def _history_documents(service: Service, account: NewAccount, dossier_id: str, year: int) -> None:
    """Documents written straight into the history: three of last year (two months), one of this year."""
    with Session(service.engine) as session:
        batch = Batch(account_id=account.account_id, dossier_id=dossier_id)
        session.add(batch)
        session.commit()
        where = Place(account.account_id, dossier_id, batch.id)
    for day in (date(year - 1, 3, 14), date(year - 1, 3, 31), date(year - 1, 11, 30), date(year, 5, 5)):
        add_doc(service.stack, where, day)


def test_a_dossiers_history_and_its_export(service: Service, page: Page, shoot: Shoot) -> None:
    account = service.new_account("Cabinet Roux")
    sign_in_first_time(page, service, email_of(service, account), str(account.initial_password))
    dossier = new_dossier(service, account, "SARL Dupont")
    year = datetime.now(PARIS).year
    _history_documents(service, account, dossier, year)

    page.goto(f"{service.url}/app/")
    page.get_by_role("link", name="Historique de SARL Dupont").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Historique de SARL Dupont")
    expect(page.get_by_text(f"les documents datés de {year - 1} ou avant quitteront l'historique : 3 documents"))\
        .to_be_visible()
    expect(page.get_by_role("row", name=f"Mars {year - 1}").get_by_role("cell")).to_have_text(
        ["2", f"01/01/{year + 1}"])
    expect(page.get_by_role("row", name=f"Novembre {year - 1}").get_by_role("cell")).to_have_text(
        ["1", f"01/01/{year + 1}"])
    assert_accessible(page)
    shoot(page, "history")

    with page.expect_download() as info:
        page.get_by_role("link", name=f"Télécharger les documents de {year - 1} (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert "manifest.csv" in archive.namelist() and len(archive.namelist()) == 4


def test_support_and_history_fit_a_phone(service: Service, mobile_page: Page, shoot: Shoot, tmp_path: Path) -> None:
    account = service.new_account("Cabinet Petit")
    sign_in_first_time(mobile_page, service, email_of(service, account), str(account.initial_password))
    capture = tmp_path / "capture.png"
    capture.write_bytes(scan("PNG"))
    request_id = _open_request(mobile_page, service, capture)
    _qualify(service, request_id, 2)
    mobile_page.reload()
    _fits(mobile_page)
    assert_accessible(mobile_page)
    shoot(mobile_page, "phone-support-request")
    mobile_page.goto(f"{service.url}/app/support")
    expect(mobile_page.get_by_role("link", name=SUBJECT)).to_be_visible()
    _fits(mobile_page)
    assert_accessible(mobile_page)
    shoot(mobile_page, "phone-support-list")
    mobile_page.goto(f"{service.url}/app/support/new")
    _fits(mobile_page)
    shoot(mobile_page, "phone-support-new")

    dossier = new_dossier(service, account, "SARL Dupont & Fils, société à responsabilité limitée")
    _history_documents(service, account, dossier, datetime.now(PARIS).year)
    mobile_page.goto(f"{service.url}/app/dossiers/{dossier}/history")
    expect(mobile_page.get_by_role("heading", level=1)).to_contain_text("Historique de SARL Dupont")
    _fits(mobile_page)
    assert_accessible(mobile_page)
    shoot(mobile_page, "phone-history")
