"""OCR through the real Tesseract, in process (tesserocr) and as a command: scans, PDF pages
without text drawn by PDFium, word boxes, time limits, the language of a document, and a missing
engine (a configuration pointing at a command that does not exist)."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF
from PIL import Image

from ingest.documents import ocr_engines
from ingest.documents.analyse import analyse
from ingest.documents.limits import Limits
from ingest.documents.ocr import (
    OcrConfig,
    OcrUnavailable,
    check_available,
    engine_in_use,
    ocr_document,
    ocr_status,
    pages_needing_ocr,
    read_first_page,
    read_page,
    scan_dpi,
)
from ingest.documents.ocr_languages import detect_language
from ingest.documents.ocr_pages import MAX_PAGE_PIXELS, binarise, render_pdf_page, skew_angle
from ingest.documents.sniff import Kind
from tests.support.invoices import (
    scanned_invoice_pdf,
    scanned_invoice_png,
    text_invoice_pdf,
)

# Without CI a developer may lack Tesseract; CI installs it (infra/setup) and must run these.
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None and not os.environ.get("CI"),
                                     reason="tesseract is not installed")
MISSING = OcrConfig(engine="command", command="/nonexistent/tesseract")


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


# The in-process engine (tesserocr) and the command, chosen by configuration.

IN_PROCESS = OcrConfig(engine="tesserocr")
COMMAND = OcrConfig(engine="command")


def test_auto_runs_in_process_where_tesserocr_is_installed() -> None:
    assert engine_in_use(OcrConfig()) == "tesserocr"
    assert engine_in_use(COMMAND) == "command"


def test_an_unknown_engine_is_refused_with_the_choices() -> None:
    assert ocr_status(OcrConfig(engine="paper")) == (
        "unavailable: unknown OCR engine 'paper': choose one of auto, tesserocr, command")


def test_a_text_page_drawn_in_memory_gives_words_where_the_text_layer_has_them(tmp_path: Path) -> None:
    path = write(tmp_path, "t.pdf", text_invoice_pdf())
    image, dpi = render_pdf_page(path, 1, 200)
    read = read_page(image, dpi, IN_PROCESS)
    assert read.words is not None and not read.timed_out
    # A4 in points, as the text layer gives it, whatever the resolution drawn at.
    assert (read.words.width, read.words.height) == pytest.approx((595.3, 841.9), abs=0.5)
    inside = [w for w in read.words.words if 0 <= w.x0 < w.x1 <= read.words.width
              and 0 <= w.y0 < w.y1 <= read.words.height]
    assert inside == list(read.words.words)
    number = next(w for w in read.words.words if w.text == "F2026-0042")
    left, top, right, bottom = text_layer_box(path, "F2026-0042")
    assert number.x0 == pytest.approx(left, abs=3) and number.x1 == pytest.approx(right, abs=3)
    assert number.y0 == pytest.approx(top, abs=3) and number.y1 == pytest.approx(bottom, abs=3)
    assert 0.5 < (number.confidence or 0) <= 1


def text_layer_box(pdf: Path, text: str) -> tuple[float, float, float, float]:
    """Where PDFium's text layer puts ``text``: left, top, right, bottom in points from the top left."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        page = document[0]
        textpage = page.get_textpage()
        found = textpage.search(text).get_next()
        assert found is not None
        first, count = found
        boxes = [textpage.get_charbox(i) for i in range(first, first + count)]
        height = page.get_height()
        return (min(b[0] for b in boxes), height - max(b[3] for b in boxes),
                max(b[2] for b in boxes), height - min(b[1] for b in boxes))
    finally:
        document.close()


def test_words_of_a_scanned_pdf_are_kept_by_page(tmp_path: Path) -> None:
    path = write(tmp_path, "s.pdf", scanned_invoice_pdf())
    outcome = ocr_document(analyse(path, Kind.pdf, Limits()), path, IN_PROCESS)
    assert list(outcome.words) == [1] and outcome.words[1].number == 1
    assert "F2026-0042" in [w.text for w in outcome.words[1].words]


def test_a_scan_without_a_stated_resolution_is_taken_for_a_page_of_a4_width() -> None:
    image = Image.new("L", (1654, 2339), 255)
    assert scan_dpi(image) == pytest.approx(200, abs=0.1)
    image.info["dpi"] = (150.0, 150.0)
    assert scan_dpi(image) == 150


def test_the_in_process_engine_is_loaded_once_per_process() -> None:
    read_page(Image.new("L", (100, 100), 255), 300, IN_PROCESS)
    loaded = dict(ocr_engines._ENGINES)
    read_page(Image.new("L", (100, 100), 255), 300, IN_PROCESS)
    assert ocr_engines._ENGINES == loaded and all(key[0] == os.getpid() for key in loaded)


def test_a_forked_child_loads_its_own_engine_and_leaves_the_parents() -> None:
    """A worker's pool forks after the parent may have read a page: the child must not share it."""
    blank = Image.new("L", (100, 100), 255)
    read_page(blank, 300, IN_PROCESS)
    readable, writable = os.pipe()
    child = os.fork()
    if child == 0:  # the child reports through the pipe and leaves without running pytest's exit
        try:
            read_page(blank, 300, IN_PROCESS)
            keys = list(ocr_engines._ENGINES)
            os.write(writable, b"1" if keys and all(k[0] == os.getpid() for k in keys) else b"0")
        finally:
            os._exit(0)
    os.close(writable)
    answer = os.read(readable, 1)
    os.waitpid(child, 0)
    assert answer == b"1"
    assert any(key[0] == os.getpid() for key in ocr_engines._ENGINES)


