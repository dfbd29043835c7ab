"""Shared fixtures. Integration tests run twice: on the embedded defaults
(SQLite, local object folder, SQLite broker) and on the real services
(PostgreSQL, RabbitMQ, SeaweedFS S3). With CI set, a missing service fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.corpus import corpus_dir, missing


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_dir()
    if not path.is_dir():
        missing()
    return path


@pytest.fixture(autouse=True)
def _no_settings_cache() -> Iterator[None]:
    from ingest.platform.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
