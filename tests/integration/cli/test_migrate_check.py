"""`bordereau migrate --check` tells a deploy pipeline where the schema stands, on both stacks:
0 at the newest revision, 1 behind (or empty), 2 migrated by a newer release, 3 no database."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from ingest.platform.db import alembic_config, make_engine
from tests.integration.conftest import REPO, Stack
from tests.support.services import free_port


def _bordereau(stack: Stack, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**stack.env(), "BORDEREAU_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def _newest(url: str) -> str:
    (head,) = ScriptDirectory.from_config(alembic_config(url)).get_heads()
    return str(head)


def test_check_follows_the_schema_from_empty_to_newest(stack: Stack, empty_database: str) -> None:
    newest = _newest(empty_database)
    empty = _bordereau(stack, empty_database, "migrate", "--check")
    command.upgrade(alembic_config(empty_database), "0015")
    behind = _bordereau(stack, empty_database, "migrate", "--check")
    migrated = _bordereau(stack, empty_database, "migrate")
    current = _bordereau(stack, empty_database, "migrate", "--check")
    assert (empty.returncode, behind.returncode, migrated.returncode, current.returncode) == (1, 1, 0, 0)
    assert "no schema yet" in empty.stderr and newest in empty.stderr and "bordereau migrate" in empty.stderr
    assert f"at revision 0015, behind this release's {newest}" in behind.stderr
    assert newest in current.stdout and current.stderr == ""


def test_a_schema_from_a_newer_release_is_named_and_left_alone(stack: Stack, empty_database: str) -> None:
    command.upgrade(alembic_config(empty_database), "heads")
    engine = make_engine(empty_database)
    with engine.begin() as conn:  # what a later release's migration would have recorded
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099_later'"))
    engine.dispose()
    check = _bordereau(stack, empty_database, "migrate", "--check")
    migrate = _bordereau(stack, empty_database, "migrate")
    for run in (check, migrate):
        assert run.returncode == 2, run.stderr
        assert run.stderr.startswith("bordereau: ahead: ") and "0099_later" in run.stderr
        assert "Traceback" not in run.stderr


def test_no_database_to_ask_is_said_in_one_line(stack: Stack) -> None:
    if stack.name == "embedded":
        url = "sqlite:////proc/no-such-dir/bordereau.sqlite3"
    else:
        url = f"postgresql+psycopg://bordereau:x@127.0.0.1:{free_port()}/bordereau"
    run = _bordereau(stack, url, "migrate", "--check")
    assert run.returncode == 3, run.stderr
    assert run.stderr.startswith("bordereau: unreachable: ") and "Traceback" not in run.stderr
