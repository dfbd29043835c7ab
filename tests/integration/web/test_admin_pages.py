"""The administration pages over HTTP, on both stacks: an administrator adds, changes, resets and
deactivates users, makes and revokes API keys and reads the audit log, through the same use cases as
the API; a plain user is refused everywhere, a form without its CSRF token changes nothing, another
account's ids answer 404, and the account keeps its last administrator. (A real browser drives them
in tests/e2e/test_admin_pages.py.)"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from ingest.accounts.lifecycle import NewAccount, create_account, create_operator
from tests.integration.conftest import Stack, auth
from tests.integration.web.pages import CSRF, browser, change_password, sign_in, signed_in

SECRET = re.compile(r'<code class="admin-secret"[^>]*>([^<]+)</code>')
ADMINS_ONLY = "réservées aux administrateurs du compte"


@dataclass
class Admin:
    """A signed-in administrator's browser, its account (with its first API key) and its address."""

    page: TestClient
    account: NewAccount
    email: str

    @property
    def key(self) -> dict[str, str]:
        return auth(self.account.api_key)

    def token(self, path: str = "/app/admin/users") -> str:
        """The CSRF token the forms of `path` carry."""
        found = CSRF.search(self.page.get(path).text)
        assert found, path
        return found.group(1)

    def post(self, path: str, data: dict[str, object] | None = None, *, token: str | None = None) -> httpx.Response:
        fields = {**(data or {}), "csrf_token": self.token() if token is None else token}
        return self.page.post(path, data=fields, follow_redirects=False)


@pytest.fixture
def admin(client: TestClient, stack: Stack) -> Admin:
    email = f"admin-{uuid.uuid4().hex[:8]}@martin.test"
    with Session(stack.engine) as session:
        account = create_account(session, "Cabinet Martin", "firm", email, initial_password=True)
    return Admin(signed_in(client, email, str(account.initial_password)), account, email)


def _dossier(client: TestClient, admin: Admin, name: str) -> str:
    return str(client.post("/v1/dossiers", json={"name": name}, headers=admin.key).json()["id"])


def _user(client: TestClient, admin: Admin, role: str = "user") -> dict[str, str]:
    """A user made through the API (with its initial password)."""
    made = client.post("/v1/users", json={"email": f"u-{uuid.uuid4().hex[:8]}@martin.test", "role": role},
                       headers=admin.key)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _secret(html: str) -> str:
    found = SECRET.search(html)
    assert found, html
    return found.group(1)


def test_an_admin_adds_a_user_limited_to_one_dossier_who_signs_in_with_the_shown_password(
        client: TestClient, admin: Admin) -> None:
    mine = _dossier(client, admin, "SARL Dupont")
    _dossier(client, admin, "SAS Moreau")
    listed = admin.page.get("/app/admin/users")
    assert listed.status_code == 200 and admin.email in listed.text and "Tous les dossiers" in listed.text
    assert 'href="/app/admin/users"' in listed.text  # the administrator's menu entry
    email = f"claire-{uuid.uuid4().hex[:6]}@martin.test"
    made = admin.post("/app/admin/users", {"email": email, "role": "user", "dossier_ids": [mine]})
    assert made.status_code == 201, made.text
    assert made.headers["cache-control"] == "no-store" and "location" not in made.headers
    password = _secret(made.text)
    assert "première connexion" in made.text and "moyen sûr" in made.text and "SARL Dupont" in made.text
    again = admin.page.get("/app/admin/users").text
    assert email in again and password not in again  # shown once, never again
    assert "Mot de passe initial à changer" in again

    claire = browser(client)
    assert sign_in(claire, email, password) == "/app/password"
    change_password(claire, password)
    home = claire.get("/app/").text
    assert "SARL Dupont" in home and "SAS Moreau" not in home
    user = next(u for u in client.get("/v1/users", headers=admin.key).json()["items"] if u["email"] == email)
    assert user["dossier_ids"] == [mine] and user["role"] == "user"


