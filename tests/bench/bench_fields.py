"""Accuracy and cost of invoice fields read from the visible layer of PDF invoices.

Run from the repository root with ``.venv/bin/python -m tests.bench.bench_fields [--corpora DIR]``.
Prints one JSON object.

The invoices, their ground truth and the split into a development set and a held-out set are
described in ``tests/bench/corpora.py``: the held-out figure is the one that counts, and the
benchmark prints per-file misses for the development set only. Without ``--corpora`` (or
``BORDEREAU_CORPORA``) only the shared corpus is measured, and the output says which sources are
missing.

Each file goes through what processing does with it (``analyse`` then ``understand``), with its
embedded XML ignored (as ``bordereau extract --no-einvoice``), and is compared field by field with
the truth (``corpora.comparable``: amounts in what the buyer owes, identifiers compact). The seller's
identifier is its VAT number when the truth has one, else its SIREN. A field the truth lacks is not
scored. The buyer's and the terms' fields (customer name and VAT number, purchase order number, payment
terms) are scored apart, as ``more_fields``, from the same XML truth: they do not move the headline
figures. So are the line items read from the page's table (``line_items``): per set, the items of the
truth, those read, and those matched (the same net amount and mostly the same description words, each
item of the truth matched once), with on matched items how often the quantity, the unit (where the XML
gives one; both normalised by ``reading.units``), the unit price and the VAT rate agree (and on how many
each was compared, and how often right when read at all: a page prints no unit on many lines), and the
mean confidence of files whose items are all right against the others', and of items read that are right
(matched, quantity, unit price and rate agreeing) against the others, by each item's own confidence.
Timing: seconds per page of the whole reading against pypdfium2's text extraction alone on the same
pages (a ratio, not a machine-dependent time).

With ``--scans``, every invoice of both sets is also printed and scanned by the degradation of
``tests/support/scans.py`` (seeded by the file's name: the same images every run), its pages (up
to ``--scan-pages``, 5 by default: every page of all but one file; until 2026-12-02 the first two
only, which left the totals of three-page invoices out of reach) made a PDF of images without text,
and read through OCR as processing reads a scan: the scans' accuracy per set, and the seconds a
document takes. ``--scans heldout`` scans the held-out invoices only (48 files, some five minutes; the
development set of 376 files takes some forty).

With ``--synthetic N`` (default 0), N invoices drawn by ``tests/bench/synthetic.py`` from ``--seed``
(default 1: the same invoices every run) are written to a temporary folder (or kept in
``--synthetic-dir``) and read the same way; a separate ``synthetic`` block gives their accuracy overall,
per field and per language, its line items scored as the real ones' (against the lines the invoice was drawn
from), and the first misses with the value read against the truth and as the page prints it. Synthetic
invoices may be tuned on (the real held-out ones may not); they never enter the development or held-out
figures. ``--synthetic-only`` skips the real sets and the OCR timing.

OCR timing (when Tesseract is installed): the first pages of a few corpus PDFs are
drawn once by PDFium (as processing does for pages without text), then read
twice: by ``tesseract`` alone on the command line, and by our pipeline (``ocr_document``
and ``extract_fields``) on the same images; ``BENCH_OCR_PAGES`` sets how many (3).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from ingest.documents.amounts import format_amount
from ingest.documents.analyse import DocumentFacts, analyse
from ingest.documents.fields import Field, extract_fields
from ingest.documents.limits import Limits
from ingest.documents.ocr import OcrConfig, ocr_document, ocr_status, render_page
from ingest.documents.reading.labels import fold
from ingest.documents.sniff import Kind
from ingest.documents.understand import understand
from tests.bench.corpora import Sample, comparable, missing_sources, samples
from tests.bench.synthetic import Synthetic
from tests.bench.synthetic import invoices as synthetic_invoices
from tests.support.corpus import corpus_dir
from tests.support.scans import scanned_page

SCORED = ("invoice_number", "issue_date", "seller_id", "total_excl_tax", "total_tax",
          "total_incl_tax", "currency")  # fmt: skip
# Read from the page too, scored apart (`more_fields`): the headline figures are those of SCORED. Names and
# payment terms are compared as words (case, accents, spaces and a final full stop aside).
MORE_SCORED = ("supplier_name", "customer_name", "customer_vat", "po_number", "payment_terms")
TARGETS = {"heldout": 0.90, "heldout_fr": 0.95, "scans": 0.85}
# How many first pages of an invoice its scanned twin has, at most (`--scan-pages`).
SCAN_PAGES = 5
# How many misses of the synthetic set are printed, value by value.
SYNTHETIC_MISSES = 40


def agreement(truth: dict[str, str], found: dict[str, str]) -> dict[str, bool]:
    """Per scored key: does the reading agree with the truth? Keys absent from the truth are skipped."""
    result: dict[str, bool] = {}
    for key in SCORED:
        truth_key = truth_key_of(key, truth)
        if truth_key in truth:
            result[key] = found.get(truth_key) == truth[truth_key]
    return result


def truth_key_of(key: str, truth: dict[str, str]) -> str:
    """The truth's key a scored key is compared on: the seller's VAT number, else its SIREN."""
    if key == "seller_id":
        return "supplier_vat" if "supplier_vat" in truth else "supplier_siren"
    return key


def more_agreement(truth: dict[str, str], found: dict[str, str]) -> dict[str, bool]:
    """Per key of MORE_SCORED the truth has: does the page's reading say the same?"""
    return {key: key in found and _words(found[key]) == _words(truth[key]) for key in MORE_SCORED if key in truth}


