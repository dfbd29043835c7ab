"""A document's invoice, corrected by the account's users (`PATCH /v1/documents/{id}/fields`) and
exported as an EN 16931 invoice (`GET /v1/documents/{id}/einvoice.xml`, `…/facturx.pdf`).

The answer is the fields as corrected and what the journal now makes of the invoice (its entry,
exported or held, and why), so that a person sees at once whether the correction released it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from api.access import visible
from api.bounds import IdPath
from api.deps import PrincipalDep, ResourcesDep, SessionDep, client_address
from api.downloads import content_disposition
from api.schemas_journal import EntryPublic, HoldPublic, entry_public, holds_public
from ingest.accounts.audit import Actor
from ingest.accounts.tables import Dossier
from ingest.journal.cii import Buyer
from ingest.journal.corrections import correct_fields
from ingest.journal.einvoices import einvoice_xml, facturx_pdf
from ingest.journal.errors import JournalCode, JournalError
from ingest.journal.period import booking_of
from ingest.platform.models import Document

router = APIRouter(prefix="/v1/documents", tags=["journal"])


class FieldsCorrection(BaseModel):
    # {field: value} in the fields' own shapes; null removes a misread field; {} confirms as read.
    fields: dict[str, Any] = Field(default_factory=dict, max_length=20)
    # The supplier's own expense account from now on (class 6, or class 2 for a fixed asset).
    expense_account: str | None = Field(default=None, min_length=1, max_length=10)


class CorrectedFields(BaseModel):
    document_id: str
    fields: dict[str, Any]
    exported: bool
    holds: list[HoldPublic]
    entry: EntryPublic | None


@router.patch("/{document_id}/fields", response_model=CorrectedFields)
def correct(document_id: IdPath, body: FieldsCorrection, request: Request, principal: PrincipalDep,
            resources: ResourcesDep, session: SessionDep) -> CorrectedFields:
    """Correct (or, with no field, confirm) a processed document's invoice fields; audited."""
    document = visible(session, principal, Document, document_id, "document")
    if principal.account_id is None:
        raise JournalError(JournalCode.account_users_only, "Invoice fields are corrected by the account's own "
                           "users, who answer for their books: use a key of the account.")
    fields = correct_fields(session, Actor.of(principal, client_address(request)), document, body.fields,
                            body.expense_account)
    booking = booking_of(resources.engine, document.dossier_id, document.id)
    return CorrectedFields(document_id=document.id, fields=fields, exported=bool(booking and booking.exported),
                           holds=holds_public(booking.holds if booking else ()),
                           entry=entry_public(booking.entry if booking else None))


@router.get("/{document_id}/einvoice.xml", response_class=Response,
            responses={200: {"content": {"application/xml": {}}}})
def einvoice(document_id: IdPath, principal: PrincipalDep, resources: ResourcesDep, session: SessionDep) -> Response:
    """The invoice as EN 16931 CII (the XML of Factur-X), from its fields as corrected; the dossier
    is the buyer."""
    document, buyer = _document_and_buyer(session, principal, document_id)
    xml = einvoice_xml(resources.engine, document.id, buyer)
    return Response(xml, media_type="application/xml",
                    headers={"Content-Disposition": content_disposition(f"facture-{document.id}.xml")})


@router.get("/{document_id}/facturx.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def facturx(document_id: IdPath, principal: PrincipalDep, resources: ResourcesDep, session: SessionDep) -> Response:
    """The original PDF with its EN 16931 XML embedded (Factur-X); a PDF received as Factur-X or
    ZUGFeRD, unchanged."""
    document, buyer = _document_and_buyer(session, principal, document_id)
    session.close()  # the original is read from the store: hold no connection meanwhile
    pdf = facturx_pdf(resources.engine, resources.store, document, buyer)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": content_disposition(f"facture-{document.id}.pdf")})


def _document_and_buyer(session: SessionDep, principal: PrincipalDep, document_id: str) -> tuple[Document, Buyer]:
    document = visible(session, principal, Document, document_id, "document")
    dossier = session.get(Dossier, document.dossier_id)
    assert dossier is not None  # a document's dossier is never deleted
    return document, Buyer(dossier.name, dossier.siren)
