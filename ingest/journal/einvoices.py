"""A processed invoice as an EN 16931 invoice: CII XML (`GET /v1/documents/{id}/einvoice.xml`) and a
Factur-X PDF (`GET /v1/documents/{id}/facturx.pdf`). The fields are taken as a person left them
(corrections over what was read), so a correction shows in the next export.

The Factur-X PDF is the original PDF made PDF/A-3 (`ingest.journal.pdfa`: rewritten by Ghostscript
unless it already declares PDF/A) with the XML embedded by the `factur-x` library, which writes the
metadata that declare it Factur-X EN 16931. A PDF received with its e-invoice already in it
(Factur-X, ZUGFeRD) is handed back unchanged: it is the supplier's own.
"""

from __future__ import annotations

import facturx
from sqlalchemy.engine import Engine

from ingest.journal.cii import Buyer, Incomplete, cii_xml
from ingest.journal.errors import JournalCode, JournalError
from ingest.journal.pdfa import PdfaFailed, PdfaUnavailable, as_pdfa3, declares_pdfa
from ingest.journal.period import invoice_of
from ingest.platform.models import Document
from ingest.store import ObjectStore


def einvoice_xml(engine: Engine, document_id: str, buyer: Buyer) -> bytes:
    invoice = invoice_of(engine, document_id)
    if invoice is None:
        raise JournalError(JournalCode.not_processed, "The document is not processed: only a processed invoice "
                           "can be exported.")
    try:
        return cii_xml(invoice.fields, buyer)
    except Incomplete as exc:
        raise JournalError(JournalCode.einvoice_incomplete, f"The invoice lacks what an EN 16931 invoice must say: "
                           f"{', '.join(exc.missing)}. Correct the fields (PATCH /v1/documents/{document_id}/fields) "
                           "and export it again.") from None


def facturx_pdf(engine: Engine, store: ObjectStore, document: Document, buyer: Buyer) -> bytes:
    if document.kind != "pdf":
        raise JournalError(JournalCode.not_a_pdf, f"The document is a {document.kind} file: a Factur-X invoice is "
                           "made from a PDF; its EN 16931 XML is at /einvoice.xml.")
    received_einvoice = document.einvoice_flavour is not None
    xml = None if received_einvoice else einvoice_xml(engine, document.id, buyer)
    try:
        with store.open(document.object_key) as source:
            original = source.read()
    except FileNotFoundError:
        raise JournalError(JournalCode.original_missing, "The document's original is no longer in the store "
                           "(purged, or lost): its EN 16931 XML is still at /einvoice.xml.") from None
    if xml is None:
        return original
    return bytes(facturx.generate_from_binary(_pdfa(original), xml, flavor="factur-x", level="en16931",
                                              check_xsd=False, lang="fr-FR"))


def _pdfa(original: bytes) -> bytes:
    if declares_pdfa(original):
        return original
    try:
        return as_pdfa3(original)
    except PdfaUnavailable as exc:
        raise JournalError(JournalCode.pdfa_unavailable, f"Factur-X PDFs cannot be made here: {exc}. The invoice's "
                           "EN 16931 XML is at /einvoice.xml.") from None
    except PdfaFailed as exc:
        raise JournalError(JournalCode.pdfa_failed, f"The original PDF cannot be made a Factur-X invoice: {exc}. "
                           "Its EN 16931 XML is at /einvoice.xml.") from None
