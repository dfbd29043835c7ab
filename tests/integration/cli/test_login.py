"""``bordereau login``, ``whoami``, ``upload`` with the stored key, and ``logout``, against a real API
process on each stack: what a person does on a new machine."""

from __future__ import annotations

import json
import socket
import stat
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session
from typer.testing import CliRunner, Result

from cli.main import app
from ingest.accounts.lifecycle import NewAccount, create_account
from tests.integration.conftest import ApiProcess, Stack, auth
from tests.support.files import text_pdf

NEW_PASSWORD = "Les factures de mai sont parties"
Run = Callable[..., Result]


@dataclass
class Opened:
    """An account as an operator opens it (an administrator with an initial password), a dossier."""

    account: NewAccount
    email: str
    dossier_id: str

    @property
    def initial(self) -> str:
        assert self.account.initial_password
        return self.account.initial_password


def _api(stack: Stack, tmp_path_factory: pytest.TempPathFactory,
         env: dict[str, str] | None = None) -> Iterator[ApiProcess]:
    proc = ApiProcess(stack, tmp_path_factory.mktemp("login-api") / "api.log", env).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def api(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    """One API process per stack for the module (starting one takes seconds): each test has its own
    account, e-mail and credentials folder, so none sees another's state."""
    yield from _api(stack, tmp_path_factory)


@pytest.fixture
def opened(stack: Stack, api: ApiProcess) -> Opened:
    email = f"admin-{uuid.uuid4().hex[:8]}@martin.test"
    with Session(stack.engine) as session:
        account = create_account(session, "Cabinet Martin", "firm", email, initial_password=True)
    resp = httpx.post(f"{api.url}/v1/dossiers", json={"name": "SARL Dupont"}, headers=auth(account.api_key))
    assert resp.status_code == 201, resp.text
    return Opened(account, email, resp.json()["id"])


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The XDG config folder of this test; the credentials go in its ``bordereau`` folder."""
    return tmp_path / "config"


@pytest.fixture
def run(config: Path) -> Run:
    """Runs a ``bordereau`` command in this process with no key nor URL in the environment."""
    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        base: dict[str, str | None] = {"XDG_CONFIG_HOME": str(config), "BORDEREAU_API_KEY": None,
                                       "BORDEREAU_API_URL": None}
        return CliRunner().invoke(app, list(args), input=input, env={**base, **(env or {})})
    return invoke


def _pdf(tmp_path: Path) -> Path:
    path = tmp_path / "facture.pdf"
    path.write_bytes(text_pdf("Facture F-2026-042\nTotal TTC 84,00 EUR"))
    return path


def _me(api: ApiProcess, key: str) -> httpx.Response:
    return httpx.get(f"{api.url}/v1/auth/me", headers=auth(key))


def test_login_changes_the_initial_password_and_upload_whoami_logout_use_the_stored_key(
        api: ApiProcess, opened: Opened, run: Run, config: Path, tmp_path: Path) -> None:
    typed = f"{opened.email}\n{opened.initial}\npassword1234\npassword1234\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    signed = run("login", "--api-url", api.url, input=typed)
    assert signed.exit_code == 0, signed.output
    assert "initial" in signed.stdout and "needs at least" in signed.stderr  # refused, then asked again
    path = config / "bordereau" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    stored = json.loads(path.read_text())
    assert stored["api_url"] == api.url and stored["email"] == opened.email and stored["key_id"]
    assert opened.email in signed.stdout and str(path) in signed.stdout
    for secret in (stored["api_key"], opened.initial, NEW_PASSWORD):
        assert secret not in signed.output

    me = _me(api, stored["api_key"])
    assert me.status_code == 200 and me.json()["password_change_required"] is False
    keys = httpx.get(f"{api.url}/v1/api-keys", headers=auth(stored["api_key"])).json()
    assert {"id": stored["key_id"], "name": f"bordereau CLI on {socket.gethostname()}"}.items() <= \
        next(k for k in keys if k["id"] == stored["key_id"]).items()
    sign_in = f"{api.url}/v1/auth/login"
    assert httpx.post(sign_in, json={"email": opened.email, "password": opened.initial}).status_code == 401
    assert httpx.post(sign_in, json={"email": opened.email, "password": NEW_PASSWORD}).status_code == 200
    audit = httpx.get(f"{api.url}/v1/audit", params={"limit": 100}, headers=auth(opened.account.api_key)).json()
    actions = [e["action"] for e in reversed(audit["items"])]
    # The CLI's own session ended once the key was made.
    assert actions[1:5] == ["auth.login", "auth.password_changed", "api_key.created", "auth.logout"]

    # No key in the environment, no --api-url: the stored key goes to the service it was made on.
    sent = run("upload", str(_pdf(tmp_path)), "--dossier", opened.dossier_id)
    assert sent.exit_code == 0, sent.output
    batch = httpx.get(f"{api.url}/v1/batches/{sent.stdout.split()[0]}", headers=auth(opened.account.api_key))
    assert batch.status_code == 200 and batch.json()["uploaded_by"] == opened.account.user_id

    who = run("whoami")
    assert who.exit_code == 0, who.output
    assert opened.email in who.stdout and "admin" in who.stdout and opened.account.account_id in who.stdout
    assert f"key from: {path}" in who.stdout

    # A key in the environment wins over the stored one, even a revoked one.
    spare = httpx.post(f"{api.url}/v1/api-keys", json={"name": "spare"}, headers=auth(stored["api_key"])).json()
    assert httpx.delete(f"{api.url}/v1/api-keys/{spare['id']}", headers=auth(stored["api_key"])).status_code == 204
    for key in (spare["api_key"], "bdr_garbage_key"):
        refused = run("upload", str(_pdf(tmp_path)), "--dossier", opened.dossier_id,
                      env={"BORDEREAU_API_KEY": key, "BORDEREAU_API_URL": api.url})
        assert refused.exit_code == 2 and "invalid_api_key" in refused.stderr, refused.output
    from_env = run("whoami", env={"BORDEREAU_API_KEY": opened.account.api_key, "BORDEREAU_API_URL": api.url})
    assert from_env.exit_code == 0 and "BORDEREAU_API_KEY environment variable" in from_env.stdout

    out = run("logout")
    assert out.exit_code == 0, out.output
    assert "revoked" in out.stdout and not path.exists()
    assert _me(api, stored["api_key"]).status_code == 401
    gone = run("upload", str(_pdf(tmp_path)), "--dossier", opened.dossier_id)
    assert gone.exit_code == 2 and "Not signed in: run `bordereau login`" in gone.stderr
    assert run("logout").exit_code == 1


def test_a_wrong_password_is_one_sentence_and_stores_nothing(api: ApiProcess, opened: Opened, run: Run,
                                                             config: Path) -> None:
    wrong = run("login", "--api-url", api.url, "--email", opened.email, input="not my password at all\n")
    assert wrong.exit_code == 1
    assert wrong.stderr.strip() == "bordereau: Wrong e-mail or password."
    assert "Traceback" not in wrong.output and not (config / "bordereau" / "credentials.json").exists()


def test_with_key_checks_the_key_before_keeping_it_and_logout_leaves_it_valid(
        api: ApiProcess, opened: Opened, run: Run, config: Path) -> None:
    path = config / "bordereau" / "credentials.json"
    bad = run("login", "--api-url", api.url, "--with-key", input="bdr_0123456789ab_not-a-real-secret\n")
    assert bad.exit_code == 1 and "refused, nothing was stored" in bad.stderr, bad.output
    assert not path.exists()

    good = run("login", "--api-url", api.url, "--with-key", input=f"{opened.account.api_key}\n")
    assert good.exit_code == 0, good.output
    assert opened.account.api_key not in good.output
    stored = json.loads(path.read_text())
    assert stored == {"api_url": api.url, "api_key": opened.account.api_key, "email": opened.email, "key_id": None}
    out = run("logout")
    assert out.exit_code == 0 and "stays valid" in out.stdout and not path.exists()
    assert _me(api, opened.account.api_key).status_code == 200


@pytest.fixture(scope="module")
def strict_api(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    """An API that refuses a user's third sign-in in a row after two failures."""
    yield from _api(stack, tmp_path_factory, {"BORDEREAU_LOGIN_ATTEMPTS_PER_USER": "2"})


def test_throttled_sign_ins_say_how_long_to_wait(strict_api: ApiProcess, run: Run) -> None:
    email = f"nobody-{uuid.uuid4().hex[:8]}@martin.test"
    for _ in range(2):
        assert run("login", "--api-url", strict_api.url, "--email", email, input="a wrong guess\n").exit_code == 1
    throttled = run("login", "--api-url", strict_api.url, "--email", email, input="a wrong guess\n")
    assert throttled.exit_code == 1
    assert throttled.stderr.startswith("bordereau: Too many failed sign-ins: try again in ")
    assert throttled.stderr.strip().endswith(" seconds.")


def test_signing_in_again_revokes_the_key_of_the_previous_sign_in(api: ApiProcess, opened: Opened, run: Run,
                                                                  config: Path) -> None:
    path = config / "bordereau" / "credentials.json"
    first = run("login", "--api-url", api.url, "--email", opened.email,
                input=f"{opened.initial}\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert first.exit_code == 0, first.output
    first_key = json.loads(path.read_text())["api_key"]
    again = run("login", "--api-url", api.url, "--email", opened.email, input=f"{NEW_PASSWORD}\n")
    assert again.exit_code == 0, again.output
    second_key = json.loads(path.read_text())["api_key"]
    assert second_key != first_key
    assert _me(api, first_key).status_code == 401 and _me(api, second_key).status_code == 200