def more_score(rows: list[dict[str, bool]], answered: list[dict[str, bool]]) -> dict[str, object]:
    """`score` of the buyer's and the terms' fields, with per field how often the page gave a value at all and
    how often that value was right (a wrong value shown is worse than none)."""
    result = score([row for row in rows if row], MORE_SCORED)
    per_field = result["per_field"]
    assert isinstance(per_field, dict)
    for key in MORE_SCORED:
        pairs = [(row[key], given[key]) for row, given in zip(rows, answered, strict=True) if key in row]
        given_count = sum(given for _, given in pairs)
        if per_field.get(key) is not None:
            per_field[key]["answered"] = round(given_count / len(pairs), 4)
            per_field[key]["right_when_answered"] = (round(sum(ok for ok, _ in pairs) / given_count, 4)
                                                     if given_count else None)
    return result


# The line items' keys compared on matched items.
ITEM_KEYS = ("quantity", "unit", "unit_price", "vat_rate")
# Descriptions "mostly equal": this share of each one's words at least is in the other's.
DESCRIPTION_SHARE = 0.5
_MARKS = "-–/,.;:()|*"


class ItemTally:
    """The line items of one set against the truth (`line_items` of the output)."""

    def __init__(self) -> None:
        self.files = self.truth = self.found = self.matched = 0
        self.keys = {key: [0, 0, 0] for key in ITEM_KEYS}  # right, compared, read (when compared)
        self.confidence: dict[bool, list[float]] = {True: [], False: []}
        self.rows: dict[bool, list[float]] = {True: [], False: []}  # each item's own, matched and all right or not

    def add(self, truth: list[dict[str, str]], found: Field | None) -> None:
        items = found.value if found is not None and isinstance(found.value, list) else []
        self.files += 1
        self.truth, self.found = self.truth + len(truth), self.found + len(items)
        pairs = matched_items(truth, items)
        self.matched += len(pairs)
        for expected, read in pairs:
            for key in ITEM_KEYS:
                if key in expected:
                    self.keys[key][0] += read.get(key) == expected[key]
                    self.keys[key][1] += 1
                    self.keys[key][2] += key in read
        if found is not None and items:
            self.confidence[len(pairs) == len(truth) == len(items)].append(found.confidence)
        right = {id(read) for expected, read in pairs if all(read.get(key) == expected[key] for key in ITEM_KEYS
                                                             if key in expected and key != "unit")}
        for read in items:
            if "confidence" in read:
                self.rows[id(read) in right].append(float(read["confidence"]))

    def result(self) -> dict[str, object]:
        return {
            "files": self.files, "items_in_truth": self.truth, "items_found": self.found,
            "items_matched": self.matched,
            "recall": round(self.matched / self.truth, 4) if self.truth else None,
            "precision": round(self.matched / self.found, 4) if self.found else None,
            "per_key_on_matched": {key: round(right / compared, 4) if compared else None
                                   for key, (right, compared, _) in self.keys.items()},
            "compared_on_matched": {key: compared for key, (_, compared, _) in self.keys.items()},
            "right_when_read_on_matched": {key: round(right / given, 4) if given else None
                                           for key, (right, _, given) in self.keys.items()},
            "files_all_right": len(self.confidence[True]),
            "mean_confidence_all_right": _mean(self.confidence[True]),
            "mean_confidence_otherwise": _mean(self.confidence[False]),
            "mean_row_confidence_right": _mean(self.rows[True]),
            "mean_row_confidence_otherwise": _mean(self.rows[False]),
        }


