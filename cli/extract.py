"""``bordereau extract FILE… [--no-einvoice]``: the document pipeline on local files, no server.

The same analysis and understanding as a worker's (OCR included when Tesseract is
installed), printed as one JSON object per file and line: ``file``, ``fields``,
``flags``, ``einvoice`` (flavour and profile, or null). A file that cannot be read
gets ``error`` {reason, message} instead, and the command exits with code 1 after
printing every line.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.errors import die

if TYPE_CHECKING:
    from ingest.documents.limits import Limits
    from ingest.documents.ocr import OcrConfig

extract_app = typer.Typer(add_completion=False, help="Read invoice fields from local files.")

_READ_ERROR = 1


def extract(
    files: Annotated[list[Path], typer.Argument(help="PDF, image or e-invoice XML files")],
    no_einvoice: Annotated[bool, typer.Option("--no-einvoice",
                                              help="Ignore e-invoice XML: read the visible layer only")] = False,
) -> None:
    """Print the invoice fields, flags and e-invoice profile of each file, one JSON line per file."""
    from ingest.platform.settings import get_settings
    from ingest.resources import limits_from, ocr_from

    settings = get_settings()
    failed = 0
    for path in files:
        if not path.is_file():
            die(f"{path}: no such file", 2)
        line = extract_one(path, ocr_from(settings), limits_from(settings), date.today(),
                           use_einvoice=not no_einvoice)
        failed += "error" in line
        typer.echo(json.dumps(line, ensure_ascii=False))
    if failed:
        raise typer.Exit(_READ_ERROR)


extract_app.command("extract")(extract)


def extract_one(path: Path, ocr: OcrConfig, limits: Limits, today: date, *, use_einvoice: bool) -> dict[str, Any]:
    """One file through analyse → OCR (when needed and possible) → understand."""
    from ingest.documents.analyse import analyse
    from ingest.documents.ocr import (
        OcrUnavailable,
        check_available,
        ocr_document,
        pages_needing_ocr,
    )
    from ingest.documents.reasons import DocumentRejected
    from ingest.documents.sniff import SNIFF_BYTES, sniff
    from ingest.documents.understand import understand

    with path.open("rb") as fh:
        kind = sniff(fh.read(SNIFF_BYTES))
    if kind is None:
        return {"file": str(path), "error": {"reason": "unsupported_type",
                                             "message": "Neither a PDF, an image nor XML."}}
    try:
        facts = analyse(path, kind, limits)
    except DocumentRejected as exc:
        return {"file": str(path), "error": {"reason": str(exc.reason), "message": exc.message}}
    recognised, notes = None, []
    if pages_needing_ocr(facts):
        try:
            check_available(ocr)
            recognised = ocr_document(facts, path, ocr)
        except OcrUnavailable as exc:
            notes.append({"code": "ocr_unavailable",
                          "message": f"Pages without text were not read: OCR is unavailable ({exc})."})
    understood = understand(facts, today=today, ocr=recognised, use_einvoice=use_einvoice)
    if understood.refusal is not None:
        return {"file": str(path), "error": {"reason": str(understood.refusal.code),
                                             "message": understood.refusal.message}}
    return {"file": str(path), "fields": understood.fields_json(), "flags": understood.flags + notes,
            "einvoice": understood.einvoice_json()}
