"""The upload page over HTTP, on both stacks: it offers only the dossiers its person sees, and what it
hands its script (the session's CSRF token, the limits) is what the API's upload takes; the batch it
then shows is the batch page's live part, headings one level down. (A real browser drops files on it
in tests/e2e/test_upload_page.py.)"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from fastapi.testclient import TestClient

from ingest.accounts.lifecycle import NewAccount
from tests.integration.conftest import Stack, auth
from tests.integration.web import pages
from tests.integration.web.pages import browser, change_password, sign_in
from tests.support.files import text_pdf

SETTINGS = re.compile(r'<script type="application/json" id="upload-settings">(.*?)</script>', re.S)


@pytest.fixture
def signed_in(client: TestClient, opened: tuple[NewAccount, str]) -> tuple[TestClient, NewAccount]:
    account, email = opened
    return pages.signed_in(client, email, str(account.initial_password)), account


def script_settings(html: str) -> dict:  # type: ignore[type-arg]
    found = SETTINGS.search(html)
    assert found, html
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_the_page_hands_its_script_what_the_api_upload_takes(signed_in: tuple[TestClient, NewAccount],
                                                            stack: Stack) -> None:
    page, account = signed_in
    dossier = page.post("/v1/dossiers", json={"name": "SARL Lenoir"}, headers=auth(account.api_key)).json()["id"]
    html = page.get(f"/app/upload?dossier={dossier}").text
    assert f'<option value="{dossier}" selected>SARL Lenoir</option>' in html
    assert '<script src="/app/static/upload.js" defer></script>' in html and " style=" not in html
    settings = script_settings(html)
    assert settings["maxFileBytes"] == stack.settings.max_file_bytes and settings["partFiles"] >= 1
    assert settings["texts"]["upload.sent"] == "reçu par le service"
    assert settings["errors"]["dossier_not_found"].startswith("Ce dossier")
    # What the script sends: the session cookie, its CSRF header, an Idempotency-Key.
    key = f"web-{uuid.uuid4().hex}-0"
    send = {"data": {"dossier_id": dossier}, "files": [("files", ("a.pdf", text_pdf("A")))]}
    headers = {"X-CSRF-Token": settings["csrf"], "Idempotency-Key": key}
    first = page.post("/v1/batches", headers=headers, **send)  # type: ignore[arg-type]
    again = page.post("/v1/batches", headers=headers, **send)  # type: ignore[arg-type]
    assert first.status_code == again.status_code == 202, first.text
    assert first.json()["id"] == again.json()["id"] and again.headers["idempotent-replayed"] == "true"
    without = page.post("/v1/batches", headers={"Idempotency-Key": key + "x"}, **send)  # type: ignore[arg-type]
    assert without.status_code == 403 and without.json()["code"] == "csrf_failed"
    # The batch as the upload page shows it: headings one level down, ids of its own.
    live = page.get(f"/app/batches/{first.json()['id']}/live?level=4").text
    assert f'<h4 id="docs-{first.json()["id"]}">' in live and "a.pdf" in live
    assert page.get(f"/app/batches/{first.json()['id']}/live?level=9").status_code == 422


def test_a_user_limited_to_one_dossier_is_offered_only_it(client: TestClient,
                                                          signed_in: tuple[TestClient, NewAccount]) -> None:
    admin, account = signed_in
    key = auth(account.api_key)
    mine = client.post("/v1/dossiers", json={"name": "SARL Ouverte"}, headers=key).json()["id"]
    other = client.post("/v1/dossiers", json={"name": "SAS Fermée"}, headers=key).json()["id"]
    user = client.post("/v1/users", json={"email": f"lea-{uuid.uuid4().hex[:6]}@martin.test",
                                          "dossier_ids": [mine]}, headers=key).json()
    page = browser(client)
    sign_in(page, user["email"], user["initial_password"])
    change_password(page, user["initial_password"])
    html = page.get(f"/app/upload?dossier={other}").text
    assert "SARL Ouverte" in html and "SAS Fermée" not in html
    csrf = script_settings(html)["csrf"]
    refused = page.post("/v1/batches", data={"dossier_id": other}, files=[("files", ("b.pdf", text_pdf("B")))],
                        headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 404 and refused.json()["code"] == "dossier_not_found"


def test_strangers_are_sent_to_sign_in(client: TestClient) -> None:
    resp = browser(client).get("/app/upload", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/app/login"
