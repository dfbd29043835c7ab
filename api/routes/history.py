"""The two-year history as clients see it: what the next purge will remove, and a year's export.

`GET /v1/dossiers/{id}/expiring` answers all year long with what the purge of the next 1 January
would remove; `notice_open` says whether the notice period (December, Paris time) has begun, which
is when clients are told (CONTRACT §5, a choice). Listing earlier harms no one and lets an
accountant plan; the contract only promises the notice from 1 December.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlmodel import Session, func, select

from api.deps import PrincipalDep, ServicesDep, SessionDep
from api.problems import Problem
from ingest.accounts import Principal
from ingest.contract.retention import expiring_notice
from ingest.export import iter_export
from ingest.models import Document, Dossier, utcnow

router = APIRouter(prefix="/v1/dossiers", tags=["history"])

# The clock of these routes (a name of its own so that a test can stand on 1 December).
now = utcnow


class ExpiringDocument(BaseModel):
    id: str
    filename: str
    sha256: str
    size: int
    state: str
    received_at: datetime
    reference_date: date | None


class ExpiringPage(BaseModel):
    notice_open: bool
    expiring_year: int
    purge_on: date
    legal_hold: bool
    items: list[ExpiringDocument]
    total: int
    limit: int
    offset: int
    next_offset: int | None


def _visible_dossier(session: Session, principal: Principal, dossier_id: str) -> Dossier:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or (dossier.account_id != principal.account_id and not principal.is_operator):
        raise Problem(404, "not_found", f"No dossier {dossier_id}.")
    return dossier


@router.get("/{dossier_id}/expiring", response_model=ExpiringPage)
def expiring(dossier_id: str, principal: PrincipalDep, session: SessionDep, limit: int = Query(50, ge=1, le=500),
             offset: int = Query(0, ge=0)) -> ExpiringPage:
    """The dossier's documents that the purge of `purge_on` will remove (none under legal hold)."""
    dossier = _visible_dossier(session, principal, dossier_id)
    notice = expiring_notice(now())
    where = [Document.dossier_id == dossier.id,
             Document.reference_date < date(notice.expiring_year + 1, 1, 1)]  # type: ignore[operator]
    items: list[ExpiringDocument] = []
    total = 0
    if not dossier.legal_hold:
        total = session.exec(select(func.count()).select_from(Document).where(*where)).one()
        rows = session.exec(select(Document).where(*where)
                            .order_by(Document.reference_date, Document.id)  # type: ignore[arg-type]
                            .offset(offset).limit(limit)).all()
        items = [ExpiringDocument(id=d.id, filename=d.filename, sha256=d.sha256, size=d.size, state=d.state,
                                  received_at=d.received_at, reference_date=d.reference_date) for d in rows]
    nxt = offset + limit if offset + limit < total else None
    return ExpiringPage(notice_open=notice.is_open, expiring_year=notice.expiring_year, purge_on=notice.purge_on,
                        legal_hold=dossier.legal_hold, items=items, total=total, limit=limit, offset=offset,
                        next_offset=nxt)


@router.get("/{dossier_id}/export", response_class=StreamingResponse,
            responses={200: {"content": {"application/zip": {}}}})
def export(dossier_id: str, principal: PrincipalDep, services: ServicesDep, session: SessionDep,
           year: int = Query(..., ge=1980, le=9999)) -> StreamingResponse:
    """A ZIP of the dossier's originals whose reference date falls in `year`, with `manifest.csv`."""
    dossier = _visible_dossier(session, principal, dossier_id)
    session.close()  # the stream reads in pages of its own; hold no connection while it runs
    filename = f"bordereau-{dossier.id}-{year}.zip"
    return StreamingResponse(iter_export(services.engine, services.store, dossier.id, year),
                             media_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})