def test_an_admin_changes_resets_and_deactivates_a_user(client: TestClient, admin: Admin) -> None:
    mine = _dossier(client, admin, "SARL Dupont")
    user = _user(client, admin)
    paul = signed_in(client, user["email"], user["initial_password"])
    page = admin.page.get(f"/app/admin/users/{user['id']}")
    assert page.status_code == 200 and user["email"] in page.text and "Tous les dossiers" in page.text

    saved = admin.post(f"/app/admin/users/{user['id']}", {"role": "admin", "dossier_ids": [mine]})
    assert saved.status_code == 303 and saved.headers["location"] == f"/app/admin/users/{user['id']}?done=saved"
    shown = admin.page.get(saved.headers["location"]).text
    assert "Modifications enregistrées." in shown and "Administrateur" in shown and "SARL Dupont" in shown
    back = admin.post(f"/app/admin/users/{user['id']}", {"role": "user"})  # nothing ticked: every dossier
    assert back.status_code == 303
    assert client.get(f"/v1/users/{user['id']}", headers=admin.key).json()["dossier_ids"] is None

    asked = admin.page.get(f"/app/admin/users/{user['id']}/reset-password")
    assert asked.status_code == 200 and "Oui, réinitialiser" in asked.text
    reset = admin.post(f"/app/admin/users/{user['id']}/reset-password")
    assert reset.status_code == 200 and reset.headers["cache-control"] == "no-store"
    fresh = _secret(reset.text)
    assert paul.get("/app/", follow_redirects=False).headers["location"] == "/app/login"  # its session ended
    assert sign_in(browser(client), user["email"], fresh) == "/app/password"
    paul = signed_in(client, user["email"], fresh)

    assert admin.page.get(f"/app/admin/users/{user['id']}/deactivate").status_code == 200
    off = admin.post(f"/app/admin/users/{user['id']}/deactivate")
    assert off.status_code == 303 and off.headers["location"].endswith("done=deactivated")
    assert paul.get("/app/", follow_redirects=False).headers["location"] == "/app/login"
    assert "Désactivé" in admin.page.get(f"/app/admin/users/{user['id']}").text
    assert admin.post(f"/app/admin/users/{user['id']}/reactivate").status_code == 303
    assert client.get(f"/v1/users/{user['id']}", headers=admin.key).json()["active"] is True

    gone = admin.post(f"/app/admin/users/{user['id']}/delete")
    assert gone.status_code == 303 and gone.headers["location"] == "/app/admin/users?done=deleted"
    assert user["email"] not in admin.page.get(gone.headers["location"]).text
    assert admin.page.get(f"/app/admin/users/{user['id']}").status_code == 404


def test_refusals_of_the_form_are_said_in_french(client: TestClient, admin: Admin) -> None:
    taken = admin.post("/app/admin/users", {"email": admin.email, "role": "user"})
    assert taken.status_code == 409 and "déjà cette adresse e-mail" in taken.text
    assert admin.email in taken.text  # the form keeps what was typed
    bad = admin.post("/app/admin/users", {"email": "pas-une-adresse", "role": "user"})
    assert bad.status_code == 422 and "n'est pas valide" in unescape(bad.text)
    foreign = admin.post("/app/admin/users", {"email": f"x-{uuid.uuid4().hex[:6]}@martin.test", "role": "user",
                                              "dossier_ids": [str(uuid.uuid4())]})
    assert foreign.status_code == 422 and "n'appartient pas au compte" in unescape(foreign.text)
    long_address = admin.post("/app/admin/users", {"email": "a" * 400 + "@martin.test", "role": "user"})
    assert long_address.status_code == 422 and "n'est pas valide" in unescape(long_address.text)
    unnamed = admin.post("/app/admin/keys", {"name": "   "})
    assert unnamed.status_code == 422 and "100 caractères au plus" in unnamed.text
    too_long = admin.post("/app/admin/keys", {"name": "x" * 101})
    assert too_long.status_code == 422 and "100 caractères au plus" in too_long.text
    # The API keeps to the same bound (the column's): a longer name is a 422, not a database error.
    assert client.post("/v1/api-keys", json={"name": "x" * 101}, headers=admin.key).status_code == 422
    assert len(client.get("/v1/users", headers=admin.key).json()["items"]) == 1
    assert len(client.get("/v1/api-keys", headers=admin.key).json()) == 1


