"""A document's page: what the service read from it, what to check, its original and its first pages.

The page reads the document through the API's own account rule (`api.access.visible`), so a page and
``GET /v1/documents/{id}`` never disagree on who sees it; another account's document is a 404 page.
Invoice fields are shown as a client reads them (amounts with their currency, dates as 30/11/2026,
how sure the reading is and where it came from); each check that failed is a sentence, the
service's own words one click away, as on the batch page.

Previews of the first pages are PNGs drawn from the stored original once and kept
(`ingest.processing.previews`). The page draws the first one itself, so that it can say plainly when
there is none (a damaged file, an original gone); the others are fetched by the browser as the
reader scrolls to them (``loading="lazy"``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from babel.numbers import format_currency, format_decimal, format_percent
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from api.access import visible
from api.bounds import IdPath
from api.deps import ResourcesDep, SessionDep
from api.problems import Problem
from api.web.auth import Viewer, ViewerDep
from api.web.pages_work import NotVisible
from api.web.render import Page, language, locale_of, render
from ingest.accounts.tables import Dossier
from ingest.documents.fields.model import FIELD_KEYS
from ingest.documents.preview import previewable_pages
from ingest.documents.understand import NoticeCode
from ingest.journal.corrections import fields_as_corrected
from ingest.platform.models import Batch, Document
from ingest.processing.previews import DrawingBusy, NoPreview, Why, page_preview, why_none
from ingest.resources import Resources
from ingest.store import StoreUnavailable

log = logging.getLogger(__name__)

router = APIRouter(prefix="/app", include_in_schema=False)

AMOUNT_KEYS = frozenset({"total_excl_tax", "total_tax", "total_incl_tax"})
DATE_KEYS = frozenset({"issue_date", "due_date"})
# How a number is grouped for reading: SIREN 732 829 320, SIRET 732 829 320 00012, IBAN by fours.
GROUPS = {"supplier_siren": (3, 3, 3), "supplier_siret": (3, 3, 3, 5)}
# E-invoice formats by their own names, which are not translated.
FLAVOURS = {"factur-x": "Factur-X", "zugferd": "ZUGFeRD", "xrechnung": "XRechnung", "order-x": "Order-X",
            "cii": "UN/CEFACT CII", "ubl": "UBL", "xml": "XML"}
# Kept previews may be reused by the browser for an hour; they never change once drawn.
PREVIEW_CACHE = "private, max-age=3600"
BUSY_RETRY_SECONDS = 5
# The largest page number a preview address may name (anything past it is a malformed address).
MAX_PAGE_NUMBER = 100_000


# An invoice line's columns as shown, in order; a unit is shown with its quantity.
LINE_COLUMNS = ("description", "quantity", "unit_price", "vat_rate", "net_amount")


@dataclass(frozen=True)
class LineTable:
    """The invoice's lines as a compact table: column headings, then one row of texts per line."""

    headings: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class FieldRow:
    """One invoice field as shown: its label, its value (several lines for a VAT breakdown, a table
    for the invoice's lines), how sure the reading is, and where it came from, in words."""

    key: str
    label: str
    lines: list[str]
    confidence: str
    source: str
    table: LineTable | None = None


@dataclass(frozen=True)
class Previews:
    """The first pages shown (`shown` of `pages`), or why there is none."""

    shown: int
    pages: int
    why: Why | None

    @property
    def more(self) -> int:
        return max(self.pages - self.shown, 0)


def _visible_document(session: Session, viewer: Viewer, document_id: str) -> Document:
    """The API's own rule (`api.access.visible`), answered as a page."""
    try:
        return visible(session, viewer.principal, Document, document_id, "document")
    except Problem as exc:
        raise NotVisible(document_id) from exc


def grouped(value: str, sizes: tuple[int, ...]) -> str:
    """`value` cut into groups of `sizes` (the rest as one last group), when it is a plain number."""
    if not value.isdigit() or len(value) != sum(sizes):
        return value
    parts, start = [], 0
    for size in sizes:
        parts.append(value[start:start + size])
        start += size
    return " ".join(parts)


