"""What the browser tests do as a person and as an account's API client: sign in a first time (with
the forced password change), read one's e-mail, open a dossier, upload files."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from ingest.accounts.lifecycle import NewAccount
from tests.e2e.conftest import Service

NEW_PASSWORD = "Le bordereau de mars est parti"
Shoot = Callable[[Page, str], Path]


def email_of(service: Service, account: NewAccount) -> str:
    resp = httpx.get(f"{service.url}/v1/auth/me", headers={"Authorization": f"Bearer {account.api_key}"})
    return str(resp.json()["email"])


def sign_in_first_time(page: Page, service: Service, email: str, initial: str, shoot: Shoot | None = None) -> None:
    page.goto(f"{service.url}/app/")
    expect(page).to_have_url(re.compile(r"/app/login$"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(initial)
    if shoot:
        shoot(page, "login")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/app/password$"))
    expect(page.get_by_text("mot de passe initial")).to_be_visible()
    page.get_by_label("Mot de passe actuel").fill(initial)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nouveau mot de passe, une seconde fois").fill(NEW_PASSWORD)
    if shoot:
        shoot(page, "password-change")
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page).to_have_url(re.compile(r"/app/$"))


def upload_files(service: Service, account: NewAccount, dossier_id: str, files: list[tuple[str, bytes]]) -> dict:  # type: ignore[type-arg]
    resp = httpx.post(f"{service.url}/v1/batches", data={"dossier_id": dossier_id},
                      files=[("files", f) for f in files], headers={"Authorization": f"Bearer {account.api_key}"},
                      timeout=60)
    assert resp.status_code == 202, resp.text
    return resp.json()  # type: ignore[no-any-return]


def new_dossier(service: Service, account: NewAccount, name: str) -> str:
    resp = httpx.post(f"{service.url}/v1/dossiers", json={"name": name},
                      headers={"Authorization": f"Bearer {account.api_key}"})
    return str(resp.json()["id"])
