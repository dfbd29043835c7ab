"""Past purge runs and integrity scans, as operators read them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ingest.history.tables import IntegrityReport, PurgeRun, PurgeRunDossier
from ingest.platform.pages import fetch_page


def purge_runs(session: Session, *, limit: int, offset: int) -> tuple[list[PurgeRun], int]:
    """Purge runs, newest first."""
    return fetch_page(session, select(PurgeRun), col(PurgeRun.started_at).desc(), col(PurgeRun.id),
                      limit=limit, offset=offset)


def purge_run(session: Session, run_id: str) -> tuple[PurgeRun, list[PurgeRunDossier]] | None:
    """One run with what it removed from each dossier, or None."""
    run = session.get(PurgeRun, run_id)
    if run is None:
        return None
    dossiers = session.exec(select(PurgeRunDossier).where(PurgeRunDossier.run_id == run_id)
                            .order_by(col(PurgeRunDossier.dossier_id))).all()
    return run, list(dossiers)


def integrity_reports(session: Session, *, limit: int, offset: int) -> tuple[list[IntegrityReport], int]:
    """Integrity scans, newest first."""
    return fetch_page(session, select(IntegrityReport), col(IntegrityReport.started_at).desc(),
                      col(IntegrityReport.id), limit=limit, offset=offset)
