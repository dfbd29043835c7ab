"""Usage of a period against its allowance, with the warnings reached."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.bounds import OperatorsAccount
from api.deps import PrincipalDep, SessionDep, target_account
from api.routes.subscriptions import (
    PeriodPublic,
    period_public,
)
from ingest.billing.usage import read_usage
from ingest.contract.periods import PARIS

router = APIRouter(tags=["billing"])


class WarningPublic(BaseModel):
    threshold: int
    reached_at: datetime
    recorded_at: datetime


class UsagePublic(BaseModel):
    account_id: str
    period: PeriodPublic
    allowance: int
    consumed: int
    remaining: int
    overage: int
    warnings: list[WarningPublic]


@router.get("/v1/usage", response_model=UsagePublic)
def get_usage(principal: PrincipalDep, session: SessionDep,
              period: str = Query("current", pattern=r"^(current|previous|\d{1,6})$",
                                  description="A period index, current or previous"),
              account_id: OperatorsAccount = None) -> UsagePublic:
    account = target_account(principal, account_id)
    usage = read_usage(session, account, period)
    s = usage.summary
    return UsagePublic(
        account_id=account, period=period_public(usage.period), allowance=s.allowance, consumed=s.consumed,
        remaining=s.remaining, overage=s.overage,
        warnings=[WarningPublic(threshold=w.threshold, reached_at=w.reached_at.astimezone(PARIS),
                                recorded_at=w.recorded_at.astimezone(PARIS)) for w in usage.warnings])
