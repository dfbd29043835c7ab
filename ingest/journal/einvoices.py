"""A processed invoice as an EN 16931 invoice (CII XML): the use case behind
`GET /v1/documents/{id}/einvoice.xml`. The fields are taken as a person left them (corrections
over what was read), so a correction shows in the next export."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from ingest.journal.cii import Buyer, Incomplete, cii_xml
from ingest.journal.errors import JournalCode, JournalError
from ingest.journal.period import invoice_of


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
