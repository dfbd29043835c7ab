"""`bordereau export journal`: its help loads nothing of the service; its arguments are checked
before anything is asked; the file keeps the name the service gives it."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.export import attachment_name
from cli.main import app
from tests.unit.cli.test_cli_imports import HEAVY, _imported


def test_help_loads_nothing_of_the_service() -> None:
    assert _imported("export", "journal", "--help") & HEAVY == set()


def test_bad_arguments_exit_2_with_a_reason() -> None:
    runner = CliRunner()
    base = ["export", "journal", "--dossier", "d", "--api-key", "k", "--api-url", "http://127.0.0.1:9"]
    wrong_date = runner.invoke(app, [*base, "--from", "2026-13-01", "--to", "2026-12-31"])
    assert wrong_date.exit_code == 2 and "--from '2026-13-01'" in wrong_date.output
    wrong_format = runner.invoke(app, [*base, "--from", "2026-01-01", "--to", "2026-12-31", "--format", "xls"])
    assert wrong_format.exit_code == 2 and "fec or csv" in wrong_format.output
    unreachable = runner.invoke(app, [*base, "--from", "2026-01-01", "--to", "2026-12-31"])
    assert unreachable.exit_code == 2 and "cannot reach the service" in unreachable.output


def test_the_file_is_named_as_the_service_names_it() -> None:
    both = "attachment; filename=\"732829320FEC20261231.txt\"; filename*=UTF-8''732829320FEC20261231.txt"
    assert attachment_name(both, "x") == "732829320FEC20261231.txt"
    assert attachment_name("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", "x") == "passwd"
    assert attachment_name(None, "journal.txt") == "journal.txt"
