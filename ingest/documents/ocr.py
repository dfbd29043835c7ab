"""OCR: scans (normalised PNGs) and PDF pages without text, read by Tesseract.

Two engines (``ingest.documents.ocr_engines``): in this process through tesserocr, loaded once per
worker process, or the ``tesseract`` command, the fallback where tesserocr is not installed
(``OcrConfig.engine``: ``auto`` picks the first that is there). PDF pages are drawn in memory by
PDFium (``ingest.documents.ocr_pages``). Each page has a time limit: past it, its text stays empty
(the document gets an ``ocr_timeout`` flag; it does not fail). When the engine or its French data
is missing, :func:`ocr_status` says why, and processing makes documents that need OCR wait instead
of failing them.

The defaults were measured, side by side in one run, by ``tests/bench/bench_ocr.py`` on 16 corpus
first pages printed and scanned by ``tests/support/scans.py`` (2026-12-01, 2 shared cores): the
former path (pdftoppm, then the command, 300 dpi, ``fra+eng``) took 21.8 s a page for word recall
0.898, precision 0.911 and 63.4 % of invoice fields right. In process at 300 dpi, the language
detected on the first page and the page binarised: 1.29 s a page, recall 0.912, precision 0.936,
fields 63.4 %. 250 and 200 dpi were faster (1.15, 1.04 s) but less precise (0.910, 0.884); page
segmentation 4 no better than 3 on those first pages; ``fra+eng`` on every page 1.40 s, recall 0.899,
precision 0.920.

Page segmentation 4 (one column of lines of varying sizes) replaced 3 (automatic) on 2026-12-02, measured
by the fields the scans give (`bench_fields`): the automatic layout analysis drops amounts that stand
alone at the right of a totals table (a label far left, its value far right, a rule under each row),
which mode 4 keeps, at some cost to blocks set side by side. On the first 131 development invoices
scanned (every page up to five): mode 3 91.0 %, 4 93.7 %, 6 93.3 %, 11 (sparse text) 89.5 %; held-out
scans 72.4 → 74.4 % with mode 4 and a label's misread first letter mended (`reading.recognised`).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from PIL import Image

from ingest.documents.analyse import DocumentFacts, normalised_name
from ingest.documents.layout import PageWords
from ingest.documents.ocr_engines import (
    EngineUnavailable,
    PageRead,
    read_in_process,
    read_with_command,
    tesserocr_importable,
    tesserocr_languages,
)
from ingest.documents.ocr_languages import detect_language
from ingest.documents.ocr_pages import CannotRender, binarise, deskew, render_pdf_page
from ingest.documents.sniff import Kind

# Automatic page segmentation: invoices mix columns, tables and free text.
PAGE_SEGMENTATION = 4
REQUIRED_LANGUAGE = "fra"
ENGINES = ("auto", "tesserocr", "command")
_PROBE_TIMEOUT = 10.0
# A scan that does not state its resolution is taken for an A4 page scanned across its width.
A4_WIDTH_INCHES = 8.27
_PLAUSIBLE_DPI = (70, 1200)


class OcrUnavailable(RuntimeError):
    """The OCR engine cannot run here; the message says why."""


@dataclass(frozen=True)
class OcrConfig:
    """How pages are read. ``detect_language``: the first page is read in the first of
    ``languages`` and its words choose the language of the document
    (``ingest.documents.ocr_languages``); without it every page is read in ``languages``.
    ``deskew``/``binarise``: clean-up before recognition (``ocr_pages``)."""

    engine: str = "auto"
    command: str = "tesseract"
    languages: str = "fra"
    dpi: int = 300
    psm: int = PAGE_SEGMENTATION
    detect_language: bool = True
    deskew: bool = False  # measured no better on the scans of bench_ocr (tilts up to 1.5 degrees)
    binarise: bool = True
    page_timeout: float = 60.0
    tessdata: str | None = None


@dataclass
class OcrOutcome:
    """Recognised text by page number (from 1), the pages that ran out of time, the words with their
    boxes where the engine gives them (the in-process one does), and the time taken (rendering
    included: it is part of what a page of OCR costs a worker)."""

    texts: dict[int, str] = field(default_factory=dict)
    timed_out: list[int] = field(default_factory=list)
    words: dict[int, PageWords] = field(default_factory=dict)
    seconds: float = 0.0


def engine_in_use(config: OcrConfig) -> str:
    """``tesserocr`` or ``command``: what ``config`` runs here."""
    if config.engine not in ENGINES:
        raise OcrUnavailable(f"unknown OCR engine {config.engine!r}: choose one of {', '.join(ENGINES)}")
    if config.engine == "auto":
        return "tesserocr" if tesserocr_importable() else "command"
    return config.engine


def ocr_status(config: OcrConfig) -> str:
    """``"ok"``, or ``"unavailable: <why>"`` (missing engine, missing French data)."""
    try:
        check_available(config)
    except OcrUnavailable as exc:
        return f"unavailable: {exc}"
    return "ok"


def installed_languages(config: OcrConfig) -> set[str]:
    """The languages the configured engine has data for; raise OcrUnavailable if it cannot run."""
    if engine_in_use(config) == "tesserocr":
        if not tesserocr_importable():
            raise OcrUnavailable("tesserocr is not installed")
        return tesserocr_languages(config.tessdata)
    if shutil.which(config.command) is None:
        raise OcrUnavailable(f"the Tesseract command {config.command!r} is not installed")
    try:
        done = subprocess.run([config.command, "--list-langs"], capture_output=True,
                              timeout=_PROBE_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OcrUnavailable(f"{config.command} --list-langs did not run: {type(exc).__name__}") from None
    return set((done.stdout + done.stderr).decode(errors="replace").split())


def check_available(config: OcrConfig) -> None:
    """Raise OcrUnavailable unless the engine runs and knows every configured language."""
    listed = installed_languages(config)
    wanted = {REQUIRED_LANGUAGE, *config.languages.split("+")}
    missing = sorted(lang for lang in wanted if lang and lang not in listed)
    if missing:
        raise OcrUnavailable(f"Tesseract has no language data for {', '.join(missing)}")


def read_page(image: Image.Image, dpi: float, config: OcrConfig, languages: str | None = None) -> PageRead:
    """One page image through the configured engine, cleaned up first if ``config`` says so."""
    if config.deskew:
        image = deskew(image)
    if config.binarise:
        image = binarise(image)
    langs = languages or config.languages
    try:
        if engine_in_use(config) == "tesserocr":
            return read_in_process(image, dpi, langs, config.psm, config.page_timeout, config.tessdata)
        return read_with_command(image, dpi, langs, config.psm, config.page_timeout, config.command)
    except EngineUnavailable as exc:
        raise OcrUnavailable(str(exc)) from None


def render_page(pdf: Path, page: int, config: OcrConfig) -> bytes:
    """One PDF page as a grey PNG at ``config.dpi`` (drawn by PDFium, in memory)."""
    image, _ = render_pdf_page(pdf, page, config.dpi)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def pages_needing_ocr(facts: DocumentFacts) -> list[int]:
    """Page numbers (from 1) with nothing to read but pixels: every image page, and
    PDF pages whose text layer is empty. E-invoice XML needs no OCR at all."""
    if facts.kind in (Kind.jpeg, Kind.png, Kind.tiff):
        return list(range(1, facts.pages + 1))
    if facts.kind is Kind.pdf:
        return [n for n, text in enumerate(facts.page_texts, 1) if not text.strip()]
    return []


def ocr_document(facts: DocumentFacts, source: Path | None, config: OcrConfig) -> OcrOutcome:
    """Recognise every page that needs it: image pages from their normalised PNGs,
    PDF pages drawn from ``source`` (the PDF file)."""
    outcome = OcrOutcome()
    started = time.perf_counter()
    languages: str | None = None
    for page in pages_needing_ocr(facts):
        image, dpi = _page_image(facts, source, page, config)
        if image is None:
            outcome.texts[page] = ""
            continue
        if config.detect_language and languages is None:
            read, languages = read_first_page(image, dpi, config)
        else:
            read = read_page(image, dpi, config, languages)
        _record(outcome, page, read)
    outcome.seconds = time.perf_counter() - started
    return outcome


def read_first_page(image: Image.Image, dpi: float, config: OcrConfig) -> tuple[PageRead, str]:
    """Read in the first configured language; read again if the words say another language."""
    first = config.languages.split("+")[0]
    read = read_page(image, dpi, config, first)
    found = detect_language(read.text, installed_languages(config), first)
    if found != first and not read.timed_out:
        read = read_page(image, dpi, config, found)
    return read, found


def _record(outcome: OcrOutcome, page: int, read: PageRead) -> None:
    outcome.texts[page] = read.text
    if read.timed_out:
        outcome.timed_out.append(page)
    if read.words is not None:
        outcome.words[page] = replace(read.words, number=page)


def _page_image(facts: DocumentFacts, source: Path | None, page: int,
                config: OcrConfig) -> tuple[Image.Image | None, float]:
    """The page as an image, and its resolution: the one we drew it at, or the scan's."""
    if facts.kind is Kind.pdf:
        if source is None:
            raise ValueError("a PDF needs its file to render pages for OCR")
        try:
            return render_pdf_page(source, page, config.dpi)
        except CannotRender:  # as a blank page: the document's other pages still count
            return None, 0
    png = facts.derivatives.get(normalised_name(page), b"")
    if not png:
        return None, 0
    image = Image.open(io.BytesIO(png))
    image.load()
    return image, scan_dpi(image)


def scan_dpi(image: Image.Image) -> float:
    """The resolution a scan states, or the one that makes it as wide as an A4 page."""
    stated = image.info.get("dpi")
    dpi = float(stated[1]) if isinstance(stated, tuple) and len(stated) == 2 else 0.0
    low, high = _PLAUSIBLE_DPI
    return dpi if low <= dpi <= high else max(low, image.width / A4_WIDTH_INCHES)
