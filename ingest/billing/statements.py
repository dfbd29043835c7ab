"""Statements (docs/contract.md §4): issued at the start of each period, numbered, immutable.

The lines come from ``ingest.contract.billing.statement_lines``; this module gathers its inputs
(plans, usage of closed periods, named users, credits, what was billed) and stores the result.

- **Which earlier periods**: statements are issued in period order (a missed period is issued
  before the next one), so the statement of period k considers the periods from the previous
  regular statement's period to k - 1; older ones were considered by earlier statements.
- **Named users of a period**: the account's active users (admins and users) created before the
  period's end, counted at issuance. Users have no deactivation date, so a user deactivated
  since no longer counts for a period not yet billed.
- **Credits**: ``ingest.availability.credit_claims.granted_credits`` gives months ('YYYY-MM'); a month maps to the
  period whose start falls in it (period k starts in the k-th month after the activation's month,
  Paris time). A credit for the current period or later waits for a later statement.
- **Races**: two issuers of the same period collide on unique constraints; the loser rolls back
  and returns the winner's statement. Numbers are max + 1 in the same transaction: no gaps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ingest.accounts.principal import Principal, scoped
from ingest.accounts.users import named_users
from ingest.availability.credit_claims import GrantedCredit, granted_credits
from ingest.billing.subscriptions import (
    BillingCode,
    BillingError,
    bounds,
    get_subscription,
    plan_history,
    plan_of,
    version_for,
)
from ingest.billing.tables import BilledLine, Statement, StatementLine, Subscription
from ingest.billing.usage import consumed
from ingest.contract.billing import (
    BilledKey,
    Credit,
    Line,
    LineKind,
    PeriodUsage,
    Plan,
    billed_keys,
    statement_lines,
    statement_total,
)
from ingest.contract.periods import PARIS, period_index_at
from ingest.platform.columns import utcnow
from ingest.platform.pages import fetch_page

log = logging.getLogger(__name__)

REGULAR, CORRECTION = "regular", "correction"


# --- pure assembly ------------------------------------------------------------------------

def credit_period_index(activation: datetime, month: str) -> int | None:
    """The period whose start falls in calendar month ``month`` ('YYYY-MM', Paris time)."""
    year, mon = (int(part) for part in month.split("-"))
    local = activation.astimezone(PARIS)
    index = (year - local.year) * 12 + (mon - local.month)
    return index if index >= 0 else None


def credits_due(activation: datetime, period_index: int, granted: Sequence[GrantedCredit],
                plan_for: Callable[[int], Plan]) -> list[Credit]:
    """Granted credits that belong on the statement of ``period_index`` (one per period)."""
    by_period: dict[int, int] = {}
    for credit in granted:
        index = credit_period_index(activation, credit.month)
        if index is None:
            log.warning("credit %s for %s predates the activation; ignored", credit.claim_id, credit.month)
            continue
        if index < period_index:
            by_period[index] = max(by_period.get(index, 0), credit.percent)
    return [Credit(i, plan_for(i).fee_cents, pct) for i, pct in sorted(by_period.items())]


def assemble(period_index: int, activation: datetime, plan_for: Callable[[int], Plan],
             earlier: Sequence[PeriodUsage], already_billed: set[BilledKey],
             granted: Sequence[GrantedCredit] = ()) -> list[Line]:
    credits = credits_due(activation, period_index, granted, plan_for)
    return statement_lines(period_index, plan_for(period_index), earlier, already_billed, credits)


# --- reading the inputs -------------------------------------------------------------------



def billed(session: Session, account_id: str, exclude_statement: str | None = None) -> set[BilledKey]:
    stmt = select(BilledLine.period_index, BilledLine.kind).where(BilledLine.account_id == account_id)
    if exclude_statement:
        stmt = stmt.where(BilledLine.statement_id != exclude_statement)
    return {(int(i), str(k)) for i, k in session.exec(stmt).all()}


def _previous_regular(session: Session, account_id: str, period_index: int) -> int | None:
    stmt = select(sa.func.max(col(Statement.regular_period_index))).where(
        col(Statement.account_id) == account_id, col(Statement.regular_period_index) < period_index)
    return session.exec(stmt).one()


def compute_lines(session: Session, account_id: str, period_index: int,
                  exclude_statement: str | None = None) -> list[Line]:
    sub = get_subscription(session, account_id)
    history = plan_history(session, account_id)

    def plan_for(index: int) -> Plan:
        return plan_of(version_for(history, index))

    first = _previous_regular(session, account_id, period_index) or 0
    earlier = []
    for index in range(first, period_index):
        period = bounds(sub.activation_at, index)
        earlier.append(PeriodUsage(index, consumed(session, account_id, period),
                                   named_users(session, account_id, period.start, period.end), plan_for(index)))
    return assemble(period_index, sub.activation_at, plan_for, earlier,
                    billed(session, account_id, exclude_statement), granted_credits(session, account_id))


# --- issuing ------------------------------------------------------------------------------

def _next_number(session: Session, account_id: str) -> int:
    stmt = sa.select(sa.func.max(col(Statement.number))).where(col(Statement.account_id) == account_id)
    return int(session.execute(stmt).scalar_one() or 0) + 1


def _store(session: Session, statement: Statement, lines: Sequence[Line]) -> Statement:
    statement.total_cents = statement_total(lines)
    session.add(statement)
    session.flush()
    for position, line in enumerate(lines, start=1):
        session.add(StatementLine(statement_id=statement.id, position=position, kind=str(line.kind),
                                  period_index=line.period_index, quantity=line.quantity,
                                  unit_price_cents=str(line.unit_price_cents), amount_cents=line.amount_cents,
                                  label=line.label[:300]))
    return statement


def _mark_billed(session: Session, account_id: str, statement_id: str, lines: Sequence[Line]) -> None:
    """Record what `lines` bill, so that it is never billed again (docs/contract.md §4.4)."""
    session.add_all(BilledLine(account_id=account_id, period_index=index, kind=str(kind), statement_id=statement_id)
                    for index, kind in billed_keys(lines))


def regular_statement(session: Session, account_id: str, period_index: int) -> Statement | None:
    return session.exec(select(Statement).where(Statement.account_id == account_id,
                                                Statement.regular_period_index == period_index)).first()


def issue_regular(session: Session, account_id: str, period_index: int) -> tuple[Statement, bool]:
    """Issue the statement of ``period_index`` (commits); (statement, False) if it existed."""
    existing = regular_statement(session, account_id, period_index)
    if existing is not None:
        return existing, False
    sub = get_subscription(session, account_id)
    period = bounds(sub.activation_at, period_index)
    lines = compute_lines(session, account_id, period_index)
    statement = Statement(account_id=account_id, number=_next_number(session, account_id), kind=REGULAR,
                          period_index=period_index, regular_period_index=period_index,
                          period_start=period.start, period_end=period.end, total_cents=0)
    try:
        _store(session, statement, lines)
        _mark_billed(session, account_id, statement.id, lines)
        session.commit()
    except sa.exc.IntegrityError:
        # Another issuer won the race for this period (or this number): use its statement.
        session.rollback()
        winner = regular_statement(session, account_id, period_index)
        if winner is None:
            raise
        return winner, False
    return statement, True


def issue_due(session: Session, account_id: str, at: datetime | None = None) -> list[Statement]:
    """Issue every regular statement due at ``at`` (default now), oldest period first."""
    at = at or utcnow()
    sub = get_subscription(session, account_id)
    if at < sub.activation_at:
        return []
    current = period_index_at(sub.activation_at, at)
    last = session.execute(sa.select(sa.func.max(col(Statement.regular_period_index)))
                           .where(col(Statement.account_id) == account_id)).scalar_one()
    issued = []
    for index in range(0 if last is None else last + 1, current + 1):
        statement, new = issue_regular(session, account_id, index)
        if new:
            issued.append(statement)
    return issued


def issue_all_due(engine: Engine, at: datetime | None = None) -> int:
    """The beat job: issue the statements of every account whose new period has started."""
    at = at or utcnow()
    with Session(engine) as session:
        rows = session.execute(
            sa.select(col(Subscription.account_id), col(Subscription.activation_at),
                      sa.func.max(col(Statement.regular_period_index)))
            .outerjoin(Statement, col(Statement.account_id) == Subscription.account_id)
            .group_by(col(Subscription.account_id), col(Subscription.activation_at))).all()
    count = 0
    for account_id, activation, last in rows:
        if at < activation or (last is not None and period_index_at(activation, at) <= last):
            continue
        with Session(engine, expire_on_commit=False) as session:
            count += len(issue_due(session, account_id, at))
    return count


def issue_correction(session: Session, statement_id: str) -> Statement:
    """A correction of an issued statement (commits): it cancels what the statement billed and bills
    its period's lines again from today's data. The statement stays as it was.

    Only the latest of a chain is corrected: a statement corrected once is refused, and its
    correction is the one to correct (a unique constraint settles two operators racing)."""
    target = session.get(Statement, statement_id)
    if target is None:
        raise BillingError(BillingCode.statement_not_found, f"No statement {statement_id}.")
    if (later := correction_of(session, target.id)) is not None:
        raise _already_corrected(target, later)
    fresh = compute_lines(session, target.account_id, target.period_index, exclude_statement=target.id)
    cancels = [Line(LineKind(o.kind), o.period_index, -o.quantity, Decimal(o.unit_price_cents), -o.amount_cents,
                    f"Cancels statement {target.number}: {o.label}") for o in net_lines(session, target)]
    correction = Statement(account_id=target.account_id, number=_next_number(session, target.account_id),
                           kind=CORRECTION, period_index=target.period_index, period_start=target.period_start,
                           period_end=target.period_end, corrects_id=target.id, total_cents=0)
    _store(session, correction, [*cancels, *fresh])
    session.execute(sa.delete(BilledLine).where(col(BilledLine.statement_id) == target.id))
    _mark_billed(session, target.account_id, correction.id, fresh)
    try:
        session.commit()
    except sa.exc.IntegrityError:
        session.rollback()
        raise _already_corrected(target, correction_of(session, target.id)) from None
    return correction


def net_lines(session: Session, statement: Statement) -> list[StatementLine]:
    """What a statement bills of its own: every line of a regular statement; the lines of a
    correction after those cancelling its target's own lines (they come first)."""
    lines = lines_of(session, statement.id)
    target = session.get(Statement, statement.corrects_id) if statement.corrects_id else None
    return lines if target is None else lines[len(net_lines(session, target)):]


def correction_of(session: Session, statement_id: str) -> Statement | None:
    """The statement that corrects this one, if any (the statement page points to it)."""
    return session.exec(select(Statement).where(Statement.corrects_id == statement_id)).first()


def _already_corrected(target: Statement, later: Statement | None) -> BillingError:
    which = f"statement {later.number}" if later is not None else "another statement"
    return BillingError(BillingCode.statement_corrected,
                        f"Statement {target.number} was already corrected by {which}: correct that one instead.")


def lines_of(session: Session, statement_id: str) -> list[StatementLine]:
    stmt = select(StatementLine).where(StatementLine.statement_id == statement_id).order_by(
        col(StatementLine.position))
    return list(session.exec(stmt).all())


def list_statements(session: Session, principal: Principal, *, account_id: str | None = None, limit: int,
                    offset: int) -> tuple[list[Statement], int]:
    """The statements the principal sees (of one account if asked), by account, newest first."""
    stmt = scoped(select(Statement), Statement.account_id, principal)
    if account_id:
        stmt = stmt.where(Statement.account_id == account_id)
    return fetch_page(session, stmt, col(Statement.account_id), col(Statement.number).desc(), limit=limit,
                      offset=offset)
