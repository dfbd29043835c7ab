"""The web application's pages over HTTP, on both stacks: who sees what, the forms' CSRF, the forced
password change, the headers every page carries, French formats. (A real browser drives them in
tests/e2e.)"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col

from ingest.accounts.lifecycle import NewAccount
from ingest.platform.columns import utcnow
from ingest.platform.models import Batch
from tests.integration.conftest import Stack, auth
from tests.integration.web.pages import CSRF, browser, change_password, sign_in
from tests.support.files import text_pdf


def test_pages_send_strangers_to_sign_in_and_carry_strict_headers(client: TestClient) -> None:
    for path in ("/app/", "/app/batches", f"/app/batches/{uuid.uuid4()}"):
        resp = client.get(path, follow_redirects=False)
        assert resp.status_code == 303 and resp.headers["location"] == "/app/login", path
    login = client.get("/app/login")
    csp = login.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert login.headers["x-frame-options"] == "DENY" and login.headers["cache-control"] == "no-store"
    assert '<html lang="fr">' in login.text and 'name="email"' in login.text and 'name="password"' in login.text
    assert "<script>" not in login.text and " style=" not in login.text  # nothing inline for the CSP to refuse
    assert client.get("/app/static/vendor/htmx.min.js").status_code == 200


def test_first_sign_in_leads_to_the_password_change_then_to_the_dossiers(client: TestClient,
                                                                         opened: tuple[NewAccount, str]) -> None:
    account, email = opened
    page = browser(client)
    wrong = page.post("/app/login", data={"email": email, "password": "pas le bon", "csrf_token": "x"})
    assert wrong.status_code == 403  # a form without the page's own token: refused before any check
    token = CSRF.search(page.get("/app/login").text)
    assert token
    refused = page.post("/app/login", data={"email": email, "password": "pas le bon du tout",
                                            "csrf_token": token.group(1)})
    assert refused.status_code == 401 and "Adresse e-mail ou mot de passe incorrect." in refused.text
    assert sign_in(page, email, str(account.initial_password)) == "/app/password"
    assert page.get("/app/batches", follow_redirects=False).headers["location"] == "/app/password"
    short = CSRF.search(page.get("/app/password").text)
    assert short
    too_short = page.post("/app/password", data={"current_password": account.initial_password,
                                                 "new_password": "court", "confirm_password": "court",
                                                 "csrf_token": short.group(1)})
    assert too_short.status_code == 422 and "au moins 15 caractères" in too_short.text
    change_password(page, str(account.initial_password))
    home = page.get("/app/")
    assert home.status_code == 200 and email in home.text


def test_a_user_limited_to_one_dossier_sees_only_it_through_the_pages(client: TestClient,
                                                                      opened: tuple[NewAccount, str]) -> None:
    account, _ = opened
    key = auth(account.api_key)
    mine = client.post("/v1/dossiers", json={"name": "SARL Dupont"}, headers=key).json()["id"]
    other = client.post("/v1/dossiers", json={"name": "SAS Moreau"}, headers=key).json()["id"]
    hidden = client.post("/v1/batches", data={"dossier_id": other}, files=[("files", ("o.pdf", text_pdf("O")))],
                         headers=key).json()["id"]
    shown = client.post("/v1/batches", data={"dossier_id": mine}, files=[("files", ("m.pdf", text_pdf("M")))],
                        headers=key).json()["id"]
    user = client.post("/v1/users", json={"email": f"claire-{uuid.uuid4().hex[:6]}@martin.test",
                                          "dossier_ids": [mine]}, headers=key).json()
    page = browser(client)
    sign_in(page, user["email"], user["initial_password"])
    change_password(page, user["initial_password"])
    home = page.get("/app/").text
    assert "SARL Dupont" in home and "SAS Moreau" not in home
    listed = page.get("/app/batches").text
    assert f"/app/batches/{shown}" in listed and f"/app/batches/{hidden}" not in listed
    assert page.get(f"/app/batches/{hidden}").status_code == 404
    assert page.get(f"/app/batches/{hidden}/live").status_code == 404
    assert page.get(f"/app/batches/{shown}").status_code == 200


def test_another_accounts_batch_is_not_found(client: TestClient, opened: tuple[NewAccount, str],
                                             account_factory: Callable[..., NewAccount]) -> None:
    account, email = opened
    stranger = account_factory()
    dossier = client.post("/v1/dossiers", json={"name": "SCI Autre"}, headers=auth(stranger.api_key)).json()["id"]
    theirs = client.post("/v1/batches", data={"dossier_id": dossier}, files=[("files", ("t.pdf", text_pdf("T")))],
                         headers=auth(stranger.api_key)).json()["id"]
    page = browser(client)
    sign_in(page, email, str(account.initial_password))
    change_password(page, str(account.initial_password))
    assert page.get(f"/app/batches/{theirs}").status_code == 404
    assert "SCI Autre" not in page.get("/app/batches").text


def test_a_batch_page_in_french_formats_and_in_english(client: TestClient, opened: tuple[NewAccount, str]) -> None:
    account, email = opened
    key = auth(account.api_key)
    dossier = client.post("/v1/dossiers", json={"name": "SARL Dupont"}, headers=key).json()["id"]
    batch = client.post("/v1/batches", data={"dossier_id": dossier},
                        files=[("files", ("facture.pdf", text_pdf("F"))), ("files", ("notes.txt", b"bonjour"))],
                        headers=key).json()
    page = browser(client)
    sign_in(page, email, str(account.initial_password))
    change_password(page, str(account.initial_password))
    html = page.get(f"/app/batches/{batch['id']}").text
    assert re.search(r"Dépôt du \d\d/\d\d/20\d\d \d\d:\d\d", html)
    assert "Flux quotidien" in html and "facture.pdf" in html and "notes.txt" in html
    assert 'hx-get="/app/batches/' in html  # an open batch refreshes itself
    english = page.get(f"/app/batches/{batch['id']}?lang=en")
    assert "Batch of" in english.text and '<html lang="en">' in english.text
    assert 'lang="en"' in page.get("/app/").text  # the choice is kept
    token = CSRF.search(page.get("/app/").text)
    assert token
    out = page.post("/app/logout", data={"csrf_token": token.group(1)}, follow_redirects=False)
    assert out.headers["location"] == "/app/login"
    assert page.get("/app/", follow_redirects=False).headers["location"] == "/app/login"


def test_an_archive_not_yet_measured_shows_its_eta_as_a_range_with_why(
        client: TestClient, stack: Stack, opened: tuple[NewAccount, str]) -> None:
    account, email = opened
    key = auth(account.api_key)
    dossier = client.post("/v1/dossiers", json={"name": "Archives"}, headers=key).json()["id"]
    batch = client.post("/v1/batches", data={"dossier_id": dossier, "flow": "bulk"},
                        files=[("files", ("a.pdf", text_pdf("Archive A")))], headers=key).json()
    # As the ETA refresh leaves a first archive of a deployment: borrowed, with its range.
    now = utcnow()
    with Session(stack.engine) as session:
        session.execute(sa.update(Batch).where(col(Batch.id) == batch["id"]).values(
            eta=now + timedelta(hours=10), eta_basis="borrowed", eta_earliest=now + timedelta(hours=6, minutes=30),
            eta_latest=now + timedelta(hours=14), finished_at=None))
        session.commit()
    page = browser(client)
    sign_in(page, email, str(account.initial_password))
    change_password(page, str(account.initial_password))
    html = page.get(f"/app/batches/{batch['id']}").text
    assert re.search(r"Fin estimée entre le \d\d/\d\d/20\d\d \d\d:\d\d et le \d\d/\d\d/20\d\d \d\d:\d\d", html)
    assert "estimation provisoire" in html and "rythme du flux quotidien" in html
    english = page.get(f"/app/batches/{batch['id']}?lang=en").text
    assert "Expected end between" in english and "a first estimate from the daily flow" in english
