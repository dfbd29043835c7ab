"""What the next 1 January purge will remove from a dossier (docs/contract.md §5): clients are told
ahead and can export their documents before they go."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ingest.accounts.tables import Dossier
from ingest.contract.retention import ExpiryNotice
from ingest.platform.models import Document
from ingest.platform.pages import fetch_page


def expiring_documents(session: Session, dossier: Dossier, notice: ExpiryNotice, *, limit: int,
                       offset: int) -> tuple[list[Document], int]:
    """The dossier's documents the noticed purge removes (dated its expiring year or earlier), oldest
    first; none under legal hold."""
    if dossier.legal_hold:
        return [], 0
    stmt = select(Document).where(Document.dossier_id == dossier.id,
                                  col(Document.reference_date) <= notice.last_reference_date)
    return fetch_page(session, stmt, col(Document.reference_date), col(Document.id), limit=limit, offset=offset)