def iban_text(value: str) -> str:
    compact = value.replace(" ", "")
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def amount_text(value: str, currency: str, lang: str) -> str:
    """A decimal amount as ``1 234,56 €`` (every decimal kept), or as it was read when it is not one."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return value
    if not amount.is_finite():
        return value
    if len(currency) == 3 and currency.isalpha() and currency.isupper():
        return format_currency(amount, currency, locale=locale_of(lang), decimal_quantization=False)
    return format_decimal(amount, locale=locale_of(lang), decimal_quantization=False)


def date_text(value: str) -> str:
    """An ISO date as 30/11/2026 (both languages of the pages write it so)."""
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def rate_text(value: str, lang: str) -> str:
    try:
        rate = Decimal(value)
    except InvalidOperation:
        return value
    if not rate.is_finite():
        return value
    return format_percent(rate / 100, locale=locale_of(lang), decimal_quantization=False)


def _breakdown_lines(rows: list[dict[str, str]], currency: str, page: Page) -> list[str]:
    return [page.t("document.vat_line", rate=rate_text(str(row.get("rate", "")), page.lang),
                   base=amount_text(str(row.get("base", "")), currency, page.lang),
                   tax=amount_text(str(row.get("tax", "")), currency, page.lang)) for row in rows]


def quantity_text(line: dict[str, Any], page: Page) -> str:
    """``20 pce``: the quantity in the page's language, with its unit (UN/ECE rec. 20) in words when
    the page knows it, else its code."""
    quantity = str(line.get("quantity", ""))
    try:
        amount = Decimal(quantity)
        shown = format_decimal(amount, locale=locale_of(page.lang)) if amount.is_finite() else quantity
    except InvalidOperation:
        shown = quantity
    unit = str(line.get("unit", ""))
    return f"{shown} {page.explain('document.unit', unit, unit)}".strip() if shown else ""


def line_table(value: Any, currency: str, page: Page) -> LineTable:
    """The invoice's lines (`line_items`): a missing value is an empty cell."""
    rows = []
    for line in value if isinstance(value, list) else []:
        if not isinstance(line, dict):
            continue
        rows.append([
            str(line.get("description", "")), quantity_text(line, page),
            amount_text(str(line["unit_price"]), currency, page.lang) if "unit_price" in line else "",
            rate_text(str(line["vat_rate"]), page.lang) if "vat_rate" in line else "",
            amount_text(str(line["net_amount"]), currency, page.lang) if "net_amount" in line else "",
        ])
    return LineTable([page.t(f"document.line.{column}") for column in LINE_COLUMNS], rows)


def value_lines(key: str, value: Any, currency: str, page: Page) -> list[str]:
    """A field's value as a client reads it (the invoice's lines are a table: `line_table`)."""
    if key == "line_items":
        return []
    if isinstance(value, list):
        return _breakdown_lines([row for row in value if isinstance(row, dict)], currency, page)
    text = str(value)
    if key in AMOUNT_KEYS:
        return [amount_text(text, currency, page.lang)]
    if key in DATE_KEYS:
        return [date_text(text)]
    if key == "document_type":
        return [page.explain("document.type", text, text)]
    if key == "iban":
        return [iban_text(text)]
    if key in GROUPS:
        return [grouped(text, GROUPS[key])]
    return [text]


def field_rows(fields: dict[str, Any] | None, page: Page) -> list[FieldRow]:
    """The document's fields in the canonical order (any key we do not know yet comes last, as is)."""
    if not fields:
        return []
    found = fields.get("currency")
    currency = str(found.get("value", "")) if isinstance(found, dict) else ""
    order = [k for k in FIELD_KEYS if k in fields] + sorted(k for k in fields if k not in FIELD_KEYS)
    rows = []
    for key in order:
        field = fields[key]
        if not isinstance(field, dict):
            continue
        confidence = field.get("confidence")
        rows.append(FieldRow(
            key=key, label=page.explain("document.field", key, key),
            lines=value_lines(key, field.get("value", ""), currency or "EUR", page),
            table=line_table(field.get("value"), currency or "EUR", page) if key == "line_items" else None,
            confidence=(format_percent(confidence, locale=locale_of(page.lang))
                        if isinstance(confidence, int | float) else "—"),
            source=page.explain("document.source", str(field.get("source", "")), str(field.get("source", "")))))
    return rows


