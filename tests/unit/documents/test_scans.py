"""The printed-and-scanned degradation (tests/support/scans.py): same seed, same bytes; a JPEG at the
scanner's resolution and size; still readable by the OCR engine, and only just."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from ingest.documents.analyse import analyse
from ingest.documents.limits import Limits
from ingest.documents.ocr import OcrConfig, ocr_document
from ingest.documents.sniff import Kind
from tests.support.invoices import text_invoice_pdf
from tests.support.scans import Degradation, degrade, scanned_page, scanned_pdf


@pytest.fixture
def invoice(tmp_path: Path) -> Path:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(text_invoice_pdf())
    return path


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others(invoice: Path) -> None:
    assert scanned_page(invoice, seed=7) == scanned_page(invoice, seed=7)
    assert scanned_page(invoice, seed=7) != scanned_page(invoice, seed=8)


def test_a_scan_is_a_grey_jpeg_of_the_page_at_the_scanner_resolution(invoice: Path) -> None:
    image = Image.open(io.BytesIO(scanned_page(invoice, how=Degradation(scan_dpi=200))))
    # fpdf2's default page is A4: 210 x 297 mm, 1654 x 2339 pixels at 200 dpi.
    assert (image.format, image.mode) == ("JPEG", "L")
    assert image.size == (1654, 2339)
    assert image.info["dpi"] == pytest.approx((200, 200))


def test_the_degradation_greys_the_paper_and_the_ink() -> None:
    page = Image.new("L", (600, 600), 255)
    page.paste(0, (100, 100, 500, 140))
    scan = degrade(page, seed=1, how=Degradation(scan_dpi=300, specks=0))
    darkest, lightest = scan.getextrema()
    assert darkest > 0 and lightest < 255
    assert scan.getpixel((300, 20)) > 200 and scan.getpixel((300, 120)) < 100


def test_a_scanned_pdf_has_no_text_layer_and_is_read_by_ocr(tmp_path: Path, invoice: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf(invoice, seed=3))
    facts = analyse(path, Kind.pdf, Limits())
    assert facts.page_texts == [""]
    outcome = ocr_document(facts, path, OcrConfig())
    assert "F2026-0042" in outcome.texts[1] and "FR44732829320" in outcome.texts[1].replace(" ", "")
