"""Accounts as the booklet describes them (docs/contract.md §7), on both stacks: passwords, sessions,
keys, users and their rights, stopping, the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from ingest.accounts.lifecycle import NewAccount, create_account
from tests.integration.conftest import Stack, auth
from tests.support.files import text_pdf

NEW_PASSWORD = "Le bordereau de mars est parti"


@pytest.fixture
def opened(stack: Stack) -> NewAccount:
    """An account as an operator opens it: an administrator with an initial password."""
    with Session(stack.engine) as session:
        return create_account(session, "Cabinet Martin", "firm", f"admin-{uuid.uuid4().hex[:8]}@martin.test",
                              initial_password=True)


def browser(client: TestClient) -> TestClient:
    """Another browser on the same app: a cookie jar of its own."""
    return TestClient(client.app)


def sign_in(client: TestClient, email: str, password: str) -> dict[str, str]:
    """Sign in; the headers a page sends with a change (the CSRF token it read from its cookie)."""
    resp = client.post("/v1/auth/login", json={"email": email, "password": password})
    assert resp.status_code == 200, resp.text
    assert client.cookies.get("bordereau_csrf") == resp.headers["x-csrf-token"]
    return {"X-CSRF-Token": resp.headers["x-csrf-token"]}


def email_of(client: TestClient, account: NewAccount) -> str:
    resp = client.get("/v1/auth/me", headers=auth(account.api_key))
    assert resp.status_code == 200, resp.text
    return str(resp.json()["email"])


def change_password(page: TestClient, csrf: dict[str, str], current: str, new: str) -> None:
    resp = page.post("/v1/auth/password", json={"current_password": current, "new_password": new}, headers=csrf)
    assert resp.status_code == 200, resp.text


def admin_session(client: TestClient, account: NewAccount) -> tuple[TestClient, dict[str, str]]:
    """A browser signed in as the account's administrator, its initial password changed."""
    page = browser(client)
    email = email_of(client, account)
    csrf = sign_in(page, email, str(account.initial_password))
    change_password(page, csrf, str(account.initial_password), NEW_PASSWORD)
    return page, csrf


def test_initial_password_then_forced_change_then_use(client: TestClient, opened: NewAccount) -> None:
    page = browser(client)
    email = email_of(client, opened)
    assert opened.initial_password and len(opened.initial_password) >= 16
    csrf = sign_in(page, email, opened.initial_password)
    cookie = page.cookies.get("bordereau_session")
    assert cookie and opened.initial_password not in cookie

    me = page.get("/v1/auth/me").json()
    assert me["password_change_required"] is True and me["role"] == "admin"
    blocked = page.get("/v1/dossiers")
    assert blocked.status_code == 403 and blocked.json()["code"] == "password_change_required"

    weak = page.post("/v1/auth/password", json={"current_password": opened.initial_password,
                                                "new_password": "Password123456!"}, headers=csrf)
    assert weak.status_code == 422 and weak.json()["code"] == "password_too_common"
    wrong = page.post("/v1/auth/password", json={"current_password": "not it at all, no",
                                                 "new_password": NEW_PASSWORD}, headers=csrf)
    assert wrong.status_code == 403 and wrong.json()["code"] == "wrong_current_password"
    done = page.post("/v1/auth/password", json={"current_password": opened.initial_password,
                                                "new_password": NEW_PASSWORD}, headers=csrf)
    assert done.status_code == 200 and done.json()["password_change_required"] is False

    assert page.post("/v1/dossiers", json={"name": "SAS Lefèvre"}, headers=csrf).status_code == 201
    assert page.get("/v1/dossiers").json()["total"] == 1
    # The old password no longer signs in; the new one does.
    again = browser(client)
    assert again.post("/v1/auth/login", json={"email": email, "password": opened.initial_password}).status_code == 401
    sign_in(again, email, NEW_PASSWORD)