def test_forms_without_their_csrf_token_are_refused_and_change_nothing(client: TestClient, admin: Admin) -> None:
    user = _user(client, admin)
    keys_before = client.get("/v1/api-keys", headers=admin.key).json()
    email = f"sans-jeton-{uuid.uuid4().hex[:6]}@martin.test"
    for token in ("", "pas-le-bon"):
        for path, data in (("/app/admin/users", {"email": email, "role": "user"}),
                           ("/app/admin/keys", {"name": "Sans jeton"}),
                           (f"/app/admin/users/{user['id']}", {"role": "admin"}),
                           (f"/app/admin/users/{user['id']}/deactivate", {}),
                           (f"/app/admin/users/{user['id']}/reset-password", {}),
                           (f"/app/admin/users/{user['id']}/delete", {}),
                           (f"/app/admin/keys/{keys_before[0]['id']}/revoke", {})):
            refused = admin.post(path, data, token=token)
            assert refused.status_code == 403, (path, token)
            assert "Le formulaire a expiré" in refused.text, path
    assert email not in str(client.get("/v1/users", headers=admin.key).json())
    assert client.get("/v1/api-keys", headers=admin.key).json() == keys_before
    after = client.get(f"/v1/users/{user['id']}", headers=admin.key).json()
    assert after["active"] is True and after["role"] == "user"
    assert sign_in(browser(client), user["email"], user["initial_password"]) == "/app/password"  # not reset


def test_a_plain_user_gets_403_on_every_admin_page_and_form(client: TestClient, admin: Admin) -> None:
    user = _user(client, admin)
    plain = signed_in(client, user["email"], user["initial_password"])
    home = plain.get("/app/").text
    assert 'href="/app/admin/users"' not in home  # no menu entry
    token = CSRF.search(home)
    assert token
    key = client.get("/v1/api-keys", headers=admin.key).json()[0]["id"]
    for path in ("/app/admin/users", "/app/admin/keys", "/app/admin/audit", f"/app/admin/users/{admin.account.user_id}",
                 f"/app/admin/users/{admin.account.user_id}/deactivate", f"/app/admin/keys/{key}/revoke"):
        refused = plain.get(path)
        assert refused.status_code == 403 and ADMINS_ONLY in refused.text, path
    for path, data in (("/app/admin/users", {"email": "intrus@martin.test", "role": "admin"}),
                       ("/app/admin/keys", {"name": "Ma clé"}),
                       (f"/app/admin/users/{user['id']}", {"role": "admin"}),
                       (f"/app/admin/users/{admin.account.user_id}/deactivate", {}),
                       (f"/app/admin/users/{admin.account.user_id}/reset-password", {}),
                       (f"/app/admin/keys/{key}/revoke", {})):
        refused = plain.post(path, data={**data, "csrf_token": token.group(1)}, follow_redirects=False)
        assert refused.status_code == 403 and ADMINS_ONLY in refused.text, path
    assert client.get(f"/v1/users/{user['id']}", headers=admin.key).json()["role"] == "user"
    assert client.get("/v1/dossiers", headers=admin.key).status_code == 200  # the key was not revoked
    assert admin.page.get("/app/admin/users").status_code == 200  # nor the admin deactivated


def test_an_admin_creates_a_key_that_works_then_revokes_it(client: TestClient, admin: Admin) -> None:
    made = admin.post("/app/admin/keys", {"name": "Logiciel comptable"})
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    secret = _secret(made.text)
    assert secret.startswith("bdr_") and "ne sera plus jamais affichée" in made.text
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/v1/dossiers", headers=bearer).status_code == 200
    listed = admin.page.get("/app/admin/keys").text
    key = next(k for k in client.get("/v1/api-keys", headers=admin.key).json() if k["name"] == "Logiciel comptable")
    assert "Logiciel comptable" in listed and f"bdr_{key['prefix']}_" in listed and secret not in listed

    asked = admin.page.get(f"/app/admin/keys/{key['id']}/revoke")
    assert asked.status_code == 200 and "Révoquer la clé « Logiciel comptable » ?" in asked.text
    revoked = admin.post(f"/app/admin/keys/{key['id']}/revoke")
    assert revoked.status_code == 303 and revoked.headers["location"] == "/app/admin/keys?done=revoked"
    assert "Clé révoquée" in admin.page.get(revoked.headers["location"]).text
    assert client.get("/v1/dossiers", headers=bearer).status_code == 401
    assert admin.post(f"/app/admin/keys/{key['id']}/revoke").status_code == 404  # revoked: no longer managed