def matched_items(truth: list[dict[str, str]], found: list[dict[str, str]]) -> list[tuple[dict[str, str],
                                                                                        dict[str, str]]]:
    """Each item of the truth with the first unused item read that has its net amount and mostly its words."""
    pairs: list[tuple[dict[str, str], dict[str, str]]] = []
    used: set[int] = set()
    for expected in truth:
        for number, read in enumerate(found):
            if number not in used and read.get("net_amount") == expected.get("net_amount") \
                    and _mostly_same_words(read.get("description", ""), expected.get("description", "")):
                pairs.append((expected, read))
                used.add(number)
                break
    return pairs


def _mostly_same_words(one: str, other: str) -> bool:
    first, second = _word_set(one), _word_set(other)
    if not first or not second:
        return first == second
    common = len(first & second)
    return common >= DESCRIPTION_SHARE * len(first) and common >= DESCRIPTION_SHARE * len(second)


def _word_set(text: str) -> set[str]:
    """The words of a text, their punctuation stripped; a lone mark ("-", "/") is no word."""
    return {word for raw in fold(text).split() if (word := raw.strip(_MARKS))}


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _words(text: str) -> str:
    return fold(text).rstrip(" .;")


def score(rows: list[dict[str, bool]], keys: tuple[str, ...] = SCORED) -> dict[str, object]:
    per_field = {}
    for key in keys:
        marks = [row[key] for row in rows if key in row]
        per_field[key] = {"accuracy": round(sum(marks) / len(marks), 4), "fields": len(marks)} if marks else None
    every = [mark for row in rows for mark in row.values()]
    return {"files": len(rows), "fields": len(every),
            "overall": round(sum(every) / len(every), 4) if every else None, "per_field": per_field}


def read(sample: Sample) -> tuple[dict[str, str], float, float, int, Field | None]:
    """The reading of one file, its seconds, pypdfium2's text alone on the same pages, the pages, and the
    line items read."""
    started = time.perf_counter()
    facts = analyse(sample.path, Kind.pdf, Limits())
    found = understand(facts, today=date.today(), use_einvoice=False).fields
    reading = time.perf_counter() - started
    started = time.perf_counter()
    pdf = pdfium.PdfDocument(sample.path)
    for page in pdf:
        page.get_textpage().get_text_range()
    text_only = time.perf_counter() - started
    pages = len(pdf)
    pdf.close()
    return comparable(found), reading, text_only, pages, found.get("line_items")


def read_scan(sample: Sample, work: Path, most: int = SCAN_PAGES) -> dict[str, str]:
    """The same invoice printed and scanned (`tests/support/scans.py`, seeded by its name): its first
    `most` pages as a PDF of images without text, through analyse, OCR and understand."""
    pages = min(most, len(pdfium.PdfDocument(sample.path)))
    seed = int(hashlib.sha256(sample.path.name.encode()).hexdigest()[:8], 16)
    images = [Image.open(io.BytesIO(scanned_page(sample.path, n, seed + n))) for n in range(1, pages + 1)]
    scan = work / "scan.pdf"
    images[0].save(scan, save_all=True, append_images=images[1:], resolution=float(images[0].info["dpi"][0]))
    facts = analyse(scan, Kind.pdf, Limits())
    recognised = ocr_document(facts, scan, OcrConfig())
    return comparable(understand(facts, today=date.today(), ocr=recognised, use_einvoice=False).fields)


