from __future__ import annotations

from fastapi import APIRouter, Query

from api.access import visible
from api.bounds import IdPath, Offset
from api.deps import PrincipalDep, SessionDep
from api.schemas import DossierCreate, DossierPublic, Page
from ingest.accounts import dossiers
from ingest.accounts.tables import Dossier

router = APIRouter(prefix="/v1/dossiers", tags=["dossiers"])


def _public(d: Dossier) -> DossierPublic:
    return DossierPublic(id=d.id, name=d.name, siren=d.siren, created_at=d.created_at)


@router.post("", status_code=201, response_model=DossierPublic)
def create_dossier(body: DossierCreate, principal: PrincipalDep, session: SessionDep) -> DossierPublic:
    return _public(dossiers.open_dossier(session, principal, body.name, body.siren))


@router.get("", response_model=Page[DossierPublic])
def list_dossiers(principal: PrincipalDep, session: SessionDep, limit: int = Query(50, ge=1, le=500),
                  offset: Offset = 0) -> Page[DossierPublic]:
    rows, total = dossiers.list_dossiers(session, principal, limit=limit, offset=offset)
    return Page[DossierPublic].of([_public(d) for d in rows], total, limit, offset)


@router.get("/{dossier_id}", response_model=DossierPublic)
def get_dossier(dossier_id: IdPath, principal: PrincipalDep, session: SessionDep) -> DossierPublic:
    return _public(visible(session, principal, Dossier, dossier_id, "dossier"))