def test_an_admin_revokes_another_users_key(client: TestClient, admin: Admin) -> None:
    user = _user(client, admin)
    # A key of the other user's, made with its own session through the API.
    paul = signed_in(client, user["email"], user["initial_password"])
    csrf = {"X-CSRF-Token": paul.cookies["bordereau_csrf"]}
    key = paul.post("/v1/api-keys", json={"name": "Scanner de l'accueil"}, headers=csrf).json()
    listed = admin.page.get("/app/admin/keys").text
    assert "Scanner de l'accueil" in unescape(listed) and user["email"] in listed
    assert admin.post(f"/app/admin/keys/{key['id']}/revoke").status_code == 303
    assert client.get("/v1/dossiers", headers=auth(key["api_key"])).status_code == 401


def test_the_audit_page_says_who_did_what_newest_first(client: TestClient, admin: Admin) -> None:
    mine = _dossier(client, admin, "SARL Dupont")
    email = f"lea-{uuid.uuid4().hex[:6]}@martin.test"
    made = admin.post("/app/admin/users", {"email": email, "role": "user", "dossier_ids": [mine]})
    user_id = next(u["id"] for u in client.get("/v1/users", headers=admin.key).json()["items"] if u["email"] == email)
    admin.post(f"/app/admin/users/{user_id}/deactivate")
    admin.post("/app/admin/keys", {"name": "Logiciel comptable"})
    key = next(k for k in client.get("/v1/api-keys", headers=admin.key).json() if k["name"] == "Logiciel comptable")
    admin.post(f"/app/admin/keys/{key['id']}/revoke")
    assert made.status_code == 201

    audit = admin.page.get("/app/admin/audit")
    assert audit.status_code == 200
    text = unescape(audit.text)
    said = [f"{admin.email} a révoqué la clé d'API « Logiciel comptable »",
            f"{admin.email} a créé la clé d'API « Logiciel comptable »",
            f"{admin.email} a désactivé {email}.",
            f"{admin.email} a ajouté {email} (utilisateur, SARL Dupont).",
            f"Connexion de {admin.email}.",
            f"Le prestataire a ouvert le compte, avec {admin.email} pour administrateur."]
    places = [text.find(s) for s in said]
    assert all(p >= 0 for p in places), list(zip(said, places, strict=True))
    assert places == sorted(places)  # newest first
    assert re.search(r"\d\d/\d\d/20\d\d \d\d:\d\d", text) and "testclient" in text
    only = admin.page.get("/app/admin/audit", params={"action": "user.created"}).text
    assert f"a ajouté {email}" in only and "Logiciel comptable" not in only
    assert 'value="user.created" selected' in only
    english = unescape(admin.page.get("/app/admin/audit", params={"lang": "en"}).text)
    assert f"{admin.email} added {email} (user, SARL Dupont)." in english and "Audit log" in english


def test_another_accounts_users_and_keys_answer_404(client: TestClient, admin: Admin,
                                                    account_factory: Callable[..., NewAccount]) -> None:
    stranger = account_factory("Cabinet Autre")
    their_key = client.get("/v1/api-keys", headers=auth(stranger.api_key)).json()[0]["id"]
    for path in (f"/app/admin/users/{stranger.user_id}", f"/app/admin/users/{stranger.user_id}/deactivate",
                 f"/app/admin/keys/{their_key}/revoke", f"/app/admin/users?account_id={stranger.account_id}",
                 f"/app/admin/audit?account_id={stranger.account_id}", f"/app/admin/users/{uuid.uuid4()}"):
        assert admin.page.get(path).status_code == 404, path
    for path, data in ((f"/app/admin/users/{stranger.user_id}", {"role": "user"}),
                       (f"/app/admin/users/{stranger.user_id}/deactivate", {}),
                       (f"/app/admin/users/{stranger.user_id}/reset-password", {}),
                       (f"/app/admin/users/{stranger.user_id}/delete", {}),
                       (f"/app/admin/keys/{their_key}/revoke", {}),
                       ("/app/admin/users", {"email": f"y-{uuid.uuid4().hex[:6]}@autre.test", "role": "user",
                                             "account_id": stranger.account_id})):
        assert admin.post(path, data).status_code == 404, path
    assert client.get("/v1/dossiers", headers=auth(stranger.api_key)).status_code == 200  # still live
    assert client.get("/v1/auth/me", headers=auth(stranger.api_key)).json()["role"] == "admin"