def miss_key(sample: Sample, corpora: Path | None) -> str:
    """A development file as its source and its path there: a source may hold one name in several folders."""
    if corpora is None or not sample.path.is_relative_to(corpora / sample.origin):
        return f"{sample.origin}:{sample.path.name}"
    return f"{sample.origin}:{sample.path.relative_to(corpora / sample.origin)}"


def run(shared: Path, corpora: Path | None, scans: str | None = None,
        scan_pages: int = SCAN_PAGES) -> dict[str, object]:
    rows: dict[str, list[dict[str, bool]]] = defaultdict(list)
    answered: dict[str, list[dict[str, bool]]] = defaultdict(list)
    misses: dict[str, list[str]] = {}
    unscored = {"development": 0, "heldout": 0}
    tallies = {"development": ItemTally(), "heldout": ItemTally()}
    reading = text_only = scan_seconds = 0.0
    pages = 0
    for sample in samples(shared, corpora):
        part = "heldout" if sample.heldout else "development"
        if sample.truth is None:
            unscored[part] += 1
            continue
        found, seconds, baseline, count, items = read(sample)
        if sample.items:
            tallies[part].add(sample.items, items)
        reading, text_only, pages = reading + seconds, text_only + baseline, pages + count
        row = agreement(sample.truth, found)
        rows[part].append(row)
        rows[f"more_{part}"].append(more_agreement(sample.truth, found))
        answered[part].append({key: key in found for key in MORE_SCORED if key in sample.truth})
        rows[f"{part}_{sample.language}"].append(row)
        if scans == "all" or (scans == "heldout" and sample.heldout):
            with tempfile.TemporaryDirectory() as work:
                started = time.perf_counter()
                rows[f"scans_{part}"].append(agreement(sample.truth, read_scan(sample, Path(work), scan_pages)))
                scan_seconds += time.perf_counter() - started
        wrong = [key for key, ok in row.items() if not ok]
        if wrong and not sample.heldout:
            misses[miss_key(sample, corpora)] = wrong
    return {
        "corpora": {"shared": str(shared), "sources": str(corpora) if corpora else None,
                    "missing_sources": missing_sources(corpora)},
        "development": score(rows["development"]),
        "heldout": score(rows["heldout"]),
        "per_language": {key: score(value) for key, value in sorted(rows.items())
                         if key.count("_") == 1 and not key.startswith(("scans", "more"))},
        "more_fields": {part: more_score(rows[f"more_{part}"], answered[part])
                        for part in ("development", "heldout")},
        "scans": {"development": score(rows["scans_development"]), "heldout": score(rows["scans_heldout"]),
                  "seconds_per_document": round(scan_seconds / max(1, len(rows["scans_development"])
                                                                   + len(rows["scans_heldout"])), 2),
                  "at_most_pages": scan_pages} if scans else None,
        "line_items": {part: tally.result() for part, tally in tallies.items()},
        "files_without_truth": unscored,
        "targets": TARGETS,
        "pages": pages,
        "seconds_per_page_pdfium_text": round(text_only / max(pages, 1), 5),
        "seconds_per_page_reading": round(reading / max(pages, 1), 5),
        "ratio_reading_to_pdfium_text": round(reading / text_only, 2) if text_only else None,
        "development_misses": misses,
    }


