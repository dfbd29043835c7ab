"""The composition root builds each part from the settings, and contacts nothing while it does."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ingest.documents.limits import Limits
from ingest.documents.ocr import OcrConfig
from ingest.platform.settings import Settings
from ingest.resources import Resources, limits_from, ocr_from


def test_ocr_config_comes_from_settings_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BORDEREAU_OCR_COMMAND", "/opt/tess")
    monkeypatch.setenv("BORDEREAU_OCR_ENGINE", "command")
    config = ocr_from(Settings(ocr_languages="fra", ocr_dpi=200, ocr_page_timeout=5))
    assert config == OcrConfig(engine="command", command="/opt/tess", languages="fra", dpi=200, page_timeout=5)


def test_limits_come_from_settings() -> None:
    limits = limits_from(Settings(max_file_bytes=10, max_pages=2, max_image_pixels=3, max_archive_entries=4,
                                  max_archive_expanded_bytes=5, max_archive_ratio=6))
    assert limits == Limits(max_file_bytes=10, max_pages=2, max_image_pixels=3, max_archive_entries=4,
                            max_archive_expanded_bytes=5, max_archive_ratio=6)


def test_resources_of_the_embedded_defaults(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", task_time_limit=900)
    resources = Resources.from_settings(settings)
    try:
        assert resources.engine.dialect.name == "sqlite"
        assert resources.lease_duration == timedelta(seconds=960)  # past the hard time limit
        assert resources.broker.conf.broker_transport.endswith(":EmbeddedTransport")
        assert not (tmp_path / "data" / "broker.sqlite3").exists()  # built, not contacted
    finally:
        resources.close()
