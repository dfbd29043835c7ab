"""``/v1/credit-claims``: a client claims a month's credit; everyone sees the outcome
(docs/contract.md §3). The rules live in ``ingest.availability.credit_claims``."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.bounds import Offset
from api.deps import PrincipalDep, SessionDep
from api.routes.availability import NowDep
from api.schemas import Page
from ingest.availability.credit_claims import (
    file_claim,
    outcome_message,
    visible_claims,
)
from ingest.availability.tables import CreditClaim

router = APIRouter(prefix="/v1/credit-claims", tags=["credit claims"])


class ClaimCreate(BaseModel):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")


class ClaimPublic(BaseModel):
    id: str
    account_id: str
    month: str
    filed_at: datetime
    filed_by: str = Field(description="the user who filed it")
    outcome: str = Field(description="pending, granted or refused")
    message: str
    decided_at: datetime | None
    counted_hours: int | None
    ko_hours: int | None
    availability_percent: float | None = Field(description="the month's figure at the decision")
    credit_percent: int | None = Field(description="10 when granted, 0 when refused")


def claim_public(claim: CreditClaim) -> ClaimPublic:
    percent = float(claim.availability_percent) if claim.availability_percent is not None else None
    return ClaimPublic(id=claim.id, account_id=claim.account_id, month=claim.month, filed_at=claim.filed_at,
                       filed_by=claim.filed_by, outcome=claim.outcome, message=outcome_message(claim),
                       decided_at=claim.decided_at, counted_hours=claim.counted_hours, ko_hours=claim.ko_hours,
                       availability_percent=percent, credit_percent=claim.credit_percent)


@router.post("", status_code=201, response_model=ClaimPublic)
def create_claim(body: ClaimCreate, principal: PrincipalDep, session: SessionDep, now: NowDep) -> ClaimPublic:
    claim = file_claim(session, principal, body.month, now)
    return claim_public(claim)


@router.get("", response_model=Page[ClaimPublic])
def list_claims(principal: PrincipalDep, session: SessionDep,
                limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Page[ClaimPublic]:
    """The account's claims (operators: every account's), newest month first."""
    rows, total = visible_claims(session, principal, limit=limit, offset=offset)
    return Page[ClaimPublic].of([claim_public(c) for c in rows], total, limit, offset)
