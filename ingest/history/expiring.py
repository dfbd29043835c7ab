"""What the next 1 January purge will remove from a dossier (docs/contract.md §5): clients are told
ahead and can export their documents before they go."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from ingest.accounts.tables import Dossier
from ingest.contract.retention import ExpiryNotice
from ingest.platform.models import Document
from ingest.platform.pages import fetch_page


def _expiring(dossier: Dossier, notice: ExpiryNotice) -> tuple[ColumnElement[bool], ...]:
    """The dossier's documents dated the expiring year or earlier: the one selection the list and
    the monthly counts share."""
    return (col(Document.dossier_id) == dossier.id, col(Document.reference_date) <= notice.last_reference_date)


def expiring_documents(session: Session, dossier: Dossier, notice: ExpiryNotice, *, limit: int,
                       offset: int) -> tuple[list[Document], int]:
    """The dossier's documents the noticed purge removes (dated its expiring year or earlier), oldest
    first; none under legal hold."""
    if dossier.legal_hold:
        return [], 0
    stmt = select(Document).where(*_expiring(dossier, notice))
    return fetch_page(session, stmt, col(Document.reference_date), col(Document.id), limit=limit, offset=offset)


def expiring_by_month(session: Session, dossier: Dossier, notice: ExpiryNotice) -> list[tuple[date, int]]:
    """How many of those documents each month of reference date holds (the month as its first day),
    oldest first; none under legal hold. Counted per day in SQL and folded into months here, which
    reads the same on SQLite and PostgreSQL (they name months differently) and costs a row per day."""
    if dossier.legal_hold:
        return []
    per_day = (select(col(Document.reference_date), func.count()).where(*_expiring(dossier, notice))
               .group_by(col(Document.reference_date)))
    rows = session.exec(per_day).all()
    months: Counter[date] = Counter()
    for day, count in rows:
        if day is not None:
            months[date(day.year, day.month, 1)] += int(count)
    return sorted(months.items())
