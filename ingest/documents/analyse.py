"""The two entry points the rest of the service calls: a cheap check at upload, then analysis.

`precheck` runs while the client waits, so it only reads sizes and headers. `analyse` runs in
a worker and reads everything. Both refuse with DocumentRejected, a reason and a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.documents.images import header_pixels, read_image
from ingest.documents.layout import PageWords
from ingest.documents.limits import Limits, human_size
from ingest.documents.pdf import declared_page_count, read_pdf
from ingest.documents.pdf_words import pdf_words
from ingest.documents.reasons import DocumentRejected, Reason
from ingest.documents.sniff import Kind

EINVOICE_DERIVATIVE = "einvoice.xml"
NORMALISED_DERIVATIVE = "normalised.png"
_IMAGE_KINDS = frozenset({Kind.jpeg, Kind.png, Kind.tiff})


@dataclass
class DocumentFacts:
    """What one document is and says, ready for fields extraction, OCR and storage."""

    kind: Kind
    pages: int
    encrypted: bool
    page_texts: list[str] = field(default_factory=list)  # "" for a page without text
    # The first pages' words with their places (text PDFs: `ingest.documents.pdf_words`).
    page_words: list[PageWords] = field(default_factory=list)
    text_chars: int = 0  # non-whitespace characters over all pages
    einvoice_xml: bytes | None = None
    einvoice_filename: str | None = None  # as stored in the PDF, e.g. "factur-x.xml"
    width: int | None = None  # images: first page
    height: int | None = None
    # Derived objects worth keeping: "einvoice.xml"; "normalised.png" for an image's
    # first page and "normalised-2.png", "normalised-3.png", … for further TIFF pages.
    derivatives: dict[str, bytes] = field(default_factory=dict)


def precheck(path: Path, kind: Kind, size: int, limits: Limits) -> None:
    """Refuse at upload what can be refused cheaply: empty, too large, too many pixels/pages.

    A PDF pypdf cannot read here is not refused: processing will say precisely why.
    """
    _check_size(size, limits)
    if kind in _IMAGE_KINDS:
        header_pixels(path, kind, limits)
    elif kind is Kind.pdf:
        pages = declared_page_count(path, limits)
        if pages is not None and pages > limits.max_pages:
            raise DocumentRejected(
                Reason.too_many_pages, f"The PDF has {pages} pages; the limit is {limits.max_pages}."
            )


def analyse(path: Path, kind: Kind, limits: Limits) -> DocumentFacts:
    """Read a whole document; raise DocumentRejected when it cannot be processed."""
    _check_size(path.stat().st_size, limits)
    if kind is Kind.pdf:
        return _analyse_pdf(path, limits)
    if kind in _IMAGE_KINDS:
        return _analyse_image(path, kind, limits)
    if kind is Kind.xml:
        # A bare e-invoice: the XML is the document; the e-invoice module parses it.
        return DocumentFacts(kind=kind, pages=0, encrypted=False, einvoice_xml=path.read_bytes())
    raise DocumentRejected(
        Reason.unsupported_type,
        f"A {kind} file is not a document; archives are opened and their files sent one by one.",
    )


def _check_size(size: int, limits: Limits) -> None:
    if size == 0:
        raise DocumentRejected(Reason.empty_file, "The file is empty (0 bytes).")
    if size > limits.max_file_bytes:
        raise DocumentRejected(
            Reason.too_large,
            f"The file is {human_size(size)}; the limit is {human_size(limits.max_file_bytes)}.",
        )


def _analyse_pdf(path: Path, limits: Limits) -> DocumentFacts:
    pdf = read_pdf(path, limits)
    derivatives = {EINVOICE_DERIVATIVE: pdf.einvoice_xml} if pdf.einvoice_xml else {}
    return DocumentFacts(
        kind=Kind.pdf,
        pages=pdf.pages,
        encrypted=pdf.encrypted,
        page_texts=pdf.page_texts,
        page_words=pdf_words(path) if any(text.strip() for text in pdf.page_texts) else [],
        text_chars=sum(len("".join(text.split())) for text in pdf.page_texts),
        einvoice_xml=pdf.einvoice_xml,
        einvoice_filename=pdf.einvoice_filename,
        derivatives=derivatives,
    )


def _analyse_image(path: Path, kind: Kind, limits: Limits) -> DocumentFacts:
    image = read_image(path, kind, limits)
    return DocumentFacts(
        kind=kind,
        pages=image.pages,
        encrypted=False,
        width=image.width,
        height=image.height,
        derivatives={normalised_name(page): png for page, png in enumerate(image.normalised, 1)},
    )


def normalised_name(page: int) -> str:
    """Derivative name of an image page's normalised PNG (pages count from 1)."""
    return NORMALISED_DERIVATIVE if page == 1 else f"normalised-{page}.png"
