"""`bordereau export journal` against the real app on both stacks: the file the service names,
complete; a refusal in one line with exit 1; another account's dossier refused like a missing one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import cli.export
from cli.main import app
from ingest.platform.models import Document
from tests.integration.conftest import Firm
from tests.integration.journal.conftest import DOSSIER_SIREN, Books
from tests.integration.journal.test_journal_api import invoices  # noqa: F401  (a fixture)
from tests.unit.journal.fec_checks import check_fec


class _Kept:
    """The test's client, which the command must not close (the app runs for the whole test)."""

    def __init__(self, client: TestClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def close(self) -> None:
        pass


@pytest.fixture
def runner(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setattr(cli.export, "http_client", lambda api_url: _Kept(client))
    return CliRunner()


def export(runner: CliRunner, dossier: str, key: str, *extra: str) -> Any:
    return runner.invoke(app, ["export", "journal", "--dossier", dossier, "--from", "2026-01-01", "--to",
                               "2026-12-31", "--api-key", key, *extra])


def test_the_journal_is_written_under_the_services_name(runner: CliRunner, books: Books,
                                                        invoices: list[Document],  # noqa: F811
                                                        tmp_path: Path) -> None:
    done = export(runner, books.dossier_id, books.account.api_key, "--output", str(tmp_path))
    assert done.exit_code == 0, done.output
    written = tmp_path / f"{DOSSIER_SIREN}FEC20261231.txt"
    assert done.output.strip() == str(written) and check_fec(written.read_text("utf-8")) == []
    assert len({line.split("\t")[2] for line in written.read_text("utf-8").splitlines()[1:]}) == 2
    assert [p.name for p in tmp_path.iterdir()] == [written.name]  # no partial file left
    as_csv = export(runner, books.dossier_id, books.account.api_key, "--format", "csv", "-o",
                    str(tmp_path / "achats.csv"))
    assert as_csv.exit_code == 0 and (tmp_path / "achats.csv").read_text("utf-8-sig").startswith("journal;")


def test_refusals_exit_1_with_the_services_sentence(runner: CliRunner, books_factory: Any, firm: Firm,
                                                    tmp_path: Path) -> None:
    no_siren = books_factory(siren=None)
    refused = export(runner, no_siren.dossier_id, no_siren.account.api_key, "-o", str(tmp_path))
    assert refused.exit_code == 1 and "format=csv" in refused.output
    foreign = export(runner, no_siren.dossier_id, firm.account.api_key, "--format", "csv", "-o", str(tmp_path))
    assert foreign.exit_code == 1 and f"No dossier {no_siren.dossier_id}" in foreign.output
    assert list(tmp_path.iterdir()) == []
