"""What every migration test needs: an empty database of the stack's kind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import Stack
from tests.support import services


@pytest.fixture
def empty_database(stack: Stack, tmp_path: Path) -> Iterator[str]:
    """A database of the stack's kind with no schema yet."""
    if stack.name == "embedded":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    url, drop = services.fresh_postgres_db(services.postgres_url())
    yield url
    drop()