def test_changes_with_a_session_need_the_csrf_token(client: TestClient, opened: NewAccount) -> None:
    page, csrf = admin_session(client, opened)
    no_token = page.post("/v1/dossiers", json={"name": "SARL Petit"})
    assert no_token.status_code == 403 and no_token.json()["code"] == "csrf_failed"
    forged = page.post("/v1/dossiers", json={"name": "SARL Petit"}, headers={"X-CSRF-Token": "0" * 64})
    assert forged.status_code == 403
    assert page.post("/v1/dossiers", json={"name": "SARL Petit"}, headers=csrf).status_code == 201
    # A program's key needs no CSRF token.
    assert client.post("/v1/dossiers", json={"name": "SARL Grand"}, headers=auth(opened.api_key)).status_code == 201


def test_wrong_credentials_answer_alike_for_known_and_unknown_addresses(client: TestClient,
                                                                        opened: NewAccount) -> None:
    email = email_of(client, opened)
    known = browser(client).post("/v1/auth/login", json={"email": email, "password": "wrong password here"})
    unknown = browser(client).post("/v1/auth/login", json={"email": "nobody@martin.test", "password": "x" * 20})
    assert known.status_code == unknown.status_code == 401
    assert known.json()["code"] == unknown.json()["code"] == "invalid_credentials"
    assert known.json()["detail"] == unknown.json()["detail"]
    assert "bordereau_session" not in known.cookies


def test_an_administrator_limits_a_user_to_one_dossier(client: TestClient, opened: NewAccount) -> None:
    page, csrf = admin_session(client, opened)
    mine = page.post("/v1/dossiers", json={"name": "SARL Dupont"}, headers=csrf).json()["id"]
    other = page.post("/v1/dossiers", json={"name": "SAS Moreau"}, headers=csrf).json()["id"]
    made = page.post("/v1/users", json={"email": "claire@martin.test", "role": "user", "dossier_ids": [mine]},
                     headers=csrf)
    assert made.status_code == 201, made.text
    claire = made.json()
    assert claire["dossier_ids"] == [mine] and claire["password_change_required"] is True
    assert claire["initial_password"]

    her = browser(client)
    her_csrf = sign_in(her, "claire@martin.test", claire["initial_password"])
    change_password(her, her_csrf, claire["initial_password"], "Elle aime les factures")
    assert [d["id"] for d in her.get("/v1/dossiers").json()["items"]] == [mine]
    assert her.get(f"/v1/dossiers/{other}").status_code == 404
    upload = her.post("/v1/batches", data={"dossier_id": other}, files=[("files", ("a.pdf", text_pdf("A")))],
                      headers=her_csrf)
    assert upload.status_code == 404 and upload.json()["code"] == "dossier_not_found"
    ok = her.post("/v1/batches", data={"dossier_id": mine}, files=[("files", ("a.pdf", text_pdf("A")))],
                  headers=her_csrf)
    assert ok.status_code == 202, ok.text
    assert ok.json()["uploaded_by"] == claire["id"]
    # The administrator's batch in the other dossier is not hers to see.
    theirs = client.post("/v1/batches", data={"dossier_id": other}, files=[("files", ("b.pdf", text_pdf("B")))],
                         headers=auth(opened.api_key)).json()
    assert her.get(f"/v1/batches/{theirs['id']}").status_code == 404
    assert her.get(f"/v1/documents/{theirs['documents'][0]['id']}").status_code == 404
    assert [b["id"] for b in her.get("/v1/batches").json()["items"]] == [ok.json()["id"]]

    for call in (her.get("/v1/users"), her.post("/v1/users", json={"email": "x@martin.test"}, headers=her_csrf),
                 her.get("/v1/audit")):
        assert call.status_code == 403 and call.json()["code"] == "admins_only"
    cannot_open = her.post("/v1/dossiers", json={"name": "SCI Lune"}, headers=her_csrf)
    assert cannot_open.status_code == 403 and cannot_open.json()["code"] == "limited_to_dossiers"

    # Rights widened: she sees every dossier.
    page.patch(f"/v1/users/{claire['id']}", json={"dossier_ids": None}, headers=csrf)
    assert her.get("/v1/dossiers").json()["total"] == 2