def test_a_page_past_its_time_limit_in_process_stays_empty_and_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "s.pdf", scanned_invoice_pdf())
    outcome = ocr_document(analyse(path, Kind.pdf, Limits()), path, replace(IN_PROCESS, page_timeout=0.001))
    assert outcome.texts == {1: ""} and outcome.timed_out == [1] and outcome.words == {}
    # The engine is left clean: the next page is read in full.
    assert "F2026-0042" in ocr_document(analyse(path, Kind.pdf, Limits()), path, IN_PROCESS).texts[1]


@needs_tesseract
def test_the_command_reads_a_scan_without_word_boxes(tmp_path: Path) -> None:
    path = write(tmp_path, "s.pdf", scanned_invoice_pdf())
    outcome = ocr_document(analyse(path, Kind.pdf, Limits()), path, COMMAND)
    assert "F2026-0042" in outcome.texts[1] and outcome.words == {}


@needs_tesseract
def test_a_page_past_its_time_limit_with_the_command_stays_empty(tmp_path: Path) -> None:
    facts = analyse(write(tmp_path, "s.png", scanned_invoice_png()), Kind.png, Limits())
    outcome = ocr_document(facts, None, replace(COMMAND, page_timeout=0.001))
    assert outcome.texts == {1: ""} and outcome.timed_out == [1]


def test_a_page_declared_huge_is_drawn_at_a_lower_resolution(tmp_path: Path) -> None:
    pdf = FPDF(format=(210, 5000))  # millimetres: a five-metre page would be 103 million pixels at 300 dpi
    pdf.add_page()
    path = write(tmp_path, "tall.pdf", bytes(pdf.output()))
    image, dpi = render_pdf_page(path, 1, 300)
    assert image.width * image.height <= MAX_PAGE_PIXELS * 1.01 and dpi < 300  # a pixel of rounding a side
    assert image.width == pytest.approx(210 / 25.4 * dpi, abs=2)


def test_a_page_pdfium_cannot_draw_reads_as_blank(tmp_path: Path) -> None:
    path = write(tmp_path, "s.pdf", scanned_invoice_pdf())
    facts = analyse(path, Kind.pdf, Limits())
    path.write_bytes(b"%PDF-1.4 damaged since")
    assert ocr_document(facts, path, IN_PROCESS).texts == {1: ""}


def test_the_first_page_decides_the_language(tmp_path: Path) -> None:
    german = ["Holzwerk Schmidt GmbH - Waldstrasse 12 - 10115 Berlin",
              "Rechnung Nr. R-2026-17 vom 12.03.2026 für die Lieferung von Brettern",
              "Die Zahlung ist innerhalb von 30 Tagen ohne Abzug fällig und der Betrag ist",
              "auf das Konto der Firma zu überweisen. Gesamtbetrag mit der MwSt: 1.481,47 EUR"]
    path = write(tmp_path, "de.pdf", text_invoice_pdf(german))
    image, dpi = render_pdf_page(path, 1, 200)
    read, language = read_first_page(image, dpi, replace(IN_PROCESS, languages="fra", detect_language=True))
    assert language == "deu" and "überweisen" in read.text


@pytest.mark.parametrize(("text", "language"), [
    ("Facture n° 12 : le montant total de la TVA est payé par le client avec la remise", "fra"),
    ("Invoice 12: the amount due for the goods is payable by the customer with the discount", "eng"),
    ("Rechnung 12: der Betrag für die Ware ist von dem Kunden mit dem Rabatt zu zahlen", "deu"),
    ("Factura 12: el importe del pedido es pagado por el cliente con los descuentos", "spa"),
    ("Factuur 12: het bedrag voor de goederen is door de klant met een korting te betalen", "nld"),
    ("Total 1 234,56 EUR", "fra"),  # too few words to say: the default
])
def test_stop_words_tell_the_language(text: str, language: str) -> None:
    assert detect_language(text, {"fra", "eng", "deu", "spa", "ita", "nld"}, "fra") == language


def test_only_installed_languages_are_detected() -> None:
    text = "Rechnung 12: der Betrag für die Ware ist von dem Kunden mit dem Rabatt zu zahlen"
    assert detect_language(text, {"fra", "eng"}, "fra") == "fra"


def test_deskew_levels_a_tilted_page() -> None:
    page = Image.new("L", (1200, 1600), 255)
    for n in range(20):
        page.paste(0, (100, 100 + n * 60, 1100, 120 + n * 60))
    assert skew_angle(page) == 0
    assert skew_angle(page.rotate(-2, fillcolor=255)) == pytest.approx(2, abs=0.25)


def test_binarise_splits_ink_from_paper() -> None:
    page = Image.new("L", (100, 100), 220)
    page.paste(60, (10, 10, 90, 30))
    assert sorted(set(binarise(page).tobytes())) == [0, 255]
    assert binarise(page).getpixel((50, 20)) == 0 and binarise(page).getpixel((50, 50)) == 255
