"""Accuracy and cost of invoice fields read from the visible text of the corpus PDFs.

Run from the repository root with ``.venv/bin/python -m tests.bench.bench_fields``
(or ``python tests/bench/bench_fields.py``). Prints one JSON object.

Ground truth is each PDF's embedded e-invoice XML; the extraction sees only the
text layer (the XML is never given to it). Amounts are compared in the sense of
what the buyer owes: a credit note's amounts count negative, whichever of the two
conventions a file uses (type 381 with positive amounts, or an invoice type 380
with negative amounts), because the text reader states credit notes positive.
Timing compares pypdf text extraction alone with extraction plus ``extract_fields``
on the same pages, so the figure is a ratio, not a machine-dependent time.

OCR timing (when Tesseract is installed): the first pages of a few corpus PDFs are
drawn once by PDFium (as processing does for pages without text), then read
twice: by ``tesseract`` alone on the command line, and by our pipeline (``ocr_document``
and ``extract_fields``) on the same images; ``BENCH_OCR_PAGES`` sets how many (3).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader

from ingest.documents.analyse import DocumentFacts
from ingest.documents.einvoice import parse_einvoice
from ingest.documents.fields import Field, extract_fields
from ingest.documents.ocr import OcrConfig, ocr_document, ocr_status, render_page
from ingest.documents.sniff import Kind
from tests.support.corpus import corpus_dir

SCORED = ("invoice_number", "issue_date", "seller_id", "total_excl_tax", "total_tax",
          "total_incl_tax", "currency")  # fmt: skip
AMOUNTS = ("total_excl_tax", "total_tax", "total_incl_tax")


def embedded_xml(reader: PdfReader) -> tuple[str, bytes]:
    attachments = reader.attachments
    name = next(n for n in attachments if n.lower().endswith(".xml"))
    return name, attachments[name][0]


def comparable(fields: dict[str, Field], key: str) -> str | None:
    """The value to compare for one scored key (see the module docstring)."""
    if key == "seller_id":
        # The VAT id when the truth has one, else the SIREN: see ``agreement``.
        return None
    field = fields.get(key)
    if field is None:
        return None
    if key in AMOUNTS:
        kind = fields.get("document_type")
        sign = -1 if kind is not None and kind.value == "credit_note" else 1
        return str(sign * Decimal(str(field.value)))
    return str(field.value)


def agreement(truth: dict[str, Field], found: dict[str, Field]) -> dict[str, bool]:
    """Per scored key: does the text agree with the XML? Keys absent from the XML are skipped."""
    result: dict[str, bool] = {}
    for key in SCORED:
        if key == "seller_id":
            id_key = "supplier_vat" if "supplier_vat" in truth else "supplier_siren"
            if id_key in truth:
                got = found.get(id_key)
                result[key] = got is not None and got.value == truth[id_key].value
            continue
        expected = comparable(truth, key)
        if expected is not None:
            result[key] = comparable(found, key) == expected
    return result


def score(rows: list[dict[str, bool]]) -> dict[str, object]:
    per_field = {}
    for key in SCORED:
        marks = [row[key] for row in rows if key in row]
        per_field[key] = round(sum(marks) / len(marks), 4) if marks else None
    every = [mark for row in rows for mark in row.values()]
    return {
        "files": len(rows),
        "overall": round(sum(every) / len(every), 4) if every else None,
        "per_field": per_field,
    }


def run(folder: Path) -> dict[str, object]:
    french: list[dict[str, bool]] = []
    everything: list[dict[str, bool]] = []
    misses: dict[str, list[str]] = {}
    text_only = with_fields = 0.0
    pages = 0
    for path in sorted(folder.glob("*.pdf")):
        data = path.read_bytes()
        started = time.perf_counter()
        texts = [page.extract_text() for page in PdfReader(path).pages]
        text_only += time.perf_counter() - started
        started = time.perf_counter()
        found = extract_fields([page.extract_text() for page in PdfReader(path).pages])
        with_fields += time.perf_counter() - started
        pages += len(texts)
        name, xml = embedded_xml(PdfReader(path))
        truth = parse_einvoice(xml, filename=name).fields
        row = agreement(truth, found)
        everything.append(row)
        if "FNFE" in path.name:
            french.append(row)
        wrong = [key for key, ok in row.items() if not ok]
        if wrong:
            misses[path.stem] = wrong
        del data
    return {
        "corpus": str(folder),
        "french_fnfe": score(french),
        "all": score(everything),
        "targets": {"french_fnfe": 0.95, "all": 0.85},
        "pages": pages,
        "seconds_per_page_pypdf_text": round(text_only / max(pages, 1), 5),
        "seconds_per_page_pypdf_text_plus_fields": round(with_fields / max(pages, 1), 5),
        "ratio_fields_to_text_only": round(with_fields / text_only, 3) if text_only else None,
        "misses": misses,
    }


def ocr_timing(folder: Path, count: int) -> dict[str, object]:
    """Seconds per page of our OCR path against ``tesseract`` alone on the same images."""
    config = OcrConfig()
    if ocr_status(config) != "ok":
        return {"error": "tesseract with French is not installed"}
    images = [render_page(path, 1, config) for path in sorted(folder.glob("*.pdf"))[:count]]
    alone = ours = 0.0
    for png in images:
        started = time.perf_counter()
        subprocess.run(["tesseract", "stdin", "stdout", "-l", config.languages, "--dpi", str(config.dpi)],
                       input=png, capture_output=True, check=True)
        alone += time.perf_counter() - started
        facts = DocumentFacts(kind=Kind.png, pages=1, encrypted=False, derivatives={"normalised.png": png})
        started = time.perf_counter()
        outcome = ocr_document(facts, None, config)
        extract_fields([outcome.texts[1]], source="ocr")
        ours += time.perf_counter() - started
    pages = max(len(images), 1)
    return {
        "pages": len(images), "dpi": config.dpi,
        "seconds_per_page_tesseract_alone": round(alone / pages, 3),
        "seconds_per_page_ocr_plus_fields": round(ours / pages, 3),
        "ratio_ocr_pipeline_to_tesseract": round(ours / alone, 3) if alone else None,
    }


def main() -> int:
    folder = corpus_dir()
    if not folder.is_dir():
        print(json.dumps({"error": f"corpus folder {folder} is absent"}))
        return 1
    result = run(folder)
    result["ocr"] = ocr_timing(folder, int(os.environ.get("BENCH_OCR_PAGES", "3")))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
