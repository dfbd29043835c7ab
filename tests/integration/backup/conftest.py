"""Fresh stacks for backups: a source to back up and an empty target to restore into, of the same
kind (embedded defaults, or PostgreSQL + SeaweedFS), each with a database and store of its own so
that a test can destroy one without touching any other test's data."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ingest.platform.db import make_engine, migrate
from ingest.platform.settings import Settings, get_settings
from ingest.store import open_store
from tests.integration.conftest import Stack
from tests.support import services

MakeStack = Callable[..., Stack]


@pytest.fixture(params=["embedded", "services"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStack]:
    """Makes stacks of this test's kind; `migrated=False` leaves the database without a table and
    the S3 bucket unmade (fresh services, what a restore expects)."""
    undo: list[Callable[[], None]] = []

    def make(name: str, *, migrated: bool = True) -> Stack:
        if request.param == "embedded":
            settings = Settings(data_dir=tmp_path / name / "data", queue_prefix=f"t{uuid.uuid4().hex[:8]}.")
            if migrated:
                migrate(settings.effective_database_url())
        else:  # a copy of a migrated database, or an empty one
            settings, drop = services.services_settings(tmp_path / name, migrated=migrated)
            undo.append(drop)
        store = open_store(settings)
        ensure = getattr(store, "ensure_bucket", None)
        if ensure and migrated:  # an unmigrated stack has no bucket either: the restore makes it
            ensure()
        engine = make_engine(settings.effective_database_url())
        undo.append(engine.dispose)
        return Stack(request.param, settings, engine, store)

    yield make
    for step in reversed(undo):
        step()


def bordereau(stack: Stack, *args: str) -> Result:
    """The real command line, run in this process on `stack`'s settings."""
    from cli.main import app

    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), env=stack.env())
    finally:
        get_settings.cache_clear()
