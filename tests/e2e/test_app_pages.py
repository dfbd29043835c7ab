"""The web application in a real browser: a first sign-in with the forced password change, the
dossiers and the batches, a batch page that follows its processing live, a user limited to one dossier,
the pages at 360 px, and every page accessible (axe, WCAG 2.1 AA)."""

from __future__ import annotations

import os
import re
import signal
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Service, assert_accessible
from tests.e2e.people import email_of, new_dossier, sign_in_first_time, upload_files
from tests.integration.conftest import WorkerProcess
from tests.support.files import text_pdf

Shoot = Callable[[Page, str], Path]


def test_first_sign_in_then_dossiers_batches_and_a_live_batch_page(service: Service, page: Page,
                                                                    shoot: Shoot) -> None:
    account = service.new_account("Cabinet Lefèvre")
    email = email_of(service, account)
    page.goto(f"{service.url}/app/login")
    assert_accessible(page)
    wrong = page
    wrong.get_by_label("Adresse e-mail").fill(email)
    wrong.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    wrong.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Adresse e-mail ou mot de passe incorrect.")
    shoot(page, "login-refused")

    sign_in_first_time(page, service, email, str(account.initial_password), shoot)
    dossier = new_dossier(service, account, "SARL Dupont & Fils")
    new_dossier(service, account, "SAS Moreau")
    invoices = [(f"facture-{i}.pdf", text_pdf(f"Facture {i}\nTotal TTC 1 234,56 EUR")) for i in range(3)]
    live_answers: list[str] = []
    page.on("response", lambda r: live_answers.append(r.url) if urlsplit(r.url).path.endswith("/live") else None)
    with _paused(service.worker):  # the batch stays open until its page is shown
        batch = upload_files(service, account, dossier, [*invoices, ("notes.txt", b"pas une facture")])

        page.goto(f"{service.url}/app/")
        expect(page.get_by_role("row", name=re.compile("SARL Dupont & Fils"))).to_be_visible()
        assert_accessible(page)
        shoot(page, "dossiers")

        page.goto(f"{service.url}/app/batches")
        expect(page.locator(".batch .flow").first).to_have_text("Flux quotidien")
        assert_accessible(page)
        shoot(page, "batches")

        page.goto(f"{service.url}/app/batches/{batch['id']}")
        expect(page.get_by_text(re.compile(r"0 traités, 0 refusés, 0 en échec, 3 en attente sur 3"))).to_be_visible()
    # The page follows the batch without a reload until every document is final.
    expect(page.get_by_text(re.compile(r"3 traités, 0 refusés, 0 en échec, 0 en attente sur 3"))).to_be_visible(
        timeout=60_000)
    assert live_answers, "the page reached the batch's end without asking for news"
    expect(page.get_by_text(re.compile(r"Terminé le \d\d/\d\d/20\d\d \d\d:\d\d"))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Dépôt du \d\d/\d\d/20\d\d \d\d:\d\d"))
    expect(page.get_by_text("notes.txt")).to_be_visible()
    assert_accessible(page)
    shoot(page, "batch")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Batch of \d\d/\d\d/20\d\d"))
    shoot(page, "batch-english")
    page.get_by_role("link", name="Français").click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/app/login$"))


@contextmanager
def _paused(worker: WorkerProcess) -> Iterator[None]:
    """The worker stopped (SIGSTOP to its process group, pool included), then let go."""
    assert worker.proc is not None
    os.killpg(worker.proc.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(worker.proc.pid, signal.SIGCONT)


def test_a_user_limited_to_one_dossier_does_not_see_the_other(service: Service, page: Page, shoot: Shoot) -> None:
    account = service.new_account("Cabinet Roux")
    key = {"Authorization": f"Bearer {account.api_key}"}
    mine = new_dossier(service, account, "SARL Visible")
    other = new_dossier(service, account, "SAS Cachée")
    hidden = upload_files(service, account, other, [("cachee.pdf", text_pdf("Cachée"))])
    user = httpx.post(f"{service.url}/v1/users", json={"email": f"ines-{uuid.uuid4().hex[:6]}@roux.test",
                                                       "dossier_ids": [mine]}, headers=key).json()
    sign_in_first_time(page, service, user["email"], user["initial_password"])
    expect(page.get_by_role("row", name=re.compile("SARL Visible"))).to_be_visible()
    expect(page.get_by_text("SAS Cachée")).to_have_count(0)
    shoot(page, "limited-user-dossiers")
    response = page.goto(f"{service.url}/app/batches/{hidden['id']}")
    assert response is not None and response.status == 404
    expect(page.get_by_text("n'est pas visible depuis votre compte")).to_be_visible()
    shoot(page, "not-found")


def test_the_pages_fit_a_phone(service: Service, mobile_page: Page, shoot: Shoot) -> None:
    account = service.new_account("Cabinet Petit")
    dossier = new_dossier(service, account, "SARL Minuscule")
    upload_files(service, account, dossier, [("f.pdf", text_pdf("F"))])
    sign_in_first_time(mobile_page, service, email_of(service, account), str(account.initial_password))
    for path, name in (("/app/", "phone-dossiers"), ("/app/batches", "phone-batches")):
        mobile_page.goto(f"{service.url}{path}")
        assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360, path
        shoot(mobile_page, name)
