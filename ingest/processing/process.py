"""Processing one document: the use case behind the ``process_document`` task.

Safe to run twice and concurrently: see ``ingest.processing.lease``.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import asdict
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from ingest.contract.retention import (
    history_start,
    outside_history,
    paris_date,
    reference_date,
)
from ingest.documents.analyse import DocumentFacts, analyse
from ingest.documents.limits import Limits
from ingest.documents.ocr import (
    OcrConfig,
    OcrOutcome,
    OcrUnavailable,
    check_available,
    ocr_document,
    pages_needing_ocr,
)
from ingest.documents.reasons import DocumentRejected
from ingest.documents.sniff import Kind
from ingest.documents.understand import Understanding, understand
from ingest.platform.columns import utcnow
from ingest.platform.db import TRANSIENT_DB_ERRORS, autocommit
from ingest.platform.errors import Code
from ingest.platform.models import Document, DocumentState
from ingest.platform.spool import spool
from ingest.processing import duplicates
from ingest.processing.lease import (
    Lease,
    count_usage,
    finish,
    release,
    set_values,
    take,
    write_counted,
    write_outcome,
)
from ingest.processing.waiting import Waiting
from ingest.store import ObjectStore, StoreUnavailable, derivative_key

log = logging.getLogger(__name__)

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (StoreUnavailable, *TRANSIENT_DB_ERRORS)


class Failure(Code):
    """Why a document is ``failed`` (our fault or the environment's, not the file's)."""

    object_missing = "object_missing", "The stored original is missing from the object store."
    processing_crashed = "processing_crashed", "Processing stopped abruptly too many times; the document is set aside."
    processing_timeout = "processing_timeout", "Processing took longer than the time limit."
    retries_exhausted = ("retries_exhausted", "The store or the database stayed unreachable; processing gave up "
                         "(before this release: documents now wait instead).")
    internal_error = "internal_error", "An internal error stopped processing; it was logged."


class Refusal(Code):
    """Why processing rejects a document that passed intake's checks (besides ``Reason``)."""

    outside_history = ("outside_history", "The document's invoice date is before the two-year history: it is not "
                       "kept or counted.")


class Outcome(StrEnum):
    processed = "processed"
    rejected = "rejected"
    failed = "failed"
    already_final = "already_final"
    held_elsewhere = "held_elsewhere"
    set_aside = "set_aside"  # a poison document: failed, and its message goes to the dead letters
    waiting = "waiting"  # needs OCR, which is unavailable: queued again when it is back



OCR_DERIVATIVE = "ocr.json"


def fail(engine: Engine, held: Lease, reason: Failure, message: str) -> bool:
    return finish(engine, held, DocumentState.failed, reason=reason.value, message=message)


class Interrupted(Exception):
    """A transient fault (``cause``: the store or the database away) stopped an attempt. Its lease was
    given back if the database let it; else ``lease_token`` names the lease left behind, which the
    retry of this attempt may take back at once (`process_document`'s ``left_lease``) rather than
    wait for it to lapse, whichever process of the worker it lands on."""

    def __init__(self, cause: Exception, lease_token: str) -> None:
        super().__init__(str(cause))
        self.cause, self.lease_token = cause, lease_token


def process_document(engine: Engine, store: ObjectStore, limits: Limits, document_id: str, *,
                     lease_duration: timedelta, max_attempts: int, redelivered: bool = False,
                     ocr: OcrConfig, timeouts: tuple[type[BaseException], ...] = (),
                     tmp_dir: Path | None = None, left_lease: str | None = None) -> Outcome:
    """Lease, analyse and record one document.

    Transient faults (store, database) give the lease back, the attempt not counted (a fault of the
    environment is not a crash), and raise `Interrupted`, for the caller to retry later
    (``ingest.processing.waiting``) with ``left_lease``; ``timeouts`` (the task runner's soft time
    limit) and unexpected errors mark the document ``failed`` with a reason. A fault before the
    lease is taken propagates as it is.
    """
    held = take(engine, document_id, duration=lease_duration, redelivered=redelivered, left_token=left_lease)
    if held is None:
        return _why_not_taken(engine, document_id)
    if held.attempts > max_attempts:
        fail(engine, held, Failure.processing_crashed,
             f"Processing stopped abruptly {held.attempts - 1} times; the document is set aside.")
        return Outcome.set_aside
    try:
        return _work(engine, store, limits, held, tmp_dir, ocr)
    except TRANSIENT_ERRORS as exc:
        with contextlib.suppress(*TRANSIENT_ERRORS):
            release(engine, held, refund_attempt=True)
        raise Interrupted(exc, held.token) from exc
    except timeouts:
        fail(engine, held, Failure.processing_timeout, "Processing took longer than the time limit.")
        return Outcome.failed
    except Exception:
        log.exception("unexpected error processing document %s", document_id)
        fail(engine, held, Failure.internal_error, "An internal error stopped processing; it was logged.")
        return Outcome.failed


