"""The service's availability as a client checks it: a month's working hours as a grid (OK, KO,
maintenance, not counted yet), the month's rate and credit, and the claim button while a claim can
be filed (docs/contract.md §3). The figures are the API's (`GET /v1/availability`), from the same
use case; a claim is filed by the same rule as ``POST /v1/credit-claims``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.routes.availability import NowDep
from api.web.auth import Viewer, ViewerDep, form_is_ours
from api.web.pages_account import refusal
from api.web.render import PARIS, Page, language, locale_of, render
from ingest.availability.credit_claims import CreditClaimError, existing_claim, file_claim
from ingest.availability.report import current_month, month_ended, month_grid
from ingest.availability.tables import CreditClaim
from ingest.contract.availability import (
    CLAIM_WINDOW,
    FIRST_HOUR,
    LAST_HOUR,
    THRESHOLD_PERCENT,
    AvailabilityReport,
    HourState,
    claim_window_open,
    parse_month,
)

router = APIRouter(prefix="/app", include_in_schema=False)
MonthQuery = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")]


@dataclass(frozen=True)
class Day:
    """A working day of the month and the state of each of its counted hours, 9:00 to 17:00."""

    day: date
    label: str  # "lun. 02/11"
    hours: list[HourState]


def grid(states: list[tuple[datetime, HourState]], locale: str) -> list[Day]:
    by_day: dict[date, list[HourState]] = defaultdict(list)
    for start, state in states:
        by_day[start.astimezone(PARIS).date()].append(state)
    return [Day(day, format_date(day, "EEE dd/MM", locale=locale), hours) for day, hours in sorted(by_day.items())]


def _neighbour(month: str, step: int) -> str:
    year, number = parse_month(month)
    index = year * 12 + number - 1 + step
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _claim(session: Session, viewer: Viewer, month: str) -> CreditClaim | None:
    account = viewer.principal.account_id
    return existing_claim(session, account, month) if account else None


def _context(session: Session, viewer: Viewer, month: str, now: datetime, locale: str) -> dict[str, Any]:
    report, states = month_grid(session, month, now)
    claim = _claim(session, viewer, month)
    claimable = (claim is None and viewer.principal.account_id is not None
                 and claim_window_open(report.ko_hour_ends, now))
    following = _neighbour(month, 1)
    return {"month": month, "report": report, "days": grid(states, locale), "hours": range(FIRST_HOUR, LAST_HOUR + 1),
            "complete": month_ended(month, now), "claim": claim, "claimable": claimable,
            "claim_until": _claim_until(report), "threshold": int(THRESHOLD_PERCENT), "previous": _neighbour(month, -1),
            "next": following if following <= current_month(now) else None}


def _claim_until(report: AvailabilityReport) -> datetime | None:
    """The end of the claim window: 7 days after the month's last KO hour."""
    ends = report.ko_hour_ends
    return max(ends) + CLAIM_WINDOW if ends else None


def _page(request: Request, viewer: Viewer, session: Session, month: str, now: datetime,
          error: str | None = None, status: int = 200) -> HTMLResponse:
    page = Page(request, language(request), viewer.user, viewer.csrf)
    locale = locale_of(page.lang)
    context = _context(session, viewer, month, now, locale)
    rate = format_decimal(context["report"].availability_percent, "0.00", locale=locale)
    return render(page, "availability.html", status=status, error=error, rate=rate,
                  title_month=format_date(date(*parse_month(month), 1), "MMMM yyyy", locale=locale), **context)


@router.get("/availability", response_class=HTMLResponse)
def availability_page(request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep,
                      month: MonthQuery = None) -> HTMLResponse:
    month = month or current_month(now)
    try:
        parse_month(month)
    except ValueError:  # 2026-13, 1999-01: the current month, saying why
        page = Page(request, language(request))
        return _page(request, viewer, session, current_month(now), now, page.t("availability.bad_month"))
    return _page(request, viewer, session, month, now)


@router.post("/availability/claim", response_model=None)
def claim_credit(request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep,
                 month: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")],
                 csrf_token: Annotated[str | None, Form(max_length=200)] = None) -> Response:
    page = Page(request, language(request), viewer.user, viewer.csrf)
    if not form_is_ours(request, csrf_token):
        return _page(request, viewer, session, month, now, page.t("error.csrf"), 403)
    try:
        file_claim(session, viewer.principal, month, now)
    except CreditClaimError as exc:
        return _page(request, viewer, session, month, now, refusal(page, exc), 409)
    return RedirectResponse(page.url("/app/availability", month=month), status_code=303)
