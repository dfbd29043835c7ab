"""Credit claims (docs/contract.md §3): filing, the decision at the month's close, and what billing reads.

A client files at most one claim per month. It is accepted while a claim window is open: from
the end of one of the month's KO hours to 7 days later (``claim_window_open``).

The decision: the hourly close job decides every pending claim whose month has ended, at its
first run after the end of the month (Paris calendar). A claim filed after that (the window of
a KO hour late in the month runs into the next month) is decided at the job's next run. The
figures are the month's as stored at that moment and are kept on the claim; measurements
imported afterwards do not reopen a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ingest.accounts.principal import Principal, scoped
from ingest.availability.report import month_ended, month_report
from ingest.availability.tables import ClaimOutcome, CreditClaim
from ingest.contract.availability import (
    CLAIM_WINDOW,
    AvailabilityReport,
    claim_window_open,
    parse_month,
)
from ingest.contract.calendar import PARIS
from ingest.platform.errors import Code, DomainError
from ingest.platform.pages import fetch_page


class CreditClaimCode(Code):
    clients_only = "clients_only", "Credit claims are filed by a client account."
    invalid_month = "invalid_month", "A month is YYYY-MM, from 2000 to 2999."
    no_ko_hour = "no_ko_hour", "The month has no KO hour so far: there is nothing to claim."
    claim_window_closed = "claim_window_closed", "Claims are accepted within 7 days after the end of a KO hour."
    claim_exists = "claim_exists", "Your account has already filed a claim for that month."


class CreditClaimError(DomainError):
    """A credit claim refused (see `CreditClaimCode`)."""


@dataclass(frozen=True)
class GrantedCredit:
    """A granted credit, for the statements: ``percent`` of that month's subscription fee."""

    month: str  # 'YYYY-MM'
    percent: int
    claim_id: str


def _paris(at: datetime) -> str:
    return at.astimezone(PARIS).isoformat()


def _check_window(report: AvailabilityReport, filed_at: datetime) -> None:
    ends = report.ko_hour_ends
    if not ends:
        raise CreditClaimError(CreditClaimCode.no_ko_hour,
                         f"{report.month} has no KO hour so far: there is nothing to claim.")
    if claim_window_open(ends, filed_at):
        return
    last = max(ends)
    raise CreditClaimError(CreditClaimCode.claim_window_closed,
                     f"The claim window for {report.month} is closed: its last KO hour ended at "
                     f"{_paris(last)} and claims were accepted until {_paris(last + CLAIM_WINDOW)}.")


def file_claim(session: Session, principal: Principal, month: str, now: datetime) -> CreditClaim:
    """File ``principal``'s account's claim for ``month`` at ``now`` (commits)."""
    if principal.is_operator or principal.account_id is None:
        raise CreditClaimError(CreditClaimCode.clients_only, "Credit claims are filed by a client account.")
    try:
        year, number = parse_month(month)
    except ValueError as error:
        raise CreditClaimError(CreditClaimCode.invalid_month, f"{error}.") from None
    month = f"{year:04d}-{number:02d}"
    if existing_claim(session, principal.account_id, month) is not None:
        raise _exists(month)
    _check_window(month_report(session, month, now), now)
    claim = CreditClaim(account_id=principal.account_id, filed_by=principal.user_id, month=month,
                        filed_at=now)
    session.add(claim)
    try:
        session.commit()
    except sa.exc.IntegrityError:  # the same claim filed at the same moment by a colleague
        session.rollback()
        raise _exists(month) from None
    return claim


def existing_claim(session: Session, account_id: str, month: str) -> CreditClaim | None:
    """The account's claim for `month` ('YYYY-MM'), if it filed one."""
    return session.exec(select(CreditClaim).where(CreditClaim.account_id == account_id,
                                                  CreditClaim.month == month)).first()


def _exists(month: str) -> CreditClaimError:
    return CreditClaimError(CreditClaimCode.claim_exists,
                      f"Your account has already filed a claim for {month}; see GET /v1/credit-claims.")


def decide_claims(session: Session, now: datetime) -> int:
    """Decide every pending claim whose month has ended (commits); returns how many.

    Safe to run twice: a decided claim is never pending again. One report per month."""
    pending = session.exec(select(CreditClaim).where(CreditClaim.outcome == ClaimOutcome.pending)).all()
    reports: dict[str, AvailabilityReport] = {}
    decided = 0
    for claim in pending:
        if not month_ended(claim.month, now):
            continue
        report = reports.get(claim.month) or month_report(session, claim.month, now)
        reports[claim.month] = report
        _decide(claim, report, now)
        decided += 1
    session.commit()
    return decided


def _decide(claim: CreditClaim, report: AvailabilityReport, now: datetime) -> None:
    claim.outcome = ClaimOutcome.granted if report.credit_percent else ClaimOutcome.refused
    claim.credit_percent = report.credit_percent
    claim.counted_hours, claim.ko_hours = report.counted_hours, report.ko_hours
    claim.availability_percent = f"{report.availability_percent:.2f}"
    claim.decided_at = now


def outcome_message(claim: CreditClaim) -> str:
    """A sentence for the claim's state."""
    if claim.outcome == ClaimOutcome.pending:
        return f"Filed; it will be decided when {claim.month} has ended."
    figures = f"{claim.month} closed at {claim.availability_percent} % ({claim.ko_hours} KO hours " \
              f"out of {claim.counted_hours} counted)"
    if claim.outcome == ClaimOutcome.granted:
        return f"{figures}, below 98 %: a credit of {claim.credit_percent} % of that month's fee " \
               "appears on the next statement."
    return f"{figures}, not below 98 %: no credit."


def visible_claims(session: Session, principal: Principal, *, limit: int,
                   offset: int) -> tuple[list[CreditClaim], int]:
    """The claims ``principal`` may see (its account's, or all for operators), newest month first."""
    stmt = scoped(select(CreditClaim), CreditClaim.account_id, principal)
    return fetch_page(session, stmt, col(CreditClaim.month).desc(), col(CreditClaim.filed_at), limit=limit,
                      offset=offset)


def granted_credits(session: Session, account_id: str) -> list[GrantedCredit]:
    """The account's granted credits, oldest month first (read by the statements)."""
    rows = session.exec(select(CreditClaim).where(CreditClaim.account_id == account_id,
                                                  CreditClaim.outcome == ClaimOutcome.granted)
                        .order_by(CreditClaim.month)).all()
    return [GrantedCredit(month=c.month, percent=c.credit_percent or 0, claim_id=c.id) for c in rows]
