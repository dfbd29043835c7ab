"""Shared fixtures. Integration tests run twice: on the embedded defaults
(SQLite, local object folder, SQLite broker) and on the real services
(PostgreSQL, RabbitMQ, SeaweedFS S3). With CI set, a missing service fails."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path:
    return Path(os.environ.get("BORDEREAU_CORPUS_DIR", REPO.parent / "shared" / "corpus" / "facturx"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_dir()
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the e-invoice corpus is missing at {path}")
        pytest.skip(f"the e-invoice corpus is not at {path} (a fresh clone has no ../shared)")
    return path


@pytest.fixture(autouse=True)
def _no_settings_cache() -> Iterator[None]:
    from ingest.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
