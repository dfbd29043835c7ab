"""Speed and accuracy of OCR configurations on printed-and-scanned invoices, side by side in one run.

Run from the repository root with ``.venv/bin/python -m tests.bench.bench_ocr`` (``BENCH_OCR_PAGES``
pages, 8 by default; ``BENCH_OCR_CONFIGS=baseline,default`` runs only those). Prints one JSON
object. Names: ``t<dpi>`` in process, ``fra+eng`` on every page or ``detect`` (the first page's
language), then what differs (page segmentation mode, deskew, binarisation).

Input: the first page of corpus PDFs spread over the corpus, each printed and scanned at 300 dpi by
``tests/support/scans.py`` (seeded: the same images every run) and wrapped in a PDF without text, as
a scanner makes them; processing draws such a page again at the configured resolution.

Each configuration reads every page. ``baseline`` is what processing did before: ``pdftoppm`` at
300 dpi then the ``tesseract`` command, ``fra+eng``, page segmentation 3. Scores:
- word recall and precision against the original page's text layer (PDFium), words compared as
  multisets after lower-casing, accents kept, punctuation as separators;
- the invoice fields (``extract_fields`` on the OCR text) that agree with the embedded XML, as
  bench_fields scores them;
- seconds per page (the engine's one-off load excluded, reported apart), and the ratio to baseline.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium

from ingest.documents.einvoice import parse_einvoice
from ingest.documents.fields import extract_fields
from ingest.documents.ocr import OcrConfig, ocr_status, read_first_page, read_page
from ingest.documents.ocr_pages import render_pdf_page
from tests.bench.bench_fields import agreement
from tests.bench.corpora import comparable, embedded_xml
from tests.support.corpus import corpus_dir
from tests.support.scans import Degradation, scanned_pdf

SCAN = Degradation(scan_dpi=300)
BASE = OcrConfig(engine="tesserocr", languages="fra+eng", dpi=300, psm=3, detect_language=False, binarise=False,
                 deskew=False)
DETECT = replace(BASE, languages="fra", detect_language=True)
CONFIGS: dict[str, OcrConfig | None] = {
    "baseline": None,
    "default": OcrConfig(engine="tesserocr"),  # what processing runs: t300-detect-binarise, page segmentation 4
    "default-psm3": OcrConfig(engine="tesserocr", psm=3),  # the default until 2026-12-02
    "t300-fra+eng": BASE,
    "t250-fra+eng": replace(BASE, dpi=250),
    "t200-fra+eng": replace(BASE, dpi=200),
    "t300-detect": DETECT,
    "t250-detect": replace(DETECT, dpi=250),
    "t200-detect": replace(DETECT, dpi=200),
    "t250-detect-psm4": replace(DETECT, dpi=250, psm=4),
    "t250-detect-psm6": replace(DETECT, dpi=250, psm=6),
    "t250-detect-psm11": replace(DETECT, dpi=250, psm=11),
    "t250-detect-deskew": replace(DETECT, dpi=250, deskew=True),
    "t250-detect-binarise": replace(DETECT, dpi=250, binarise=True),
    "t300-detect-psm4": replace(DETECT, psm=4),
    "t300-detect-binarise": replace(DETECT, binarise=True),
}
_TOKEN = re.compile(r"\w+")


def words(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text))


def word_scores(truth: str, found: str) -> tuple[int, int, int]:
    """(words in common, words in the truth, words found), as multisets."""
    expected, got = words(truth), words(found)
    return sum((expected & got).values()), sum(expected.values()), sum(got.values())


def text_layer(pdf: Path) -> str:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return str(document[0].get_textpage().get_text_bounded())
    finally:
        document.close()


def pick(folder: Path, count: int) -> list[Path]:
    """``count`` files spread evenly over the sorted corpus (its sources are grouped by name)."""
    files = sorted(folder.glob("*.pdf"))
    step = max(1, len(files) // max(count, 1))
    return files[::step][:count]


def baseline_read(scan: Path) -> str:
    """What processing did before: pdftoppm at 300 dpi, then the tesseract command, fra+eng, psm 3."""
    png = subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile",
                          str(scan)], capture_output=True, check=True).stdout
    done = subprocess.run(["tesseract", "stdin", "stdout", "-l", "fra+eng", "--psm", "3", "--dpi", "300"],
                          input=png, capture_output=True, check=True)
    return done.stdout.decode("utf-8", errors="replace")


def configured_read(scan: Path, config: OcrConfig) -> str:
    """The processing path: the page drawn in memory, then the first-page rules of ``ocr_document``."""
    image, dpi = render_pdf_page(scan, 1, config.dpi)
    if config.detect_language:
        return read_first_page(image, dpi, config)[0].text
    return read_page(image, dpi, config).text


def warm_up(config: OcrConfig, scan: Path) -> float:
    """Load the engines once (every language detection may pick) and say how long it took."""
    started = time.perf_counter()
    for lang in {config.languages, "fra", "eng", "deu", "spa", "ita", "nld"}:
        image, dpi = render_pdf_page(scan, 1, 72)
        read_page(image, dpi, replace(config, languages=lang))
    return time.perf_counter() - started


def run_config(name: str, config: OcrConfig | None, pages: list[tuple[Path, Path, str]]) -> dict[str, object]:
    common = truth_total = found_total = 0
    field_marks: list[bool] = []
    seconds = 0.0
    for original, scan, truth in pages:
        started = time.perf_counter()
        text = baseline_read(scan) if config is None else configured_read(scan, config)
        seconds += time.perf_counter() - started
        c, t, f = word_scores(truth, text)
        common, truth_total, found_total = common + c, truth_total + t, found_total + f
        found = embedded_xml(original)
        if found is None:
            raise ValueError(f"{original.name} has no embedded invoice to score against")
        fields_truth = comparable(parse_einvoice(found[1], filename=found[0]).fields)
        field_marks += agreement(fields_truth, comparable(extract_fields([text], source="ocr"))).values()
    return {
        "seconds_per_page": round(seconds / len(pages), 3),
        "word_recall": round(common / max(truth_total, 1), 4),
        "word_precision": round(common / max(found_total, 1), 4),
        "fields_agreeing": round(sum(field_marks) / max(len(field_marks), 1), 4),
    }


def main() -> int:
    folder = corpus_dir()
    if not folder.is_dir():
        print(json.dumps({"error": f"corpus folder {folder} is absent"}))
        return 1
    if ocr_status(BASE) != "ok":
        print(json.dumps({"error": f"OCR: {ocr_status(BASE)}"}))
        return 1
    chosen = os.environ.get("BENCH_OCR_CONFIGS")
    configs = {k: v for k, v in CONFIGS.items() if not chosen or k in chosen.split(",")}
    with tempfile.TemporaryDirectory() as tmp:
        pages = []
        for n, original in enumerate(pick(folder, int(os.environ.get("BENCH_OCR_PAGES", "8")))):
            scan = Path(tmp) / f"scan-{n}.pdf"
            scan.write_bytes(scanned_pdf(original, 1, seed=n, how=SCAN))
            pages.append((original, scan, text_layer(original)))
        loads = {name: round(warm_up(c, pages[0][1]), 3) for name, c in configs.items() if c is not None}
        results = {name: run_config(name, config, pages) for name, config in configs.items()}
    base = results.get("baseline", {}).get("seconds_per_page")
    for row in results.values():
        row["ratio_to_baseline"] = round(float(row["seconds_per_page"]) / float(base), 3) if base else None
    print(json.dumps({"pages": len(pages), "scan": SCAN.__dict__, "engine_load_seconds": loads,
                      "configs": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