def _work(engine: Engine, store: ObjectStore, limits: Limits, held: Lease, tmp_dir: Path | None,
          ocr_config: OcrConfig) -> Outcome:
    key, kind, received_at = held.object_key, Kind(held.kind), held.received_at
    try:
        with store.open(key) as src:
            spooled = spool(src, limits.max_file_bytes * 2, tmp_dir)
    except FileNotFoundError:
        fail(engine, held, Failure.object_missing, "The stored original is missing from the object store.")
        return Outcome.failed
    try:
        facts = analyse(spooled.path, kind, limits)
        recognised = _recognise(facts, spooled.path, ocr_config)
    except DocumentRejected as exc:
        finish(engine, held, DocumentState.rejected, reason=str(exc.reason), message=exc.message)
        return Outcome.rejected
    except OcrUnavailable as exc:
        park(engine, held, Waiting.ocr_unavailable,
             f"This document needs OCR, which is unavailable ({exc}); it will be processed when OCR is back.")
        return Outcome.waiting
    finally:
        spooled.discard()
    now = utcnow()
    understood = understand(facts, today=paris_date(now), ocr=recognised)
    if understood.refusal is not None:
        finish(engine, held, DocumentState.rejected, reason=str(understood.refusal.code),
               message=understood.refusal.message, pages=facts.pages)
        return Outcome.rejected
    _store_derivatives(store, held.document_id, facts, recognised)
    values = _understanding_values(facts, understood, recognised, received_at)
    if outside_history(values["reference_date"], now):
        finish(engine, held, DocumentState.rejected, reason=Refusal.outside_history.value,
               message=_outside_history_message(values["reference_date"], now), **values)
        return Outcome.rejected
    done = finish_processed(engine, held, reason=None, message=None, **values)
    return Outcome.processed if done else Outcome.held_elsewhere


def _recognise(facts: DocumentFacts, path: Path, config: OcrConfig) -> OcrOutcome | None:
    """OCR of the pages that need it (none for text PDFs and e-invoice XML).

    The engine is checked first: a document that needs it must wait, not be read blind.
    """
    if not pages_needing_ocr(facts):
        return None
    check_available(config)
    return ocr_document(facts, path, config)


def _understanding_values(facts: DocumentFacts, understood: Understanding, recognised: OcrOutcome | None,
                          received_at: Any) -> dict[str, Any]:
    einvoice = understood.einvoice
    return {
        "pages": facts.pages, "text_chars": facts.text_chars,
        "einvoice_flavour": einvoice.flavour if einvoice else _flavour(facts),
        "einvoice_profile": einvoice.profile if einvoice else None,
        "facts": facts_summary(facts, recognised),
        "fields": understood.fields_json(), "flags": understood.flags,
        "invoice_date": understood.invoice_date,
        "invoice_key": duplicates.invoice_key(understood.fields),
        "ocr_seconds": round(recognised.seconds, 3) if recognised else None,
        "ocr_pages": len(recognised.texts) if recognised else None,
        "reference_date": reference_date(understood.invoice_date, understood.invoice_date_validated,
                                         received_at),
    }


