"""OCR with Tesseract's command line: scans (normalised PNGs) and PDF pages without text.

Tesseract and poppler's ``pdftoppm`` run as child processes with a time limit per
page, so a pathological page costs at most ``page_timeout`` seconds and its text
stays empty (the document gets an ``ocr_timeout`` flag; it does not fail). When the
engine or its French data is missing, :func:`ocr_status` says why, and processing
makes documents that need OCR wait instead of failing them.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from ingest.documents.analyse import DocumentFacts, normalised_name
from ingest.documents.sniff import Kind

# Automatic page segmentation: invoices mix columns, tables and free text.
PAGE_SEGMENTATION = 3
REQUIRED_LANGUAGE = "fra"
_PROBE_TIMEOUT = 10.0


class OcrUnavailable(RuntimeError):
    """The OCR engine cannot run here; the message says why."""


@dataclass(frozen=True)
class OcrConfig:
    command: str = "tesseract"
    renderer: str = "pdftoppm"
    languages: str = "fra+eng"
    dpi: int = 300
    page_timeout: float = 60.0


@dataclass
class OcrOutcome:
    """Recognised text by page number (from 1), the pages that ran out of time, and the time taken
    (rendering included: it is part of what a page of OCR costs a worker)."""

    texts: dict[int, str] = field(default_factory=dict)
    timed_out: list[int] = field(default_factory=list)
    seconds: float = 0.0


def ocr_status(config: OcrConfig) -> str:
    """``"ok"``, or ``"unavailable: <why>"`` (missing binary, missing French data)."""
    try:
        check_available(config)
    except OcrUnavailable as exc:
        return f"unavailable: {exc}"
    return "ok"


def check_available(config: OcrConfig) -> None:
    """Raise OcrUnavailable unless Tesseract runs and knows every configured language."""
    if shutil.which(config.command) is None:
        raise OcrUnavailable(f"the Tesseract command {config.command!r} is not installed")
    try:
        done = subprocess.run([config.command, "--list-langs"], capture_output=True,
                              timeout=_PROBE_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OcrUnavailable(f"{config.command} --list-langs did not run: {type(exc).__name__}") from None
    listed = set((done.stdout + done.stderr).decode(errors="replace").split())
    wanted = {REQUIRED_LANGUAGE, *config.languages.split("+")}
    missing = sorted(lang for lang in wanted if lang and lang not in listed)
    if missing:
        raise OcrUnavailable(f"Tesseract has no language data for {', '.join(missing)}")


def recognise(png: bytes, config: OcrConfig, dpi: int | None = None) -> str:
    """Text of one page image; raise ``subprocess.TimeoutExpired`` past the page limit.

    ``dpi`` is given for pages we rendered; a scan's own resolution is left to Tesseract.
    """
    args = [config.command, "stdin", "stdout", "-l", config.languages, "--psm", str(PAGE_SEGMENTATION)]
    if dpi:
        args += ["--dpi", str(dpi)]
    try:
        done = subprocess.run(args, input=png, capture_output=True, timeout=config.page_timeout, check=False)
    except OSError as exc:
        raise OcrUnavailable(f"{config.command} could not start: {exc.strerror}") from None
    if done.returncode != 0:
        # An unreadable image is not the engine's absence: treat the page as blank.
        return ""
    return done.stdout.decode("utf-8", errors="replace")


def render_page(pdf: Path, page: int, config: OcrConfig) -> bytes:
    """One PDF page as a grey PNG at ``config.dpi``, written to stdout by pdftoppm."""
    args = [config.renderer, "-r", str(config.dpi), "-gray", "-png", "-f", str(page), "-l", str(page),
            "-singlefile", str(pdf)]
    try:
        done = subprocess.run(args, capture_output=True, timeout=config.page_timeout, check=False)
    except OSError as exc:
        raise OcrUnavailable(f"{config.renderer} could not start: {exc.strerror}") from None
    return done.stdout if done.returncode == 0 else b""


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
    PDF pages rendered from ``source`` (the PDF file)."""
    outcome = OcrOutcome()
    started = time.perf_counter()
    for page in pages_needing_ocr(facts):
        try:
            png = _page_image(facts, source, page, config)
            dpi = config.dpi if facts.kind is Kind.pdf else None
            outcome.texts[page] = recognise(png, config, dpi) if png else ""
        except subprocess.TimeoutExpired:
            outcome.texts[page] = ""
            outcome.timed_out.append(page)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _page_image(facts: DocumentFacts, source: Path | None, page: int, config: OcrConfig) -> bytes:
    if facts.kind is Kind.pdf:
        if source is None:
            raise ValueError("a PDF needs its file to render pages for OCR")
        return render_page(source, page, config)
    return facts.derivatives.get(normalised_name(page), b"")
