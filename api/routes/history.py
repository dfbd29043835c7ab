"""The two-year history as clients see it: what the next purge will remove, and a year's export.

`GET /v1/dossiers/{id}/expiring` answers all year long with what the purge of the next 1 January
would remove; `notice_open` says whether the notice period (December, Paris time) has begun, which
is when clients are told (docs/contract.md §5, a choice). Listing earlier harms no one and lets an
accountant plan; the contract only promises the notice from 1 December.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.access import visible
from api.bounds import FIRST_YEAR, LAST_YEAR, IdPath, Offset
from api.deps import PrincipalDep, ResourcesDep, SessionDep
from api.downloads import content_disposition
from api.schemas import next_offset
from ingest.accounts.tables import Dossier
from ingest.contract.retention import expiring_notice
from ingest.history.expiring import expiring_documents
from ingest.history.export import iter_export
from ingest.platform.columns import utcnow

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


@router.get("/{dossier_id}/expiring", response_model=ExpiringPage)
def expiring(dossier_id: IdPath, principal: PrincipalDep, session: SessionDep, limit: int = Query(50, ge=1, le=500),
             offset: Offset = 0) -> ExpiringPage:
    """The dossier's documents that the purge of `purge_on` will remove (none under legal hold)."""
    dossier = visible(session, principal, Dossier, dossier_id, "dossier")
    notice = expiring_notice(now())
    rows, total = expiring_documents(session, dossier, notice, limit=limit, offset=offset)
    items = [ExpiringDocument(id=d.id, filename=d.filename, sha256=d.sha256, size=d.size, state=d.state,
                              received_at=d.received_at, reference_date=d.reference_date) for d in rows]
    return ExpiringPage(notice_open=notice.is_open, expiring_year=notice.expiring_year, purge_on=notice.purge_on,
                        legal_hold=dossier.legal_hold, items=items, total=total, limit=limit, offset=offset,
                        next_offset=next_offset(total, limit, offset))


@router.get("/{dossier_id}/export", response_class=StreamingResponse,
            responses={200: {"content": {"application/zip": {}}}})
def export(dossier_id: IdPath, principal: PrincipalDep, resources: ResourcesDep, session: SessionDep,
           year: int = Query(..., ge=FIRST_YEAR, le=LAST_YEAR)) -> StreamingResponse:
    """A ZIP of the dossier's originals whose reference date falls in `year`, with `manifest.csv`."""
    dossier = visible(session, principal, Dossier, dossier_id, "dossier")
    session.close()  # the stream reads in pages of its own; hold no connection while it runs
    filename = f"bordereau-{dossier.id}-{year}.zip"
    return StreamingResponse(iter_export(resources.engine, resources.store, dossier.id, year),
                             media_type="application/zip",
                             headers={"Content-Disposition": content_disposition(filename)})