def run_synthetic(count: int, seed: int, keep: Path | None = None, scans: bool = False) -> dict[str, object]:
    """The synthetic set: `count` invoices drawn from `seed`, read like the real ones, scored apart; with
    `scans`, each also printed and scanned and read by OCR (a set the OCR path may be tuned on)."""
    rows: dict[str, list[dict[str, bool]]] = defaultdict(list)
    misses: list[dict[str, str | None]] = []
    answered: list[dict[str, bool]] = []
    scan_misses: list[dict[str, str | None]] = []
    tally = ItemTally()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        folder = keep or Path(work)
        folder.mkdir(parents=True, exist_ok=True)
        for invoice in synthetic_invoices(count, seed):
            path = folder / invoice.name
            path.write_bytes(invoice.pdf)
            found, _, _, _, items = read(Sample(path, "synthetic", False, invoice.language, invoice.truth))
            tally.add(synthetic_items(invoice), items)
            row = agreement(invoice.truth, found)
            rows["all"].append(row)
            rows[invoice.language].append(row)
            rows["more"].append(more_agreement(invoice.truth, found))
            answered.append({key: key in found for key in MORE_SCORED if key in invoice.truth})
            if scans:
                scanned = read_scan(Sample(path, "synthetic", False, invoice.language, invoice.truth), Path(work))
                rows["scans"].append(scan_row := agreement(invoice.truth, scanned))
                scan_misses.extend({"file": invoice.name, "field": key, "read": scanned.get(truth_key),
                                    "truth": invoice.truth[truth_key]}
                                   for key, ok in scan_row.items() if not ok
                                   for truth_key in (truth_key_of(key, invoice.truth),))
            for key in (key for key, ok in row.items() if not ok and len(misses) < SYNTHETIC_MISSES):
                truth_key = truth_key_of(key, invoice.truth)
                misses.append({"file": invoice.name, "field": key, "read": found.get(truth_key),
                               "truth": invoice.truth[truth_key], "printed": invoice.printed.get(truth_key)})
    return {"seed": seed, "folder": str(keep) if keep else None, **score(rows["all"]),
            "per_language": {language: score(rows[language]) for language in sorted(rows)
                             if language not in ("all", "more", "scans")},
            "more_fields": more_score(rows["more"], answered), "line_items": tally.result(),
            "scans": {**score(rows["scans"]), "misses": scan_misses[:SYNTHETIC_MISSES]} if scans else None,
            "seconds": round(time.perf_counter() - started, 1), "misses": misses}


def synthetic_items(invoice: Synthetic) -> list[dict[str, str]]:
    """A synthetic invoice's lines as the XML path writes them (`fields.einvoice_trade`)."""
    return [{"description": item.description, "quantity": format(item.quantity.normalize(), "f"),
             "unit_price": format_amount(item.unit_price), "vat_rate": format_amount(item.rate),
             "net_amount": format_amount(item.amount)} for item in invoice.invoice.items]


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=os.environ.get("BORDEREAU_CORPORA") or None,
                        help="where the public sources are laid out (tests/bench/corpora.py)")
    parser.add_argument("--no-ocr", action="store_true", help="skip the OCR timing")
    parser.add_argument("--scans", nargs="?", const="all", choices=("all", "heldout"), default=None,
                        help="also read every invoice (or only the held-out ones) printed and scanned "
                             "(a few seconds each); with --synthetic, the synthetic invoices too")
    parser.add_argument("--scan-pages", type=int, default=SCAN_PAGES, metavar="N",
                        help=f"scan at most the first N pages of each invoice ({SCAN_PAGES})")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="also read N synthetic invoices (tests/bench/synthetic.py), scored apart")
    parser.add_argument("--seed", type=int, default=1, help="the synthetic invoices' seed (1)")
    parser.add_argument("--synthetic-dir", type=Path, default=None,
                        help="keep the synthetic invoices in this folder (to look at the misses)")
    parser.add_argument("--synthetic-only", action="store_true",
                        help="read the synthetic invoices alone: no real set, no OCR timing")
    args = parser.parse_args()
    if args.synthetic < 0:
        print(json.dumps({"error": "--synthetic takes a count of invoices, 0 or more"}))
        return 2
    result: dict[str, object] = {}
    if not args.synthetic_only:
        folder = corpus_dir()
        if not folder.is_dir():
            print(json.dumps({"error": f"corpus folder {folder} is absent"}))
            return 1
        result = run(folder, args.corpora, args.scans, args.scan_pages)
        if not args.no_ocr:
            result["ocr"] = ocr_timing(folder, int(os.environ.get("BENCH_OCR_PAGES", "3")))
    if args.synthetic:
        result["synthetic"] = run_synthetic(args.synthetic, args.seed, args.synthetic_dir, scans=bool(args.scans))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
