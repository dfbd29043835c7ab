from __future__ import annotations

from fastapi import APIRouter, Query
from sqlmodel import func, select
from stdnum.fr import siren as siren_check

from api.access import visible
from api.deps import PrincipalDep, SessionDep
from api.problems import Problem
from api.schemas import DossierCreate, DossierPublic, Page
from ingest.accounts.tables import Dossier

router = APIRouter(prefix="/v1/dossiers", tags=["dossiers"])


def _public(d: Dossier) -> DossierPublic:
    return DossierPublic(id=d.id, name=d.name, siren=d.siren, created_at=d.created_at)


@router.post("", status_code=201, response_model=DossierPublic)
def create_dossier(body: DossierCreate, principal: PrincipalDep, session: SessionDep) -> DossierPublic:
    if principal.account_id is None:
        raise Problem(403, "no_account", "Operators have no dossiers: use a client's key.")
    siren = None
    if body.siren:
        siren = siren_check.compact(body.siren)
        if not siren_check.is_valid(siren):
            raise Problem(422, "invalid_siren", f"'{body.siren}' is not a valid SIREN (9 digits, Luhn check).")
    dossier = Dossier(account_id=principal.account_id, name=body.name.strip(), siren=siren)
    session.add(dossier)
    session.commit()
    return _public(dossier)


@router.get("", response_model=Page[DossierPublic])
def list_dossiers(principal: PrincipalDep, session: SessionDep, limit: int = Query(50, ge=1, le=500),
                  offset: int = Query(0, ge=0)) -> Page[DossierPublic]:
    where = Dossier.account_id == principal.account_id
    total = session.exec(select(func.count()).select_from(Dossier).where(where)).one()
    rows = session.exec(select(Dossier).where(where).order_by(Dossier.created_at, Dossier.id)
                        .offset(offset).limit(limit)).all()
    return Page[DossierPublic].of([_public(d) for d in rows], total, limit, offset)


@router.get("/{dossier_id}", response_model=DossierPublic)
def get_dossier(dossier_id: str, principal: PrincipalDep, session: SessionDep) -> DossierPublic:
    return _public(visible(session, principal, Dossier, dossier_id, "dossier"))
