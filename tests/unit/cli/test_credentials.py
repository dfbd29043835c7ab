"""Where `bordereau login` keeps its key, who may read it, and which key a command uses."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli import login
from cli.login import Credentials, credentials_path, key_in_effect, store_credentials, stored_credentials
from cli.main import app
from tests.support.services import free_port

CREDS = Credentials("http://service.test:8000", "bdr_abc_secret", "anne@martin.test", "key-1")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "bordereau"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that takes nothing away: the modes must come from the code, not the umask."""
    old = os.umask(0)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_file_is_0600_and_its_folder_0700_whatever_the_umask(config: Path, open_umask: None) -> None:
    path = store_credentials(CREDS)
    assert path == config / "credentials.json" == credentials_path()
    assert _mode(path) == 0o600 and _mode(config) == 0o700
    assert os.listdir(config) == ["credentials.json"]  # no temporary file left behind
    assert stored_credentials() == CREDS


def test_the_file_is_never_readable_by_others_not_even_before_its_rename(
        config: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch) -> None:
    config.mkdir(parents=True, mode=0o755)
    (config / "credentials.json").write_text("{}")
    os.chmod(config / "credentials.json", 0o644)
    modes: list[int] = []
    real_replace: Callable[..., None] = os.replace

    def spy(src: str | Path, dst: str | Path) -> None:
        modes.append(_mode(Path(src)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    store_credentials(CREDS)
    assert modes == [0o600]
    assert _mode(config / "credentials.json") == 0o600 and _mode(config) == 0o700


def test_a_relative_xdg_config_home_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert credentials_path() == tmp_path / ".config" / "bordereau" / "credentials.json"


def test_a_key_given_wins_and_the_stored_one_brings_its_service(config: Path) -> None:
    assert key_in_effect(None, None) is None
    store_credentials(CREDS)
    given = key_in_effect("bdr_env_key", None, "the environment")
    assert given is not None and (given.api_key, given.api_url, given.origin) == \
        ("bdr_env_key", login.DEFAULT_API_URL, "the environment")
    stored = key_in_effect(None, None)
    assert stored is not None and (stored.api_key, stored.api_url, stored.origin) == \
        (CREDS.api_key, CREDS.api_url, str(config / "credentials.json"))
    elsewhere = key_in_effect(None, "http://other.test")
    assert elsewhere is not None and (elsewhere.api_key, elsewhere.api_url) == (CREDS.api_key, "http://other.test")


def test_a_damaged_file_is_a_sentence_not_a_traceback(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.mkdir(parents=True)
    (config / "credentials.json").write_text('{"api_url": "http://x"}')
    with pytest.raises(typer.Exit) as exited:
        stored_credentials()
    assert exited.value.exit_code == 1
    assert "run `bordereau login` again" in capsys.readouterr().err


def test_an_unreachable_service_is_one_sentence(config: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(app, ["login", "--api-url", url, "--email", "a@b.test"], input="a password\n")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"bordereau: cannot reach the service at {url} (")
    assert not (config / "credentials.json").exists()
