"""A dossier's invoices, booked page by page: what the export and the review list both read.

Each page is read, and its new suppliers' accounts opened, in a short transaction of its own; the
bookings are handed out after it committed, so a slow download holds no transaction open and the
memory held is one page whatever the length of the period.

An invoice of the journal is a processed document of the dossier that is not a duplicate (rejected
and failed documents are not invoices the books know).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from ingest.journal.chart import supplier_identity
from ingest.journal.corrected import overlay
from ingest.journal.entries import Booking, Invoice, book
from ingest.journal.suppliers import default_expense, supplier_accounts
from ingest.journal.tables import FieldCorrection
from ingest.platform.models import Document, DocumentState

PAGE = 500
DOCS = SQLModel.metadata.tables[Document.__tablename__]
CORRECTIONS = SQLModel.metadata.tables[FieldCorrection.__tablename__]


@dataclass(frozen=True)
class Period:
    """The invoices dated from `start` to `end` included; None on both sides: every date, and none."""

    start: date | None = None
    end: date | None = None

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None


def _where(dossier_id: str, period: Period) -> list[Any]:
    where = [DOCS.c.dossier_id == dossier_id, DOCS.c.state == DocumentState.processed, DOCS.c.duplicate_of.is_(None)]
    if period.start is not None:
        where.append(DOCS.c.invoice_date >= period.start)
    if period.end is not None:
        where.append(DOCS.c.invoice_date <= period.end)
    return where


def _page(conn: Connection, dossier_id: str, period: Period, after: tuple[date, str] | None, size: int) -> list[Any]:
    """The next page in the journal's order: by invoice date, then document id (a keyset, so a page
    costs the same at the end of a year as at its start)."""
    where = [*_where(dossier_id, period), DOCS.c.invoice_date.is_not(None)]
    if after is not None:
        day, doc_id = after
        where.append(sa.or_(DOCS.c.invoice_date > day, sa.and_(DOCS.c.invoice_date == day, DOCS.c.id > doc_id)))
    stmt = (sa.select(DOCS.c.id, DOCS.c.invoice_date, DOCS.c.fields, DOCS.c.flags).where(*where)
            .order_by(DOCS.c.invoice_date, DOCS.c.id).limit(size))
    return list(conn.execute(stmt).all())


def _invoices(conn: Connection, rows: list[Any]) -> list[Invoice]:
    """The page's invoices as a person left them: corrected fields over those read, the rest confirmed,
    and no open flag on an invoice a person corrected or confirmed (they looked at it; the amounts
    are checked again)."""
    found = conn.execute(sa.select(CORRECTIONS.c.document_id, CORRECTIONS.c.fields)
                         .where(CORRECTIONS.c.document_id.in_([row.id for row in rows]))).all() if rows else []
    corrected: dict[str, dict[str, Any]] = {doc_id: fields for doc_id, fields in found}
    return [Invoice(row.id, overlay(row.fields or {}, corrected[row.id]), []) if row.id in corrected
            else Invoice(row.id, row.fields or {}, row.flags or []) for row in rows]


def _book_page(conn: Connection, dossier_id: str, rows: list[Any]) -> list[Booking]:
    expense = default_expense(conn, dossier_id)
    invoices = _invoices(conn, rows)
    identities = [supplier_identity(invoice.fields) for invoice in invoices]
    accounts = supplier_accounts(conn, dossier_id, [identity for identity in identities if identity is not None])
    return [book(invoice, accounts[identity.key] if identity is not None else None, expense)
            for invoice, identity in zip(invoices, identities, strict=True)]


def bookings(engine: Engine, dossier_id: str, period: Period, *, page: int = PAGE) -> Iterator[Booking]:
    """Every invoice of the dossier dated within `period` (every processed invoice when the period is
    open on both sides, undated ones last), booked, in the journal's order."""
    after: tuple[date, str] | None = None
    while True:
        with engine.begin() as conn:
            rows = _page(conn, dossier_id, period, after, page)
            booked = _book_page(conn, dossier_id, rows)
        yield from booked
        if len(rows) < page:
            break
        after = (rows[-1].invoice_date, rows[-1].id)
    if not period.dated:
        yield from _undated(engine, dossier_id, page)


def _undated(engine: Engine, dossier_id: str, page: int) -> Iterator[Booking]:
    """Invoices without a date, by id: only the review list, which is not limited to a period, has them."""
    after = ""
    while True:
        with engine.begin() as conn:
            rows = list(conn.execute(
                sa.select(DOCS.c.id, DOCS.c.invoice_date, DOCS.c.fields, DOCS.c.flags)
                .where(*_where(dossier_id, Period()), DOCS.c.invoice_date.is_(None), DOCS.c.id > after)
                .order_by(DOCS.c.id).limit(page)).all())
            booked = _book_page(conn, dossier_id, rows)
        yield from booked
        if len(rows) < page:
            return
        after = rows[-1].id


def booking_of(engine: Engine, dossier_id: str, document_id: str) -> Booking | None:
    """One invoice of the dossier, booked as the export would (None: not an invoice of the journal)."""
    with engine.begin() as conn:
        rows = list(conn.execute(sa.select(DOCS.c.id, DOCS.c.invoice_date, DOCS.c.fields, DOCS.c.flags)
                                 .where(*_where(dossier_id, Period()), DOCS.c.id == document_id)).all())
        booked = _book_page(conn, dossier_id, rows)
    return booked[0] if booked else None


def invoice_of(engine: Engine, document_id: str) -> Invoice | None:
    """A processed document's invoice as a person left it (None: the document is not processed)."""
    with engine.begin() as conn:
        rows = list(conn.execute(sa.select(DOCS.c.id, DOCS.c.fields, DOCS.c.flags)
                                 .where(DOCS.c.id == document_id, DOCS.c.state == DocumentState.processed)).all())
        invoices = _invoices(conn, rows)
    return invoices[0] if invoices else None
