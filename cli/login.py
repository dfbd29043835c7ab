"""``bordereau login``, ``logout`` and ``whoami``: sign in once, as ``gh auth login`` does, and let
later commands find their key without it being in the environment.

The CLI keeps an API key of its own, not the session: a session ends after some idle time and obeys
CSRF rules made for pages, while a key is what programs are meant to use; named after this machine,
it can be revoked alone. The password is sent to sign in (and to change an initial one), never kept.

The key lives in ``$XDG_CONFIG_HOME/bordereau/credentials.json`` (``~/.config/bordereau/`` by
default), in a folder 0700 and a file 0600 from the instant it exists. A key given with
``--api-key`` or ``BORDEREAU_API_KEY`` always wins over the stored one.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cli.errors import die

if TYPE_CHECKING:  # httpx costs a fifth of a second to import: only the commands that talk to the service load it
    import httpx

DEFAULT_API_URL = "http://127.0.0.1:8000"
NOT_SIGNED_IN = "Not signed in: run `bordereau login`, or set BORDEREAU_API_KEY."
CREDENTIALS_FILE = "credentials.json"
SESSION_COOKIE = "bordereau_session"
CSRF_HEADER = "X-CSRF-Token"
KEY_NAME_MAX = 200  # the service's bound on a key's name


@dataclass(frozen=True)
class Credentials:
    """What ``bordereau login`` keeps. `key_id` is None for a key brought with ``--with-key``: it was
    made elsewhere, perhaps for another program too, so ``logout`` leaves it valid."""

    api_url: str
    api_key: str
    email: str
    key_id: str | None = None


@dataclass(frozen=True)
class KeyInEffect:
    """The key a command uses, the service it goes to, and where the key came from (in words)."""

    api_key: str
    api_url: str
    origin: str


# --- where the key is kept -------------------------------------------------------------------

def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/bordereau``; as the XDG spec says, an empty or relative value is ignored."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    return root / "bordereau"


def credentials_path() -> Path:
    return config_dir() / CREDENTIALS_FILE


def _load(path: Path) -> Credentials:
    """The credentials in `path`; ValueError when the file is not what ``login`` writes."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) and data[k] for k in ("api_url", "api_key")):
        raise ValueError("api_url or api_key is missing")
    key_id = data.get("key_id")
    return Credentials(data["api_url"], data["api_key"], str(data.get("email") or ""),
                       key_id if isinstance(key_id, str) else None)


