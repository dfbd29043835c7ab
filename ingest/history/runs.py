"""Past purge runs and integrity scans, as operators read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from ingest.history.tables import IntegrityReport, PurgeRun, PurgeRunDossier, RunState
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


# A paused run stopped at its time budget without error: the next run goes on where it stopped.
_SUCCEEDED = (RunState.finished.value, RunState.paused.value)


@dataclass(frozen=True)
class PurgeStatus:
    """The latest run (None before the first) and when a run last ended without error."""

    last: PurgeRun | None
    last_success_at: datetime | None


def purge_status(session: Session) -> PurgeStatus:
    last = session.exec(select(PurgeRun).order_by(col(PurgeRun.started_at).desc()).limit(1)).first()
    success = session.exec(select(func.max(PurgeRun.ended_at)).where(col(PurgeRun.state).in_(_SUCCEEDED))).one()
    return PurgeStatus(last, success)
