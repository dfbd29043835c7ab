"""The operators' account commands, on both stacks: an account opened with an initial password, a
password reset, a user stopped."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.operator import operator_app
from ingest.platform.settings import get_settings
from tests.integration.conftest import Stack, auth


@pytest.fixture
def operator_cli(stack: Stack) -> Iterator[Callable[..., Any]]:
    runner = CliRunner()
    get_settings.cache_clear()

    def run(*args: str, code: int = 0) -> Any:
        result = runner.invoke(operator_app, list(args), env=stack.env())
        assert result.exit_code == code, result.output
        return json.loads(result.stdout) if code == 0 else result.output

    yield run
    get_settings.cache_clear()


def test_an_account_opens_with_a_key_and_an_initial_password(client: TestClient,
                                                             operator_cli: Callable[..., Any]) -> None:
    email = f"admin-{uuid.uuid4().hex[:6]}@lebrun.test"
    opened = operator_cli("create-account", "--name", "Cabinet Lebrun", "--kind", "firm", "--admin-email", email)
    assert set(opened) == {"account_id", "user_id", "api_key", "initial_password"}
    signed = client.post("/v1/auth/login", json={"email": email, "password": opened["initial_password"]})
    assert signed.status_code == 200 and signed.json()["password_change_required"] is True
    assert client.get("/v1/auth/me", headers=auth(opened["api_key"])).json()["id"] == opened["user_id"]
    duplicate = operator_cli("create-account", "--name", "Autre", "--kind", "firm", "--admin-email", email, code=2)
    assert "already exists" in duplicate


def test_a_reset_gives_a_new_initial_password_and_a_stop_is_immediate(client: TestClient,
                                                                      operator_cli: Callable[..., Any]) -> None:
    email = f"admin-{uuid.uuid4().hex[:6]}@petit.test"
    opened = operator_cli("create-account", "--name", "Cabinet Petit", "--kind", "company", "--admin-email", email)
    reset = operator_cli("reset-password", email.upper())
    assert reset["user_id"] == opened["user_id"] and reset["initial_password"] != opened["initial_password"]
    def sign_in(password: str) -> int:
        return client.post("/v1/auth/login", json={"email": email, "password": password}).status_code

    assert sign_in(opened["initial_password"]) == 401 and sign_in(reset["initial_password"]) == 200
    second = client.post("/v1/users", json={"email": f"second-{uuid.uuid4().hex[:6]}@petit.test", "role": "admin"},
                         headers=auth(opened["api_key"])).json()
    stopped = operator_cli("deactivate-user", second["id"])
    assert stopped == {"user_id": second["id"], "email": second["email"], "active": False}
    # The account's only other administrator is the last one: the operator cannot stop it either.
    assert "last active administrator" in operator_cli("deactivate-user", opened["user_id"], code=2)
    assert "No user" in operator_cli("reset-password", "nobody@petit.test", code=2)
    log = client.get("/v1/audit", headers=auth(opened["api_key"])).json()["items"]
    assert [e["action"] for e in log][:2] == ["user.deactivated", "user.created"]
    assert any(e["action"] == "user.password_reset" and e["address"] == "command line" for e in log)
