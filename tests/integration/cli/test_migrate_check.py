"""`bordereau migrate --check`, what a pod runs before it starts (infra/k8s): it changes nothing and
says whether the schema is the one this release needs, on both stacks."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa

from ingest.platform.db import make_engine
from tests.integration.conftest import REPO, Stack


def check(stack: Stack, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**stack.env(), "BORDEREAU_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "cli.main", "migrate", "--check"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_check_refuses_a_schema_behind_and_changes_nothing(stack: Stack, empty_database: str) -> None:
    behind = check(stack, empty_database)
    assert behind.returncode == 1
    assert behind.stderr.startswith("bordereau: database_behind: the schema is at revision none, "
                                    "this release needs "), behind.stderr
    assert "Traceback" not in behind.stderr
    assert "documents" not in tables(empty_database)


def test_check_passes_once_migrated(stack: Stack, empty_database: str) -> None:
    env = {**stack.env(), "BORDEREAU_DATABASE_URL": empty_database}
    subprocess.run([sys.executable, "-m", "cli.main", "migrate"], cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=300)
    done = check(stack, empty_database)
    assert (done.returncode, done.stdout.strip()) == (0, "database is up to date"), done.stderr


def test_check_says_in_one_line_when_the_database_is_unreachable(stack: Stack) -> None:
    done = check(stack, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert done.returncode == 1
    assert done.stderr.startswith("bordereau: database_unreachable: "), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
