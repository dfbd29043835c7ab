"""A person corrects a document's invoice fields (or confirms them as read): the use case behind
`PATCH /v1/documents/{id}/fields`.

The corrections are kept apart from what processing read (`field_corrections`), so a later
reprocessing never overwrites them; the journal books the fields as corrected, and a corrected or
confirmed invoice has no open flag any more (the amounts are still checked). An expense account
given with a correction becomes the supplier's own: its next invoices are booked on it, not on the
dossier's default. Each correction is in the audit log, in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from ingest.accounts.audit import Action, Actor, record
from ingest.journal.chart import is_expense_account, supplier_identity
from ingest.journal.corrected import BadValue, clean, overlay
from ingest.journal.errors import JournalCode, JournalError
from ingest.journal.suppliers import supplier_accounts
from ingest.journal.tables import FieldCorrection, SupplierAccount
from ingest.platform.columns import utcnow
from ingest.platform.models import Document, DocumentState


def _cleaned(changes: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for key, value in changes.items():
        try:
            cleaned[key] = clean(key, value)
        except BadValue as exc:
            raise JournalError(JournalCode.invalid_correction, f"'{key}' takes {exc}.") from None
    return cleaned


def fields_as_corrected(session: Session, document: Document) -> dict[str, Any] | None:
    """The document's invoice fields as a person left them (what processing read when nobody
    corrected them): what the API, the pages and the journal all show."""
    row = session.get(FieldCorrection, document.id)
    return overlay(document.fields or {}, row.fields) if row is not None else document.fields


def correct_fields(session: Session, actor: Actor, document: Document, changes: dict[str, Any],
                   expense_account: str | None = None) -> dict[str, Any]:
    """Record the corrections (commits) and return the document's fields as corrected."""
    if document.state != DocumentState.processed:
        raise JournalError(JournalCode.not_processed, f"The document is {document.state}: only a processed "
                           "document has invoice fields to correct.")
    cleaned = _cleaned(changes)
    if expense_account is not None and not is_expense_account(expense_account):
        raise JournalError(JournalCode.invalid_expense_account, f"'{expense_account}' is not an expense account: "
                           "give a class 6 account (a charge, such as 606000) or class 2 (a fixed asset, such as "
                           "218300), of 3 to 10 digits.")
    row = session.get(FieldCorrection, document.id) or FieldCorrection(document_id=document.id)
    row.fields = {**row.fields, **cleaned}
    row.corrected_by, row.corrected_at = actor.user_id, utcnow()
    session.add(row)
    fields = overlay(document.fields or {}, row.fields)
    if expense_account is not None:
        _teach(session, document.dossier_id, fields, expense_account)
    record(session, actor, Action.fields_corrected, document.account_id, target_id=document.id,
           detail={"fields": sorted(cleaned), "expense_account": expense_account})
    session.commit()
    return fields


def _teach(session: Session, dossier_id: str, fields: dict[str, Any], expense_account: str) -> None:
    """The supplier's own expense account from now on (the last correction wins)."""
    identity = supplier_identity(fields)
    if identity is None:
        raise JournalError(JournalCode.invalid_correction, "The invoice names no supplier by a valid SIREN, SIRET "
                           "or VAT number, so its expense account cannot be learned: correct supplier_siren or "
                           "supplier_vat in the same request.")
    supplier_accounts(session.connection(), dossier_id, [identity])  # opened if it was never seen
    supplier = session.exec(select(SupplierAccount).where(SupplierAccount.dossier_id == dossier_id,
                                                          SupplierAccount.supplier_key == identity.key)).one()
    supplier.expense_account = expense_account
    session.add(supplier)