def test_the_last_administrator_cannot_lock_themself_out(client: TestClient, admin: Admin) -> None:
    me = admin.account.user_id
    for path, data in ((f"/app/admin/users/{me}/deactivate", {}), (f"/app/admin/users/{me}", {"role": "user"}),
                       (f"/app/admin/users/{me}/delete", {})):
        refused = admin.post(path, data)
        assert refused.status_code == 409, path
        assert "dernier administrateur actif du compte" in refused.text, path
    assert "vous serez déconnecté" in admin.page.get(f"/app/admin/users/{me}/deactivate").text
    mine = client.get(f"/v1/users/{me}", headers=admin.key).json()
    assert mine["active"] is True and mine["role"] == "admin"
    assert admin.page.get("/app/admin/users").status_code == 200  # still signed in
    # With a second administrator, the first may step down: the rule is the use case's, not the page's.
    _user(client, admin, role="admin")
    assert admin.post(f"/app/admin/users/{me}", {"role": "user"}).status_code == 303
    assert admin.page.get("/app/admin/users").status_code == 403


def test_an_operator_names_the_account_as_the_api_asks(client: TestClient, stack: Stack, admin: Admin) -> None:
    email = f"op-{uuid.uuid4().hex[:8]}@provider.test"
    with Session(stack.engine) as session:
        operator = create_operator(session, email, initial_password=True)
    page = signed_in(client, email, str(operator.initial_password))
    unnamed = page.get("/app/admin/users")
    assert unnamed.status_code == 422 and "indiquez le compte" in unnamed.text
    named = page.get("/app/admin/users", params={"account_id": admin.account.account_id})
    assert named.status_code == 200 and admin.email in named.text
    assert f'name="account_id" value="{admin.account.account_id}"' in named.text
    token = CSRF.search(named.text)
    assert token
    added = page.post("/app/admin/users", data={"email": f"v-{uuid.uuid4().hex[:6]}@martin.test", "role": "user",
                                                "account_id": admin.account.account_id, "csrf_token": token.group(1)})
    assert added.status_code == 201
    assert page.get("/app/admin/audit", params={"account_id": admin.account.account_id}).status_code == 200
    assert "Un opérateur du prestataire a ajouté" in admin.page.get("/app/admin/audit").text


def test_malformed_input_never_gets_a_server_error(client: TestClient, admin: Admin) -> None:
    me = admin.account.user_id
    for path in ("/app/admin/users?offset=-1", "/app/admin/users?offset=99999999999", "/app/admin/users?done=%00",
                 "/app/admin/users?account_id=..%2F..", "/app/admin/audit?action=user.nothing",
                 "/app/admin/audit?offset=abc", f"/app/admin/users/{me}/explode", "/app/admin/users/%00",
                 f"/app/admin/users/{'x' * 100}", "/app/admin/keys/%20/revoke", "/app/admin/keys?done=" + "x" * 50):
        assert admin.page.get(path).status_code < 500, path
    for path, data in (("/app/admin/users", {"email": "a\x00b@martin.test", "role": "user"}),
                       ("/app/admin/users", {"email": "é" * 320 + "@martin.test", "role": "user"}),
                       ("/app/admin/users", {"email": "z@martin.test", "role": "operator"}),
                       ("/app/admin/users", {"email": "z@martin.test", "role": "user", "dossier_ids": ["a b"]}),
                       ("/app/admin/users", {"email": "z@martin.test", "role": "user", "account_id": "x" * 80}),
                       ("/app/admin/keys", {"name": "a\x00b"}), ("/app/admin/keys", {"name": "x" * 2_000}),
                       (f"/app/admin/users/{me}", {"role": "admin", "dossier_ids": ["\x00"]})):
        assert admin.post(path, data).status_code < 500, (path, data)
    assert len(client.get("/v1/users", headers=admin.key).json()["items"]) == 1
