"""What an invoice says, from what a document is: fields, flags, e-invoice, invoice date.

A pure function over the facts of :func:`~ingest.documents.analyse.analyse` and the
OCR text already recognised (``ocr.ocr_document``): no I/O, the caller runs OCR.
Precedence: the e-invoice XML is the supplier's own statement and wins outright;
otherwise the text layer is read, with OCR text standing in for pages without one
(and for every page of an image). Where the XML gives no line items, or its profile
cannot carry a field at all (``einvoice.PROFILE_LACKS``: MINIMUM and BASIC WL have no
lines, MINIMUM no VAT breakdown, due date, IBAN or payment terms), those fields alone
are read from the visible page, with the page's source (``text`` or ``ocr``), so a
client can tell them from the XML's; every field the XML gives is the XML's. A
standalone XML upload that cannot be parsed is refused; XML inside a PDF that cannot
be parsed only raises a flag, since the PDF still has its visible text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from ingest.documents.analyse import DocumentFacts
from ingest.documents.checks import FlagCode, check_invoice
from ingest.documents.einvoice import PROFILE_LACKS, EInvoice, EInvoiceError, parse_einvoice
from ingest.documents.fields import Field, extract_fields, fields_to_json
from ingest.documents.layout import PageWords
from ingest.documents.ocr import OcrOutcome
from ingest.documents.sniff import Kind

# Text-read dates below this confidence never become the reference date: a
# misread year must not send a fresh document to the purge (docs/contract.md §5).
MIN_DATE_CONFIDENCE = 0.8


class NoticeCode(StrEnum):
    """Flags raised by the pipeline itself (the checks' own codes are ``FlagCode``)."""

    OCR_TIMEOUT = "ocr_timeout"
    EINVOICE_UNREADABLE = "einvoice_unreadable"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Understanding:
    fields: dict[str, Field] = field(default_factory=dict)
    flags: list[dict[str, str]] = field(default_factory=list)  # {"code", "message"}
    einvoice: EInvoice | None = None
    invoice_date: date | None = None
    invoice_date_validated: bool = False
    refusal: EInvoiceError | None = None  # a standalone XML upload that cannot be read

    def fields_json(self) -> dict[str, dict[str, Any]]:
        return fields_to_json(self.fields)

    def einvoice_json(self) -> dict[str, str | None] | None:
        if self.einvoice is None:
            return None
        return {"flavour": self.einvoice.flavour, "profile": self.einvoice.profile}


def flag(code: str, message: str) -> dict[str, str]:
    return {"code": str(code), "message": message}


def understand(facts: DocumentFacts, *, today: date, ocr: OcrOutcome | None = None,
               use_einvoice: bool = True) -> Understanding:
    """Fields, flags, e-invoice and invoice date of one analysed document.

    ``use_einvoice=False`` ignores embedded or standalone XML, to read the visible
    layer only (``bordereau extract --no-einvoice``).
    """
    notices: list[dict[str, str]] = []
    einvoice: EInvoice | None = None
    if use_einvoice and facts.einvoice_xml:
        try:
            einvoice = parse_einvoice(facts.einvoice_xml, filename=facts.einvoice_filename)
        except EInvoiceError as exc:
            if facts.kind is Kind.xml:
                return Understanding(refusal=exc)
            notices.append(flag(NoticeCode.EINVOICE_UNREADABLE,
                                f"The embedded e-invoice XML was ignored: {exc.message}"))
    if einvoice is not None:
        fields = dict(einvoice.fields) | _where_xml_lacks(facts, ocr, einvoice)
    else:
        fields = _from_text(facts, ocr)
    if ocr is not None and ocr.timed_out:
        pages = ", ".join(str(p) for p in ocr.timed_out)
        notices.append(flag(NoticeCode.OCR_TIMEOUT,
                            f"OCR ran out of time on page {pages}; its text is missing from the fields."))
    checks = check_invoice(fields, today)
    flags = [flag(f.code, f.message) for f in checks] + notices
    issue, validated = _invoice_date(fields, implausible=any(f.code is FlagCode.DATE_IMPLAUSIBLE for f in checks))
    return Understanding(fields, flags, einvoice, issue, validated)


def _where_xml_lacks(facts: DocumentFacts, ocr: OcrOutcome | None, einvoice: EInvoice) -> dict[str, Field]:
    """The fields the XML does not give and could not (its lines when it has none, what its profile
    lacks), as the visible page gives them; nothing for a standalone XML, which has no page."""
    wanted = ({"line_items"} | PROFILE_LACKS.get(einvoice.profile or "", frozenset())) - einvoice.fields.keys()
    if not wanted or facts.kind is Kind.xml:
        return {}
    page = _from_text(facts, ocr)
    return {key: page[key] for key in sorted(wanted) if key in page}


def _from_text(facts: DocumentFacts, ocr: OcrOutcome | None) -> dict[str, Field]:
    """Text layer where there is one, OCR text elsewhere; the source is ``ocr`` as soon
    as any page's text came from recognition (its confidence is the weaker one)."""
    texts = list(facts.page_texts) or [""] * facts.pages
    recognised = {page: text for page, text in (ocr.texts.items() if ocr else ()) if text.strip()}
    for page, text in recognised.items():
        if page <= len(texts):
            texts[page - 1] = text
    source = "ocr" if recognised else "text"
    return extract_fields(texts, source=source, pages=_page_words(facts, ocr))


def _page_words(facts: DocumentFacts, ocr: OcrOutcome | None) -> list[PageWords]:
    """The words of each page with their places: the text layer's, or the OCR engine's where a page
    was recognised (the command-line engine gives none: that page is read as text lines only)."""
    recognised = ocr.words if ocr else {}
    layer = {page.number: page for page in facts.page_words}
    return [page for number in sorted({*layer, *recognised})
            if (page := recognised.get(number) or layer.get(number)) is not None]


def _invoice_date(fields: dict[str, Field], *, implausible: bool) -> tuple[date | None, bool]:
    found = fields.get("issue_date")
    if found is None or not isinstance(found.value, str):
        return None, False
    try:
        issued = date.fromisoformat(found.value)
    except ValueError:
        return None, False
    trusted = found.source == "einvoice" or found.confidence >= MIN_DATE_CONFIDENCE
    return issued, trusted and not implausible
