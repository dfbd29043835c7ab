"""Driving the pages over HTTP as a browser would: its own cookie jar, the sign-in form, the password
change, and the CSRF token a form carries."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session

from ingest.accounts.lifecycle import NewAccount, create_account
from tests.integration.conftest import Stack

NEW_PASSWORD = "Le bordereau de mars est parti"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def browser(client: TestClient) -> TestClient:
    return TestClient(client.app)


def sign_in(page: TestClient, email: str, password: str) -> str:
    """Sign in through the form; where the service sends the browser next."""
    token = CSRF.search(page.get("/app/login").text)
    assert token
    resp = page.post("/app/login", data={"email": email, "password": password, "csrf_token": token.group(1)},
                     follow_redirects=False)
    assert resp.status_code == 303, resp.text
    return str(resp.headers["location"])


def change_password(page: TestClient, current: str) -> None:
    token = CSRF.search(page.get("/app/password").text)
    assert token
    resp = page.post("/app/password", data={"current_password": current, "new_password": NEW_PASSWORD,
                                            "confirm_password": NEW_PASSWORD, "csrf_token": token.group(1)},
                     follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/app/", resp.text


def signed_in(client: TestClient, email: str, password: str) -> TestClient:
    """A browser signed in with an initial password, changed to `NEW_PASSWORD`."""
    page = browser(client)
    sign_in(page, email, password)
    change_password(page, password)
    return page


def new_admin(client: TestClient, stack: Stack, name: str = "Cabinet Martin") -> tuple[TestClient, NewAccount]:
    """A browser signed in as the first administrator of a new account (its password changed)."""
    email = f"admin-{uuid.uuid4().hex[:8]}@martin.test"
    with Session(stack.engine) as session:
        account = create_account(session, name, "firm", email, initial_password=True)
    return signed_in(client, email, str(account.initial_password)), account

