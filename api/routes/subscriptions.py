"""Subscriptions: operators set an account's plan; an account reads its own."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.bounds import IdPath, Instant, OperatorsAccount
from api.deps import OperatorDep, PrincipalDep, SessionDep, target_account
from ingest.billing.subscriptions import set_plan, view_subscription
from ingest.billing.tables import PlanVersion
from ingest.contract.billing import PLAN_LIMITS
from ingest.contract.periods import PARIS, Period

router = APIRouter(tags=["billing"])


class PlanBody(BaseModel):
    packs: int = Field(ge=0, le=PLAN_LIMITS["packs"])
    pack_size: int = Field(ge=1, le=PLAN_LIMITS["pack_size"], description="Documents per pack and period")
    pack_price_cents: int = Field(ge=0, le=PLAN_LIMITS["pack_price_cents"],
                                  description="Price of one pack per period, in euro cents")
    named_users: int = Field(ge=0, le=PLAN_LIMITS["named_users"])
    extra_document_price_cents: int = Field(ge=0, le=PLAN_LIMITS["extra_document_price_cents"],
                                            description="List price of an extra document")
    extra_user_price_cents: int = Field(ge=0, le=PLAN_LIMITS["extra_user_price_cents"],
                                        description="List price of an extra named user per period")


class PlanIn(PlanBody):
    activation: Instant | None = Field(None, description="ISO 8601 with offset; first time only (default now)")


class PlanVersionPublic(PlanBody):
    id: int
    effective_period_index: int
    created_at: datetime


class PeriodPublic(BaseModel):
    index: int
    start: datetime
    end: datetime


class SubscriptionPublic(BaseModel):
    account_id: str
    activation: datetime
    current_period: PeriodPublic | None
    plan: PlanBody | None
    allowance: int | None
    pending: PlanVersionPublic | None
    history: list[PlanVersionPublic]


def period_public(period: Period) -> PeriodPublic:
    # Bounds are shown in Paris time: periods are Paris wall-clock anniversaries.
    return PeriodPublic(index=period.index, start=period.start.astimezone(PARIS), end=period.end.astimezone(PARIS))


def version_public(v: PlanVersion) -> PlanVersionPublic:
    return PlanVersionPublic.model_validate(v, from_attributes=True)


def _public(session: Session, account_id: str) -> SubscriptionPublic:
    view = view_subscription(session, account_id)
    plan = PlanBody.model_validate(view.plan, from_attributes=True) if view.plan else None
    return SubscriptionPublic(
        account_id=account_id, activation=view.activation_at.astimezone(PARIS),
        current_period=period_public(view.current_period) if view.current_period else None,
        plan=plan, allowance=view.plan.allowance if view.plan else None,
        pending=version_public(view.pending) if view.pending else None,
        history=[version_public(v) for v in view.history])


@router.put("/v1/accounts/{account_id}/subscription", response_model=SubscriptionPublic)
def put_subscription(account_id: IdPath, body: PlanIn, operator: OperatorDep,
                     session: SessionDep) -> SubscriptionPublic:
    set_plan(session, account_id, body.model_dump(exclude={"activation"}), activation=body.activation,
             by=operator.user_id)
    return _public(session, account_id)


@router.get("/v1/subscription", response_model=SubscriptionPublic)
def get_subscription(principal: PrincipalDep, session: SessionDep,
                     account_id: OperatorsAccount = None) -> SubscriptionPublic:
    return _public(session, target_account(principal, account_id))
