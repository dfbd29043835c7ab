"""OCR through the real Tesseract and pdftoppm: scans, PDF pages without text, time limits,
and a missing engine (a configuration pointing at a command that does not exist)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ingest.documents.analyse import analyse
from ingest.documents.limits import Limits
from ingest.documents.ocr import (
    OcrConfig,
    OcrUnavailable,
    check_available,
    ocr_document,
    ocr_status,
    pages_needing_ocr,
)
from ingest.documents.sniff import Kind
from tests.support.invoices import (
    scanned_invoice_pdf,
    scanned_invoice_png,
    text_invoice_pdf,
)

# Without CI a developer may lack Tesseract; CI installs it (infra/setup) and must run these.
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None and not os.environ.get("CI"),
                                     reason="tesseract is not installed")
MISSING = OcrConfig(command="/nonexistent/tesseract")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_missing_engine_is_reported_not_raised() -> None:
    assert ocr_status(MISSING) != "ok"
    assert ocr_status(MISSING).startswith("unavailable: the Tesseract command '/nonexistent/tesseract'")
    with pytest.raises(OcrUnavailable):
        check_available(MISSING)


@needs_tesseract
def test_a_missing_language_is_reported() -> None:
    status = ocr_status(OcrConfig(languages="fra+xyz"))
    assert status == "unavailable: Tesseract has no language data for xyz"


@needs_tesseract
def test_the_installed_engine_is_available() -> None:
    assert ocr_status(OcrConfig()) == "ok"


def test_which_pages_need_ocr(tmp_path: Path) -> None:
    text = analyse(write(tmp_path, "t.pdf", text_invoice_pdf()), Kind.pdf, Limits())
    scan = analyse(write(tmp_path, "s.pdf", scanned_invoice_pdf()), Kind.pdf, Limits())
    image = analyse(write(tmp_path, "s.png", scanned_invoice_png()), Kind.png, Limits())
    assert (pages_needing_ocr(text), pages_needing_ocr(scan), pages_needing_ocr(image)) == ([], [1], [1])


@needs_tesseract
def test_a_scan_is_read(tmp_path: Path) -> None:
    facts = analyse(write(tmp_path, "s.png", scanned_invoice_png()), Kind.png, Limits())
    outcome = ocr_document(facts, None, OcrConfig())
    assert outcome.timed_out == []
    assert "F2026-0042" in outcome.texts[1] and "1 481,47" in outcome.texts[1]


@needs_tesseract
def test_a_pdf_page_without_text_is_rendered_then_read(tmp_path: Path) -> None:
    path = write(tmp_path, "s.pdf", scanned_invoice_pdf())
    outcome = ocr_document(analyse(path, Kind.pdf, Limits()), path, OcrConfig(dpi=200))
    assert "FR44732829320" in outcome.texts[1].replace(" ", "")


@needs_tesseract
def test_a_page_past_its_time_limit_stays_empty_and_is_reported(tmp_path: Path) -> None:
    facts = analyse(write(tmp_path, "s.png", scanned_invoice_png()), Kind.png, Limits())
    outcome = ocr_document(facts, None, OcrConfig(page_timeout=0.001))
    assert outcome.texts == {1: ""} and outcome.timed_out == [1]


def test_running_a_missing_engine_raises_unavailable(tmp_path: Path) -> None:
    facts = analyse(write(tmp_path, "s.png", scanned_invoice_png()), Kind.png, Limits())
    with pytest.raises(OcrUnavailable):
        ocr_document(facts, None, MISSING)
