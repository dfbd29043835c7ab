"""A dossier's purchase journal: its export (FEC or CSV, streamed), the entries held for review,
its supplier accounts and its expense account.

Every route first finds the dossier under the account rule (`api.access.visible`): another
account's dossier answers 404 like a missing one.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.access import visible
from api.bounds import Day, IdPath, Name, Offset
from api.deps import PrincipalDep, ResourcesDep, SessionDep
from api.downloads import content_disposition
from api.schemas import Page, next_offset
from api.schemas_journal import EntryPublic, HoldPublic, entry_public, holds_public
from ingest.accounts.tables import Dossier
from ingest.contract.retention import paris_date
from ingest.journal.entries import Booking
from ingest.journal.export import JournalFormat, check_period, journal_file
from ingest.journal.period import Period
from ingest.journal.review import held_bookings
from ingest.journal.suppliers import journal_settings, list_suppliers, rename_supplier, set_default_expense
from ingest.journal.tables import SupplierAccount
from ingest.platform.columns import utcnow

router = APIRouter(prefix="/v1/dossiers", tags=["journal"])

From = Annotated[Day, Query(alias="from", description="first invoice date of the period (YYYY-MM-DD)")]
To = Annotated[Day, Query(alias="to", description="last invoice date of the period, included")]


def today() -> date:
    """The export's validation date, the day in Paris (a name of its own so that a test can fix it)."""
    return paris_date(utcnow())


@router.get("/{dossier_id}/journal", response_class=StreamingResponse,
            responses={200: {"content": {"text/plain": {}, "text/csv": {}}}})
def journal(dossier_id: IdPath, principal: PrincipalDep, resources: ResourcesDep, session: SessionDep,
            start: From, end: To, format: JournalFormat = JournalFormat.fec) -> StreamingResponse:
    """The purchase journal of the invoices dated from `from` to `to`: a FEC (`{SIREN}FEC{to}.txt`)
    or a CSV. Entries held for review are left out (see `/review`)."""
    dossier = visible(session, principal, Dossier, dossier_id, "dossier")
    exported = journal_file(resources.engine, dossier.id, dossier.siren, start, end, format, today())
    session.close()  # the stream reads in pages of its own; hold no connection while it runs
    return StreamingResponse(exported.chunks, media_type=exported.media_type,
                             headers={"Content-Disposition": content_disposition(exported.filename)})


class ReviewItem(BaseModel):
    document_id: str
    holds: list[HoldPublic]
    # The entry the invoice would make (None when its amounts or date cannot make one).
    entry: EntryPublic | None


class ReviewPage(BaseModel):
    items: list[ReviewItem]
    total: int
    limit: int
    offset: int
    next_offset: int | None


def _review_item(booking: Booking) -> ReviewItem:
    return ReviewItem(document_id=booking.invoice.document_id, entry=entry_public(booking.entry),
                      holds=holds_public(booking.holds))


@router.get("/{dossier_id}/review", response_model=ReviewPage)
def review(dossier_id: IdPath, principal: PrincipalDep, resources: ResourcesDep, session: SessionDep,
           start: Annotated[Day | None, Query(alias="from")] = None,
           end: Annotated[Day | None, Query(alias="to")] = None,
           limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> ReviewPage:
    """The invoices held back from the journal, each with why and the entry it would make; without
    a period, every processed invoice of the dossier (undated ones included)."""
    dossier = visible(session, principal, Dossier, dossier_id, "dossier")
    if start is not None and end is not None:
        check_period(start, end)
    session.close()
    page = held_bookings(resources.engine, dossier.id, Period(start, end), limit=limit, offset=offset)
    return ReviewPage(items=[_review_item(b) for b in page.items], total=page.total, limit=limit, offset=offset,
                      next_offset=next_offset(page.total, limit, offset))


class SupplierPublic(BaseModel):
    id: str
    number: str
    name: str
    supplier_key: str
    expense_account: str | None


class SupplierRename(BaseModel):
    name: Name


def _supplier(account: SupplierAccount) -> SupplierPublic:
    return SupplierPublic(id=account.id, number=account.number, name=account.name,
                          supplier_key=account.supplier_key, expense_account=account.expense_account)


@router.get("/{dossier_id}/suppliers", response_model=Page[SupplierPublic])
def suppliers(dossier_id: IdPath, principal: PrincipalDep, session: SessionDep,
              limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Page[SupplierPublic]:
    """The dossier's supplier accounts (opened as invoices are exported or reviewed), by number."""
    dossier = visible(session, principal, Dossier, dossier_id, "dossier")
    rows, total = list_suppliers(session, dossier.id, limit=limit, offset=offset)
    return Page[SupplierPublic].of([_supplier(a) for a in rows], total, limit, offset)


@router.patch("/{dossier_id}/suppliers/{supplier_id}", response_model=SupplierPublic)
def rename(dossier_id: IdPath, supplier_id: IdPath, body: SupplierRename, principal: PrincipalDep,
           session: SessionDep) -> SupplierPublic:
    """Rename a supplier's account (its number stays: entries refer to it)."""
    dossier = visible(session, principal, Dossier, dossier_id, "dossier")
    return _supplier(rename_supplier(session, dossier.id, supplier_id, body.name))


class JournalSettingsPublic(BaseModel):
    expense_account: str


class JournalSettingsChange(BaseModel):
    expense_account: str = Field(min_length=1, max_length=10)


@router.get("/{dossier_id}/journal-settings", response_model=JournalSettingsPublic)
def settings(dossier_id: IdPath, principal: PrincipalDep, session: SessionDep) -> JournalSettingsPublic:
    dossier = visible(session, principal, Dossier, dossier_id, "dossier")
    return JournalSettingsPublic(expense_account=journal_settings(session, dossier.id).expense_account)


@router.put("/{dossier_id}/journal-settings", response_model=JournalSettingsPublic)
def change_settings(dossier_id: IdPath, body: JournalSettingsChange, principal: PrincipalDep,
                    session: SessionDep) -> JournalSettingsPublic:
    """The dossier's expense account, used for every supplier without its own (default 607000)."""
    dossier = visible(session, principal, Dossier, dossier_id, "dossier")
    return JournalSettingsPublic(expense_account=set_default_expense(session, dossier.id,
                                                                     body.expense_account).expense_account)
