"""Operators' view of the purge: the dry run, past runs, integrity reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.bounds import IdPath, Offset
from api.deps import OperatorDep, ResourcesDep, SessionDep
from api.problems import ApiCode, Problem
from api.schemas import Page
from ingest.history import runs
from ingest.history.integrity import report_dict
from ingest.history.purge import as_of_from_date, preview
from ingest.history.tables import PurgeRun, PurgeRunDossier
from ingest.platform.columns import utcnow

router = APIRouter(prefix="/v1/purge", tags=["purge"])


class DossierTallyPublic(BaseModel):
    dossier_id: str
    account_id: str
    name: str
    documents: int
    bytes: int


class PurgePreviewPublic(BaseModel):
    as_of: datetime
    history_start: date
    documents: int
    bytes: int
    dossiers: list[DossierTallyPublic]
    held: list[DossierTallyPublic]


class RunDossierPublic(BaseModel):
    dossier_id: str
    account_id: str
    documents: int
    bytes: int


class PurgeRunPublic(BaseModel):
    id: str
    state: str
    as_of: datetime
    history_start: date
    started_at: datetime
    ended_at: datetime | None
    documents: int
    bytes: int
    objects: int
    failure_count: int
    failures: list[Any]
    message: str | None
    dossiers: list[RunDossierPublic] | None = None


def _tallies(items: list[Any]) -> list[DossierTallyPublic]:
    return [DossierTallyPublic(dossier_id=t.dossier_id, account_id=t.account_id, name=t.name,
                               documents=t.documents, bytes=t.bytes) for t in items]


@router.get("/preview", response_model=PurgePreviewPublic)
def purge_preview(_: OperatorDep, resources: ResourcesDep, as_of: date | None = None) -> PurgePreviewPublic:
    """What a purge on `as_of` (a Paris date; default now) would remove, by dossier."""
    p = preview(resources.engine, as_of_from_date(as_of) if as_of else utcnow())
    return PurgePreviewPublic(as_of=p.as_of, history_start=p.history_start, documents=p.documents, bytes=p.bytes,
                              dossiers=_tallies(p.dossiers), held=_tallies(p.held))


def _run_public(run: PurgeRun, dossiers: list[PurgeRunDossier] | None = None) -> PurgeRunPublic:
    return PurgeRunPublic(
        id=run.id, state=run.state, as_of=run.as_of, history_start=run.history_start, started_at=run.started_at,
        ended_at=run.ended_at, documents=run.documents, bytes=run.bytes, objects=run.objects,
        failure_count=run.failure_count, failures=run.failures or [], message=run.message,
        dossiers=None if dossiers is None else [RunDossierPublic(dossier_id=d.dossier_id, account_id=d.account_id,
                                                                 documents=d.documents, bytes=d.bytes)
                                                for d in dossiers])


@router.get("/runs", response_model=Page[PurgeRunPublic])
def list_runs(_: OperatorDep, session: SessionDep, limit: int = Query(50, ge=1, le=500),
              offset: Offset = 0) -> Page[PurgeRunPublic]:
    rows, total = runs.purge_runs(session, limit=limit, offset=offset)
    return Page[PurgeRunPublic].of([_run_public(r) for r in rows], total, limit, offset)


@router.get("/runs/{run_id}", response_model=PurgeRunPublic)
def get_run(run_id: IdPath, _: OperatorDep, session: SessionDep) -> PurgeRunPublic:
    found = runs.purge_run(session, run_id)
    if found is None:
        raise Problem(ApiCode.not_found, f"No purge run {run_id}.")
    return _run_public(*found)


@router.get("/integrity", response_model=Page[dict[str, Any]])
def list_integrity(_: OperatorDep, session: SessionDep, limit: int = Query(20, ge=1, le=200),
                   offset: Offset = 0) -> Page[dict[str, Any]]:
    """Integrity scans, newest first: orphans removed and rows whose original is missing."""
    rows, total = runs.integrity_reports(session, limit=limit, offset=offset)
    return Page[dict[str, Any]].of([report_dict(r) for r in rows], total, limit, offset)