def size_text(size: int, page: Page) -> str:
    """A file size as people read it: 812 octets, 12,3 ko, 4,5 Mo."""
    for key, factor in (("document.size_mb", 1024 * 1024), ("document.size_kb", 1024)):
        if size >= factor:
            shown = format_decimal(Decimal(size) / factor, format="#,##0.#", locale=locale_of(page.lang))
            return page.t(key, n=shown)
    return page.t("document.size_bytes", n=page.number(size))


def _previews(resources: Resources, doc: Document) -> Previews:
    """Which previews the page shows: it draws (or finds) the first one to know there is one."""
    pages = doc.pages or 0
    why = why_none(doc)
    if why is None:
        try:
            page_preview(resources.store, doc, 1, resources.limits, resources.settings.resolved_tmp_dir())
        except NoPreview as exc:
            why = exc.why
            if exc.detail:
                log.info("no preview of document %s: %s", doc.id, exc.detail)
        except (DrawingBusy, StoreUnavailable):
            pass  # the browser asks for each page itself: it may well be drawn by then, or say why not
    return Previews(0 if why else previewable_pages(pages), pages, why)


def _duplicate(session: Session, viewer: Viewer, doc: Document) -> tuple[bool, Document | None]:
    """Whether `doc` repeats an earlier document, and that original when the viewer may still see it
    (it may have left the history since)."""
    if not doc.duplicate_of:
        return False, None
    try:
        return True, visible(session, viewer.principal, Document, doc.duplicate_of, "document")
    except Problem:
        return True, None


def _context(session: Session, viewer: Viewer, resources: Resources, doc: Document, page: Page) -> dict[str, Any]:
    flags = [f for f in (doc.flags or []) if f.get("code") != NoticeCode.DUPLICATE]
    is_duplicate, original = _duplicate(session, viewer, doc)
    return {
        "doc": doc, "dossier": session.get(Dossier, doc.dossier_id), "batch": session.get(Batch, doc.batch_id),
        "fields": field_rows(fields_as_corrected(session, doc), page), "flags": flags, "is_duplicate": is_duplicate,
        "original": original,
        "flavour": FLAVOURS.get(doc.einvoice_flavour or "", doc.einvoice_flavour),
        "size": size_text(doc.size, page), "previews": _previews(resources, doc),
    }


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, document_id: IdPath, viewer: ViewerDep, session: SessionDep,
                  resources: ResourcesDep) -> HTMLResponse:
    doc = _visible_document(session, viewer, document_id)
    page = Page(request, language(request), viewer.user, viewer.csrf)
    return render(page, "document.html", **_context(session, viewer, resources, doc, page))


@router.get("/documents/{document_id}/pages/{number}.png", response_class=Response)
def page_png(request: Request, document_id: IdPath, number: Annotated[int, Path(ge=1, le=MAX_PAGE_NUMBER)],
             viewer: ViewerDep, session: SessionDep, resources: ResourcesDep) -> Response:
    """Page `number` (from 1) of the document as a PNG; a page with no preview is a 404 page."""
    doc = _visible_document(session, viewer, document_id)
    try:
        png = page_preview(resources.store, doc, number, resources.limits, resources.settings.resolved_tmp_dir())
    except NoPreview as exc:
        if exc.detail:
            log.info("no preview of page %s of document %s: %s", number, doc.id, exc.detail)
        page = Page(request, language(request), viewer.user, viewer.csrf)
        key = "error.not_found" if exc.why is Why.no_such_page else f"document.preview.{exc.why}"
        return render(page, "error.html", status=404, message_key=key)
    except DrawingBusy:
        page = Page(request, language(request), viewer.user, viewer.csrf)
        response = render(page, "error.html", status=503, message_key="document.preview.busy")
        response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response
    return Response(png, media_type="image/png", headers={"Cache-Control": PREVIEW_CACHE})
