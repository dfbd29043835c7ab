"""The administration pages in a real browser: an administrator adds a user limited to one dossier
(who then signs in with the password shown once), creates an API key that works and revokes it after
a confirmation, and reads the audit log; the pages are accessible (axe, WCAG 2.1 AA) and fit a phone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Service, assert_accessible
from tests.e2e.people import email_of, new_dossier, sign_in_first_time

Shoot = Callable[[Page, str], Path]


def _admin_signed_in(service: Service, page: Page) -> tuple[str, str]:
    """A new account's administrator signed in on `page`, with two dossiers: its key and address."""
    account = service.new_account("Cabinet Lefèvre")
    email = email_of(service, account)
    sign_in_first_time(page, service, email, str(account.initial_password))
    new_dossier(service, account, "SARL Dupont & Fils")
    new_dossier(service, account, "SAS Moreau")
    return account.api_key, email


def _add_user(page: Page, email: str, dossier: str) -> str:
    """Add a user limited to `dossier` through the form; the initial password the page shows."""
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label(dossier).check()
    page.get_by_role("button", name="Ajouter l'utilisateur").click()
    expect(page.get_by_role("heading", name="Utilisateur ajouté")).to_be_visible()
    return page.locator(".admin-secret").inner_text().strip()


def test_an_admin_adds_a_user_makes_and_revokes_a_key_and_reads_the_audit_log(
        service: Service, page: Page, make_page: Callable[..., Page], shoot: Shoot) -> None:
    _, admin_email = _admin_signed_in(service, page)
    page.get_by_role("link", name="Administration").click()
    expect(page).to_have_url(re.compile(r"/app/admin/users$"))
    assert_accessible(page)

    email = f"claire-{uuid.uuid4().hex[:6]}@lefevre.test"
    password = _add_user(page, email, "SARL Dupont & Fils")
    expect(page.get_by_text("première connexion")).to_be_visible()
    shoot(page, "admin-user-created")
    assert_accessible(page)
    page.get_by_role("link", name="Retour aux utilisateurs").click()
    row = page.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("SARL Dupont & Fils")
    expect(row).to_contain_text("Mot de passe initial à changer")
    shoot(page, "admin-users")

    claire = make_page()
    sign_in_first_time(claire, service, email, password)
    expect(claire.get_by_role("link", name="SARL Dupont & Fils", exact=True)).to_be_visible()
    expect(claire.get_by_text("SAS Moreau")).to_have_count(0)
    expect(claire.get_by_role("link", name="Administration")).to_have_count(0)

    page.get_by_role("link", name=email).click()
    expect(page.get_by_role("heading", name=email)).to_be_visible()
    assert_accessible(page)
    shoot(page, "admin-user")

    page.get_by_role("navigation", name="Administration du compte").get_by_role("link", name="Clés d'API").click()
    page.get_by_label("Nom de la clé").fill("Logiciel comptable")
    page.get_by_role("button", name="Créer la clé").click()
    expect(page.get_by_role("heading", name="Clé d'API créée")).to_be_visible()
    secret = page.locator(".admin-secret").inner_text().strip()
    assert secret.startswith("bdr_")
    assert_accessible(page)
    shoot(page, "admin-key-created")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{service.url}/v1/dossiers", headers=bearer).status_code == 200

    page.get_by_role("link", name="Retour aux clés d'API").click()
    expect(page.get_by_role("row").filter(has_text="Logiciel comptable")).to_contain_text("bdr_")
    assert secret not in page.content()
    assert_accessible(page)
    shoot(page, "admin-keys")
    page.get_by_role("link", name="Révoquer la clé « Logiciel comptable »").click()
    expect(page.get_by_role("heading", name="Révoquer la clé « Logiciel comptable » ?")).to_be_visible()
    assert_accessible(page)
    shoot(page, "admin-key-revoke")
    page.get_by_role("button", name="Oui, révoquer").click()
    expect(page.get_by_role("status")).to_contain_text("Clé révoquée")
    expect(page.get_by_role("row").filter(has_text="Logiciel comptable")).to_have_count(0)
    assert httpx.get(f"{service.url}/v1/dossiers", headers=bearer).status_code == 401

    page.get_by_role("link", name="Journal d'audit").click()
    expect(page.get_by_role("heading", name="Journal d'audit")).to_be_visible()
    table = page.get_by_role("table")
    expect(table).to_contain_text(f"{admin_email} a révoqué la clé d'API « Logiciel comptable »")
    expect(table).to_contain_text(f"{admin_email} a créé la clé d'API « Logiciel comptable »")
    expect(table).to_contain_text(f"{admin_email} a ajouté {email} (utilisateur, SARL Dupont & Fils).")
    expect(table).to_contain_text(f"Connexion de {email}.")
    expect(table.get_by_role("row").nth(1)).to_contain_text(re.compile(r"\d\d/\d\d/20\d\d \d\d:\d\d"))
    assert_accessible(page)
    shoot(page, "admin-audit")
    page.get_by_label("Action").select_option(label="Clé d'API créée")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"action=api_key\.created"))
    expect(page.get_by_role("table")).not_to_contain_text("a ajouté")


def test_an_admin_cannot_deactivate_themself_when_alone(service: Service, page: Page, shoot: Shoot) -> None:
    _, admin_email = _admin_signed_in(service, page)
    page.goto(f"{service.url}/app/admin/users")
    page.get_by_role("link", name=admin_email).click()
    page.get_by_role("link", name="Désactiver l'utilisateur").click()
    expect(page.get_by_text("vous serez déconnecté")).to_be_visible()
    page.get_by_role("button", name="Oui, désactiver").click()
    expect(page.get_by_role("alert")).to_contain_text("dernier administrateur actif du compte")
    assert_accessible(page)
    shoot(page, "admin-last-admin")


def test_the_admin_pages_fit_a_phone(service: Service, mobile_page: Page, shoot: Shoot) -> None:
    _admin_signed_in(service, mobile_page)
    mobile_page.goto(f"{service.url}/app/admin/users")
    _add_user(mobile_page, f"paul-{uuid.uuid4().hex[:6]}@lefevre.test", "SAS Moreau")
    shoot(mobile_page, "admin-user-created-phone")
    mobile_page.goto(f"{service.url}/app/admin/keys")
    mobile_page.get_by_label("Nom de la clé").fill("Scanner de l'accueil")
    mobile_page.get_by_role("button", name="Créer la clé").click()
    for path, name in (("/app/admin/users", "admin-users-phone"), ("/app/admin/keys", "admin-keys-phone"),
                       ("/app/admin/audit", "admin-audit-phone")):
        mobile_page.goto(f"{service.url}{path}")
        assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360, path
        shoot(mobile_page, name)
