"""The command line answers at once: a command loads only what it uses. Checked on the modules a
real ``python -m cli.main`` imported (``-X importtime``), not with a timer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
# The service's own weight: the database layer, the broker, the store, PDF and image readers, the
# web framework, the HTTP client, the public holidays library (its table is read instead).
HEAVY = {"sqlalchemy", "sqlmodel", "celery", "kombu", "boto3", "botocore", "pypdf", "pypdfium2", "PIL", "fastapi",
         "starlette", "httpx", "holidays", "jinja2", "alembic"}


def _imported(*args: str) -> set[str]:
    """The top-level packages `bordereau args` imported."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "cli.main", *args], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [line.split("|")[-1] for line in run.stderr.splitlines() if line.startswith("import time:")]
    imported = {line.strip().split(".")[0] for line in lines}
    assert {"typer", "cli"} <= imported, "the import log was not read"  # else every check below passes
    return imported


@pytest.mark.parametrize("args", [["--help"], ["operator", "--help"], ["upload", "--help"], ["backup", "--help"],
                                  ["contract", "availability", "--help"]])
def test_help_loads_nothing_of_the_service(args: list[str]) -> None:
    assert _imported(*args) & HEAVY == set()


def test_a_support_deadline_loads_nothing_of_the_service() -> None:
    deadline = _imported("contract", "deadline", "--criticality", "2", "--from", "2026-12-01T10:00:00+01:00")
    assert deadline & HEAVY == set()
    assert "ingest" in deadline  # the command did compute, with the contract's rules