def _outside_history_message(ref: Any, now: Any) -> str:
    start = history_start(now)
    return (f"The document's reference date {ref.isoformat()} is before {start.isoformat()}, the start of "
            f"the two-year history (the current and previous calendar years); it is not kept or counted.")


def finish_processed(engine: Engine, held: Lease, **values: Any) -> bool:
    """Write a processed outcome and count it, unless it duplicates an earlier
    document of the dossier (see :mod:`ingest.processing.duplicates` for the race rule).

    On PostgreSQL the matching locks are taken first, then the lookup, then one statement writes
    the outcome and counts it (`write_counted`). On SQLite the outcome is written first: that takes
    the database's write lock before the lookup."""
    invoice_key = values.get("invoice_key")
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            return _finish_locked(conn, held, invoice_key, values)
        if not write_outcome(conn, held, DocumentState.processed, duplicate_of=None, **values):
            return False
        original = duplicates.find_original(conn, held.dossier_id, held.document_id, held.sha256, invoice_key)
        if original is None:
            count_usage(conn, held)
        else:
            set_values(conn, held.document_id,
                       **duplicates.duplicate_values(held.sha256, values.get("flags") or [], original))
    return True


def _finish_locked(conn: Connection, held: Lease, invoice_key: str | None, values: dict[str, Any]) -> bool:
    """PostgreSQL: with the locks of what could match held, an original is found or not for good."""
    duplicates.lock_matches(conn, held.dossier_id, held.sha256, invoice_key)
    original = duplicates.find_original(conn, held.dossier_id, held.document_id, held.sha256, invoice_key)
    if original is None:
        return write_counted(conn, held, duplicate_of=None, **values)
    copy = duplicates.duplicate_values(held.sha256, values.get("flags") or [], original)
    return write_outcome(conn, held, DocumentState.processed, **{**values, **copy})


def park(engine: Engine, held: Lease, why: Waiting, message: str) -> None:
    """Put the document back in ``queued`` with the reason it waits, its attempt given back."""
    release(engine, held, refund_attempt=True, reason=why.value, message=message[:1000])


def _why_not_taken(engine: Engine, document_id: str) -> Outcome:
    with autocommit(engine) as conn:
        state = conn.execute(sa.select(col(Document.state)).where(col(Document.id) == document_id)).scalar()
    if state is None or state in (DocumentState.processed, DocumentState.rejected, DocumentState.failed):
        return Outcome.already_final
    return Outcome.held_elsewhere


def _store_derivatives(store: ObjectStore, document_id: str, facts: DocumentFacts,
                       recognised: OcrOutcome | None = None) -> None:
    """Keep what would cost more to make again than to store: an image's normalised pages, an
    e-invoice's XML, the OCR's text (seconds a page). A text layer is read again from the original
    in milliseconds: storing it (`text.json`, before) cost a fifth of a worker's time per text PDF
    in bench_ingest, and nothing read it. Documents processed before keep theirs until the purge."""
    for name, data in facts.derivatives.items():
        store.put_bytes(derivative_key(document_id, name), data)
    if recognised is not None:
        pages = {str(page): text for page, text in sorted(recognised.texts.items())}
        body = json.dumps({"pages": pages, "timed_out": recognised.timed_out},
                          ensure_ascii=False).encode(errors="replace")
        store.put_bytes(derivative_key(document_id, OCR_DERIVATIVE), body)


def _flavour(facts: DocumentFacts) -> str | None:
    name = (facts.einvoice_filename or "").lower()
    if not facts.einvoice_xml:
        return None
    if "zugferd" in name:
        return "zugferd"
    if "xrechnung" in name:
        return "xrechnung"
    if "order-x" in name:
        return "order-x"
    return "factur-x" if name else "xml"


def facts_summary(facts: DocumentFacts, recognised: OcrOutcome | None = None) -> dict[str, Any]:
    summary = {k: v for k, v in asdict(facts).items()
               if k not in ("page_texts", "einvoice_xml", "derivatives")}
    summary["derivatives"] = sorted(facts.derivatives) + ([OCR_DERIVATIVE] if recognised is not None else [])
    if recognised is not None:
        summary["ocr_pages"] = sorted(recognised.texts)
    return summary