def stored_credentials() -> Credentials | None:
    """The stored credentials, or None when there are none. A damaged file is a one-line refusal,
    not a silent fallback, so that the user learns why the key is not used."""
    path = credentials_path()
    try:
        return _load(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        die(f"cannot read {path} ({exc}): run `bordereau login` again, or `bordereau logout` to remove it.")


def store_credentials(creds: Credentials) -> Path:
    """Write `creds` so that nobody else can read them at any instant: the folder is 0700, the file
    is created 0600 under a temporary name (``os.open`` with the mode: no moment with wider rights,
    whatever the umask) and renamed over the old one, so a reader never meets it half written."""
    folder = config_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # a folder made earlier, or by a stricter umask, gets exactly 0700
    path = folder / CREDENTIALS_FILE
    tmp = folder / f".{CREDENTIALS_FILE}.{secrets.token_hex(6)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # a umask may have taken the owner's bits too
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(asdict(creds), out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def key_in_effect(api_key: str | None, api_url: str | None,
                  origin: str = "--api-key or BORDEREAU_API_KEY") -> KeyInEffect | None:
    """The key a command uses: one given explicitly wins; else the stored one, with its service
    unless a URL was given. None when there is neither (the caller says how to sign in)."""
    if api_key:
        return KeyInEffect(api_key, api_url or DEFAULT_API_URL, origin)
    stored = stored_credentials()
    if stored is None:
        return None
    return KeyInEffect(stored.api_key, api_url or stored.api_url, str(credentials_path()))


# --- talking to the service ------------------------------------------------------------------

def _client(api_url: str, api_key: str | None = None) -> httpx.Client:
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.Client(base_url=api_url, headers=headers, timeout=httpx.Timeout(30, connect=10))


def _send(client: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request; a service out of reach is a one-line refusal, not a traceback."""
    import httpx

    try:
        return client.request(method, path, **kwargs)
    except httpx.TransportError as exc:
        where = str(client.base_url).rstrip("/")
        die(f"cannot reach the service at {where} ({exc or type(exc).__name__}).")


def sentence(resp: httpx.Response) -> str:
    """The service's own sentence for a refusal (``detail`` of its problem+json), else its status."""
    try:
        detail = resp.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return detail if isinstance(detail, str) and detail else f"The service answered HTTP {resp.status_code}."


def _sign_in_refusal(resp: httpx.Response) -> str:
    """Why signing in failed; when throttled, the wait the service asks for in Retry-After."""
    wait = resp.headers.get("Retry-After")
    if resp.status_code == 429 and wait:
        return f"Too many failed sign-ins: try again in {wait} seconds."
    return sentence(resp)


def _sign_in(client: httpx.Client, email: str, password: str) -> dict[str, Any]:
    """Open a session; the client then sends its cookie and, on every change, its CSRF token."""
    resp = _send(client, "POST", "/v1/auth/login", json={"email": email, "password": password})
    if resp.status_code != 200:
        die(_sign_in_refusal(resp))
    csrf = resp.headers.get(CSRF_HEADER)
    if not csrf or SESSION_COOKIE not in client.cookies:
        die("the service accepted the password but opened no session (is --api-url a bordereau API?).")
    client.headers[CSRF_HEADER] = csrf
    user: dict[str, Any] = resp.json()
    return user


def _change_initial_password(client: httpx.Client, current: str) -> None:
    """An initial password must be changed before anything else, making a key included. The
    service's policy decides what is acceptable, so a refusal is shown in its words and the user
    asked again."""
    typer.echo("Your password is an initial one: choose a new one.")
    while True:
        new = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
        resp = _send(client, "POST", "/v1/auth/password", json={"current_password": current, "new_password": new})
        if resp.status_code == 200:
            typer.echo("Password changed.")
            return
        if resp.status_code != 422:
            die(sentence(resp))
        typer.echo(sentence(resp), err=True)


def _new_key(client: httpx.Client) -> dict[str, Any]:
    """A key named after this machine, so that the user can tell it apart when revoking one."""
    name = f"bordereau CLI on {socket.gethostname()}"[:KEY_NAME_MAX]
    resp = _send(client, "POST", "/v1/api-keys", json={"name": name})
    if resp.status_code != 201:
        die(f"could not make an API key: {sentence(resp)}")
    key: dict[str, Any] = resp.json()
    return key


def _sign_out(client: httpx.Client) -> None:
    """The session served only to make the key: end it, so nothing else stays signed in. Failing
    to is no reason to fail the command (the session expires by itself), but it is said."""
    import httpx

    try:
        ended = client.post("/v1/auth/logout").status_code == 204
    except httpx.TransportError:
        ended = False
    if not ended:
        typer.echo("bordereau: could not end the sign-in session; it will expire by itself.", err=True)


def _revoke(creds: Credentials) -> tuple[str, bool]:
    """Revoke the stored key with the key itself: a sentence, and whether it went as planned. A key
    already revoked, or a service out of reach, does not stop a sign-out."""
    if creds.key_id is None:
        return "The key was brought with --with-key: it stays valid on the service.", True
    import httpx

    try:
        with _client(creds.api_url, creds.api_key) as client:
            resp = client.delete(f"/v1/api-keys/{creds.key_id}")
    except httpx.TransportError:
        return f"Could not reach {creds.api_url}: the key was not revoked there; revoke it once it is back.", False
    if resp.status_code == 204:
        return "The key was revoked on the service.", True
    if resp.status_code in (401, 404):
        return "The key was already revoked on the service.", False
    return f"The key could not be revoked: {sentence(resp)}", False


# --- the commands ----------------------------------------------------------------------------

def _sign_in_for_key(api_url: str, email: str, password: str) -> Credentials:
    """Sign in, change an initial password, make a key, sign out (even when a step fails)."""
    with _client(api_url) as client:
        user = _sign_in(client, email, password)
        try:
            if user.get("password_change_required"):
                _change_initial_password(client, password)
            key = _new_key(client)
        finally:
            _sign_out(client)
    return Credentials(api_url, key["api_key"], user["email"], key["id"])


def _read_key() -> str:
    """An existing key: the first line of standard input when piped (as ``gh auth login
    --with-token``), a hidden prompt at a terminal, so that it stays out of the shell's history."""
    key = typer.prompt("API key", hide_input=True) if sys.stdin.isatty() else sys.stdin.readline()
    if not key.strip():
        die("no API key on standard input: pipe one in, e.g. `bordereau login --with-key < key.txt`.")
    return str(key).strip()


def _check_key(api_url: str, key: str) -> Credentials:
    """A key made elsewhere is checked before it is kept: a wrong one is caught now, not at the
    next upload."""
    with _client(api_url, key) as client:
        resp = _send(client, "GET", "/v1/auth/me")
    if resp.status_code != 200:
        die(f"this API key was refused, nothing was stored: {sentence(resp)}")
    return Credentials(api_url, key, resp.json()["email"])


def _keep(creds: Credentials) -> Path:
    """Store the credentials; if that fails, a key made just now is revoked, as nobody holds it."""
    try:
        return store_credentials(creds)
    except OSError as exc:
        if creds.key_id:
            _revoke(creds)
        die(f"cannot store the key in {credentials_path()}: {exc.strerror or exc}.")


def login(api_url: str = typer.Option(DEFAULT_API_URL, "--api-url", envvar="BORDEREAU_API_URL",
                                      help="The service to sign in to"),
          email: str | None = typer.Option(None, "--email", help="Your e-mail address (asked when absent)"),
          with_key: bool = typer.Option(False, "--with-key",
                                        help="Keep an existing API key read from standard input instead")) -> None:
    """Sign in and keep an API key for this machine's later commands (upload, whoami)."""
    api_url = api_url.rstrip("/")
    if with_key:
        creds = _check_key(api_url, _read_key())
    else:
        address = email or typer.prompt("E-mail")
        creds = _sign_in_for_key(api_url, address, typer.prompt("Password", hide_input=True))
    previous = _previous_login()
    path = _keep(creds)
    typer.echo(f"Signed in to {api_url} as {creds.email}. API key stored in {path}.")
    if previous is not None and previous.api_key != creds.api_key:
        note, as_planned = _revoke(previous)
        typer.echo(f"The key of the previous sign-in: {note[0].lower()}{note[1:]}", err=not as_planned)


def _previous_login() -> Credentials | None:
    """The credentials a sign-in replaces, if `login` made their key: nobody else holds that key, so
    it is revoked rather than left to pile up on the service. A damaged file replaces nothing."""
    try:
        previous = _load(credentials_path())
    except (OSError, ValueError):
        return None
    return previous if previous.key_id else None


def logout() -> None:
    """Revoke the key `login` made (nobody else holds it) and delete the stored credentials."""
    path = credentials_path()
    if not path.exists():
        die(f"not signed in: there is no {path}.")
    try:
        creds = _load(path)
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        typer.echo(f"{path} was unreadable, so no key was revoked; it is deleted.", err=True)
        return
    note, as_planned = _revoke(creds)
    typer.echo(note, err=not as_planned)
    path.unlink(missing_ok=True)
    typer.echo(f"Signed out {creds.email or 'of ' + creds.api_url}: {path} deleted.")


def _origin(api_key: str | None) -> str:
    """Where an explicit key came from: the same value in the environment counts as from there."""
    if api_key and api_key == os.environ.get("BORDEREAU_API_KEY"):
        return "the BORDEREAU_API_KEY environment variable"
    return "the --api-key option"


def whoami(api_url: str | None = typer.Option(None, "--api-url", envvar="BORDEREAU_API_URL",
                                         help="The service (default: the one signed in to)"),
           api_key: str | None = typer.Option(None, "--api-key", envvar="BORDEREAU_API_KEY",
                                         help="A key to check (default: the one `login` stored)")) -> None:
    """Who the key in effect belongs to, and where that key came from."""
    key = key_in_effect(api_key, api_url, _origin(api_key))
    if key is None:
        die(NOT_SIGNED_IN)
    with _client(key.api_url, key.api_key) as client:
        resp = _send(client, "GET", "/v1/auth/me")
    if resp.status_code != 200:
        die(f"the key from {key.origin} is refused by {key.api_url}: {sentence(resp)}")
    user = resp.json()
    typer.echo(f"email:    {user['email']}\nrole:     {user['role']}\n"
               f"account:  {user.get('account_id') or 'none (operator)'}\nservice:  {key.api_url}\n"
               f"key from: {key.origin}")