def test_a_deactivated_user_stops_on_the_next_request(client: TestClient, opened: NewAccount) -> None:
    page, csrf = admin_session(client, opened)
    bob = page.post("/v1/users", json={"email": "bob@martin.test", "password": "Bob garde ses factures"},
                    headers=csrf).json()
    assert bob["initial_password"] is None
    his = browser(client)
    his_csrf = sign_in(his, "bob@martin.test", "Bob garde ses factures")
    change_password(his, his_csrf, "Bob garde ses factures", "Bob range ses factures")
    key = his.post("/v1/api-keys", json={"name": "scanner"}, headers=his_csrf).json()["api_key"]
    assert client.get("/v1/batches", headers=auth(key)).status_code == 200
    assert his.get("/v1/batches").status_code == 200

    assert page.patch(f"/v1/users/{bob['id']}", json={"active": False}, headers=csrf).status_code == 200
    gone = his.get("/v1/batches")
    assert gone.status_code == 401 and gone.json()["code"] == "session_ended"
    assert client.get("/v1/batches", headers=auth(key)).json()["code"] == "invalid_api_key"
    assert browser(client).post("/v1/auth/login", json={"email": "bob@martin.test",
                                                        "password": "Bob range ses factures"}).status_code == 401


def test_the_last_administrator_cannot_be_removed(client: TestClient, opened: NewAccount) -> None:
    page, csrf = admin_session(client, opened)
    me = page.get("/v1/auth/me").json()["id"]
    for call in (page.patch(f"/v1/users/{me}", json={"role": "user"}, headers=csrf),
                 page.patch(f"/v1/users/{me}", json={"active": False}, headers=csrf),
                 page.delete(f"/v1/users/{me}", headers=csrf)):
        assert call.status_code == 409 and call.json()["code"] == "last_admin", call.text
    second = page.post("/v1/users", json={"email": "second@martin.test", "role": "admin"}, headers=csrf).json()
    assert page.delete(f"/v1/users/{second['id']}", headers=csrf).status_code == 204
    assert page.get(f"/v1/users/{second['id']}").status_code == 404
    # The address is free again.
    assert page.post("/v1/users", json={"email": "second@martin.test"}, headers=csrf).status_code == 201


def test_the_audit_log_has_every_step(client: TestClient, opened: NewAccount) -> None:
    page, csrf = admin_session(client, opened)
    user = page.post("/v1/users", json={"email": "dina@martin.test"}, headers=csrf).json()
    page.patch(f"/v1/users/{user['id']}", json={"role": "admin"}, headers=csrf)
    page.patch(f"/v1/users/{user['id']}", json={"reset_password": True}, headers=csrf)
    page.patch(f"/v1/users/{user['id']}", json={"active": False}, headers=csrf)
    page.delete(f"/v1/users/{user['id']}", headers=csrf)
    key = page.post("/v1/api-keys", json={"name": "compta"}, headers=csrf).json()
    page.delete(f"/v1/api-keys/{key['id']}", headers=csrf)
    page.post("/v1/auth/logout", headers=csrf)

    log = client.get("/v1/audit", params={"limit": 100}, headers=auth(opened.api_key)).json()["items"]
    actions = [e["action"] for e in reversed(log)]
    assert actions == ["account.created", "auth.login", "auth.password_changed", "user.created", "user.updated",
                       "user.password_reset", "user.deactivated", "user.deleted", "api_key.created",
                       "api_key.revoked", "auth.logout"]
    assert all(e["address"] for e in log)
    assert all("password" not in str(e["detail"]).lower() or e["action"] == "user.password_reset" for e in log)
    assert [e["detail"] for e in log if e["action"] == "user.updated"] == [{"role": "admin"}]


def _strict_app(stack: Stack, **brakes: int) -> TestClient:
    from api.app import create_app

    return TestClient(create_app(stack.settings.model_copy(update=brakes), run_migrations=False))


