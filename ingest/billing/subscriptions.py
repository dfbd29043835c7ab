"""Subscriptions (docs/contract.md §4): the activation instant, and plan versions with their history.

A plan change never alters a period already started: it takes effect at the next period (before
activation, at period 0). Each change is a new ``plan_versions`` row; the plan of period k is the
newest version whose ``effective_period_index`` is <= k.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ingest.accounts.lifecycle import account_exists
from ingest.billing.tables import PlanVersion, Subscription
from ingest.contract.billing import Plan
from ingest.contract.periods import Period, period_at, period_bounds
from ingest.platform.columns import utcnow
from ingest.platform.errors import Code, DomainError


class BillingCode(Code):
    account_not_found = "account_not_found", "No such account."
    no_subscription = "no_subscription", "The account has no subscription, or no plan for that period."
    invalid_plan = "invalid_plan", "The plan's terms are not valid (counts and prices, within their limits)."
    activation_fixed = "activation_fixed", "The activation instant is set once; periods hang on it."
    naive_instant = "naive_instant", "An instant without a UTC offset names no instant."
    period_not_found = "period_not_found", "There is no such period (yet)."
    invalid_period = "invalid_period", "A period is an index, current or previous."
    statement_not_found = "statement_not_found", "No such statement."
    statement_corrected = "statement_corrected", "The statement was corrected already: correct its correction."


class BillingError(DomainError):
    """A subscription, plan, period or statement refused or not found (see `BillingCode`)."""


def valid_plan(terms: Mapping[str, int]) -> Plan:
    """The plan an operator asks for (``Plan``'s fields by name), or why it is refused."""
    try:
        return Plan(**terms)
    except (TypeError, ValueError) as exc:
        raise BillingError(BillingCode.invalid_plan, f"The plan is not valid: {exc}.") from exc


@dataclass(frozen=True)
class SubscriptionView:
    account_id: str
    activation_at: datetime
    current_period: Period | None  # None before activation
    plan: Plan | None  # in force now (None before activation)
    pending: PlanVersion | None  # a version taking effect at a later period
    history: list[PlanVersion]


def plan_of(version: PlanVersion) -> Plan:
    return Plan(version.packs, version.pack_size, version.pack_price_cents, version.named_users,
                version.extra_document_price_cents, version.extra_user_price_cents)


def get_subscription(session: Session, account_id: str) -> Subscription:
    sub = session.get(Subscription, account_id)
    if sub is None:
        raise BillingError(BillingCode.no_subscription,
                                "This account has no subscription yet.")
    return sub


def plan_history(session: Session, account_id: str) -> list[PlanVersion]:
    stmt = select(PlanVersion).where(PlanVersion.account_id == account_id).order_by(col(PlanVersion.id))
    return list(session.exec(stmt).all())


def version_for(history: list[PlanVersion], period_index: int) -> PlanVersion:
    """The version in force in ``period_index`` (history in creation order)."""
    in_force = [v for v in history if v.effective_period_index <= period_index]
    if not in_force:
        raise BillingError(BillingCode.no_subscription, "No plan is in force for that period.")
    return max(in_force, key=lambda v: (v.effective_period_index, v.id or 0))


def current_period(activation: datetime, now: datetime) -> Period | None:
    return period_at(activation, now) if now >= activation else None


def set_plan(session: Session, account_id: str, terms: Mapping[str, int], *, activation: datetime | None = None,
             now: datetime | None = None, by: str | None = None) -> PlanVersion:
    """Record a plan version (commits). The first call also fixes the activation instant
    (``activation`` or now); a later call may repeat the same activation, never move it."""
    now = now or utcnow()
    plan = valid_plan(terms)
    if not account_exists(session, account_id):
        raise BillingError(BillingCode.account_not_found, f"No account {account_id}.")
    if activation is not None and (activation.tzinfo is None or activation.utcoffset() is None):
        raise BillingError(BillingCode.naive_instant,
                                "The activation instant needs a UTC offset (ISO 8601, e.g. +01:00).")
    sub = session.get(Subscription, account_id)
    first = sub is None
    if sub is None:
        sub = Subscription(account_id=account_id, activation_at=activation or now)
        session.add(sub)
        session.flush()
    elif activation is not None and activation != sub.activation_at:
        raise BillingError(BillingCode.activation_fixed,
                                f"The activation is fixed at {sub.activation_at.isoformat()}; periods hang on it.")
    period = current_period(sub.activation_at, now)
    # The first plan holds from activation (even one in the past); a change waits for the next period.
    effective = 0 if first or period is None else period.index + 1
    version = PlanVersion(account_id=account_id, effective_period_index=effective, created_by=by,
                          packs=plan.packs, pack_size=plan.pack_size, pack_price_cents=plan.pack_price_cents,
                          named_users=plan.named_users, extra_document_price_cents=plan.extra_document_price_cents,
                          extra_user_price_cents=plan.extra_user_price_cents)
    session.add(version)
    session.commit()
    return version


def view_subscription(session: Session, account_id: str, now: datetime | None = None) -> SubscriptionView:
    now = now or utcnow()
    sub = get_subscription(session, account_id)
    history = plan_history(session, account_id)
    period = current_period(sub.activation_at, now)
    index = period.index if period else -1
    plan = plan_of(version_for(history, index)) if period else None
    later = [v for v in history if v.effective_period_index > index]
    pending = max(later, key=lambda v: (v.effective_period_index, v.id or 0)) if later else None
    return SubscriptionView(account_id, sub.activation_at, period, plan, pending, history)


def bounds(activation: datetime, index: int) -> Period:
    start, end = period_bounds(activation, index)
    return Period(index=index, start=start, end=end)
