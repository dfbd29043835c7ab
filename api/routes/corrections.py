"""Corrections of a document's invoice fields by the account's users: `PATCH /v1/documents/{id}/fields`.

The answer is the fields as corrected and what the journal now makes of the invoice (its entry,
exported or held, and why), so that a person sees at once whether the correction released it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.access import visible
from api.bounds import IdPath
from api.deps import PrincipalDep, ResourcesDep, SessionDep, client_address
from api.schemas_journal import EntryPublic, HoldPublic, entry_public, holds_public
from ingest.accounts.audit import Actor
from ingest.journal.corrections import correct_fields
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