def test_failed_sign_ins_are_throttled_with_retry_after(stack: Stack, opened: NewAccount) -> None:
    with _strict_app(stack, login_attempts_per_user=2, login_lockout_after=100, login_window_minutes=1) as strict:
        email = email_of(strict, opened)
        answers = [browser(strict).post("/v1/auth/login", json={"email": email, "password": f"guess {i} xx"})
                   for i in range(3)]
        assert [a.status_code for a in answers] == [401, 401, 429]
        assert answers[2].json()["code"] == "too_many_attempts"
        assert 1 <= int(answers[2].headers["retry-after"]) <= 60


def test_a_locked_user_stays_locked_until_an_administrator_lifts_it(stack: Stack, opened: NewAccount) -> None:
    with _strict_app(stack, login_attempts_per_user=100, login_lockout_after=3) as strict:
        page, csrf = admin_session(strict, opened)
        user = page.post("/v1/users", json={"email": "eve@martin.test", "password": "Eve compte les factures"},
                         headers=csrf).json()
        guesses = [browser(strict).post("/v1/auth/login", json={"email": "eve@martin.test",
                                                                 "password": f"guess {i} xx"}) for i in range(3)]
        assert [g.status_code for g in guesses] == [401, 401, 401]
        assert page.get(f"/v1/users/{user['id']}").json()["locked"] is True
        right = {"email": "eve@martin.test", "password": "Eve compte les factures"}
        locked = browser(strict).post("/v1/auth/login", json=right)  # the right password does not get through
        assert locked.status_code == 403 and locked.json()["code"] == "user_locked"
        assert page.patch(f"/v1/users/{user['id']}", json={"locked": False}, headers=csrf).json()["locked"] is False
        assert browser(strict).post("/v1/auth/login", json=right).status_code == 200


def test_keys_are_named_shown_once_and_act_with_their_users_rights(client: TestClient,
                                                                  opened: NewAccount) -> None:
    page, csrf = admin_session(client, opened)
    made = page.post("/v1/api-keys", json={"name": "  scanner de l'accueil "}, headers=csrf)
    assert made.status_code == 201
    key = made.json()
    assert key["name"] == "scanner de l'accueil" and key["api_key"].startswith("bdr_")
    listed = page.get("/v1/api-keys").json()
    assert {k["name"] for k in listed} == {"first key", "scanner de l'accueil"}
    assert all("api_key" not in k for k in listed)
    client.get("/v1/dossiers", headers=auth(key["api_key"]))
    used = next(k for k in page.get("/v1/api-keys").json() if k["id"] == key["id"])
    assert used["last_used_at"] is not None
    assert page.delete(f"/v1/api-keys/{key['id']}", headers=csrf).status_code == 204
    assert client.get("/v1/dossiers", headers=auth(key["api_key"])).status_code == 401


def test_another_accounts_users_and_keys_are_out_of_reach(client: TestClient, opened: NewAccount,
                                                         account_factory: Callable[..., NewAccount]) -> None:
    other = account_factory("Cabinet Rival")
    page, csrf = admin_session(client, opened)
    theirs = client.get("/v1/auth/me", headers=auth(other.api_key)).json()["id"]
    assert page.get(f"/v1/users/{theirs}").status_code == 404
    assert page.patch(f"/v1/users/{theirs}", json={"active": False}, headers=csrf).status_code == 404
    assert page.delete(f"/v1/users/{theirs}", headers=csrf).status_code == 404
    their_keys = client.get("/v1/api-keys", headers=auth(other.api_key)).json()
    assert page.delete(f"/v1/api-keys/{their_keys[0]['id']}", headers=csrf).status_code == 404
    assert all(u["account_id"] == opened.account_id for u in page.get("/v1/users").json()["items"])


def test_deactivating_the_account_ends_its_sessions(client: TestClient, stack: Stack, opened: NewAccount) -> None:
    from ingest.accounts.lifecycle import deactivate_account

    page, _ = admin_session(client, opened)
    assert page.get("/v1/dossiers").status_code == 200
    with Session(stack.engine) as session:
        deactivate_account(session, opened.account_id)
    assert page.get("/v1/dossiers").status_code == 401
    assert client.get("/v1/dossiers", headers=auth(opened.api_key)).status_code == 401
