"""The account's usage and statements, as pages (the twins of ``api/routes/usage.py`` and
``api/routes/statements.py``).

They read through the same use cases and the same rules as the JSON routes: every user of an account
sees its usage and its statements (a user limited to some dossiers too: they are account-wide);
another account's statement answers 404; an operator, who belongs to no account, names one with
``?account_id=`` for the usage, exactly as the API asks. The statement's CSV is the API's own
(``/v1/statements/{id}.csv`` answers a session cookie); its PDF is drawn here, from the same lines.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from api.access import visible
from api.bounds import IdPath, Offset, OperatorsAccount
from api.deps import SessionDep, target_account
from api.downloads import content_disposition
from api.problems import ApiCode, Problem
from api.web.auth import Viewer, ViewerDep
from api.web.billing_view import ShownStatement, day, sheet, show_statement, span, totals, unit_euros
from api.web.pages_work import NotVisible
from api.web.render import Page, language, render
from ingest.accounts.tables import Account
from ingest.billing import statements
from ingest.billing.statement_pdf import StatementFontMissing, statement_pdf
from ingest.billing.subscriptions import BillingCode, BillingError, SubscriptionView, bounds, view_subscription
from ingest.billing.tables import Statement
from ingest.billing.usage import Usage, past_periods, read_usage
from ingest.contract.billing import Plan, document_overage_cents, surcharged
from ingest.platform.columns import utcnow

router = APIRouter(prefix="/app", include_in_schema=False)
log = logging.getLogger(__name__)
PAGE_SIZE = 25
PAST_PERIODS = 12  # a year of monthly periods per page


def _page(request: Request, viewer: Viewer) -> Page:
    return Page(request, language(request), viewer.user, viewer.csrf)


def _refused(page: Page, problem: Problem) -> HTMLResponse:
    """The API's refusal of the same request, as a page: same status, a sentence of ours."""
    if problem.code == ApiCode.not_found:
        raise NotVisible(problem.detail)
    return render(page, "error.html", status=problem.status, message_key=f"usage.refused.{problem.code}")


# --- usage --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gauge:
    """The current period's consumption drawn as a bar: its width in steps of 5 % (the CSP refuses
    inline widths, so the sheet has a class per step) and its level (below 80 %, from 80 %, over)."""

    width: int
    level: str

    @classmethod
    def of(cls, allowance: int, consumed: int) -> Gauge:
        share = 100 if allowance == 0 and consumed else 0 if allowance == 0 else 100 * consumed / allowance
        level = "over" if consumed > allowance else "near" if share >= 80 else "ok"
        return cls(min(100, int(5 * round(share / 5))), level)


def _plan_figures(page: Page, plan: Plan) -> dict[str, str]:
    """The plan's terms as the page writes them."""
    return {"packs": page.number(plan.packs), "size": page.number(plan.pack_size),
            "allowance": page.number(plan.allowance), "pack_price": page.euros(plan.pack_price_cents),
            "fee": page.euros(plan.fee_cents), "users": page.number(plan.named_users),
            "doc_list": unit_euros(plan.extra_document_price_cents, page.lang),
            "doc_unit": unit_euros(surcharged(plan.extra_document_price_cents), page.lang),
            "user_list": unit_euros(plan.extra_user_price_cents, page.lang),
            "user_unit": unit_euros(surcharged(plan.extra_user_price_cents), page.lang)}


def _current(page: Page, view: SubscriptionView, usage: Usage) -> dict[str, Any]:
    s, plan = usage.summary, view.plan
    assert plan is not None  # a current period has a plan in force
    return {"period": usage.period, "summary": s, "gauge": Gauge.of(s.allowance, s.consumed),
            "overage_cents": document_overage_cents(plan, s.consumed), "plan": _plan_figures(page, plan),
            "warnings": usage.warnings, "span": span(page, usage.period.start, usage.period.end)}


def _pending(page: Page, view: SubscriptionView) -> dict[str, Any] | None:
    """A plan change waiting for a later period: from when, and its packs."""
    if view.pending is None:
        return None
    start = bounds(view.activation_at, view.pending.effective_period_index).start
    return {"from": start, "packs": page.number(view.pending.packs), "size": page.number(view.pending.pack_size)}


def _usage_context(session: Session, page: Page, account_id: str, offset: int) -> dict[str, Any]:
    """Everything the usage page shows; an account with no subscription (or one not started yet)
    gets only what it has."""
    now = utcnow()
    account = session.get(Account, account_id)
    context: dict[str, Any] = {"account": account, "view": None, "current": None, "pending": None, "past": [],
                               "past_total": 0, "offset": offset, "size": PAST_PERIODS}
    try:
        view = view_subscription(session, account_id, now)
    except BillingError as exc:
        if exc.code != BillingCode.no_subscription:
            raise
        return context
    context.update(view=view, pending=_pending(page, view))
    if view.current_period is None:
        return context
    context["current"] = _current(page, view, read_usage(session, account_id, "current", now))
    past, total = past_periods(session, account_id, limit=PAST_PERIODS, offset=offset, now=now)
    context.update(past=[(p, span(page, p.period.start, p.period.end)) for p in past], past_total=total)
    return context


@router.get("/usage", response_class=HTMLResponse)
def usage_page(request: Request, viewer: ViewerDep, session: SessionDep, account_id: OperatorsAccount = None,
               offset: Offset = 0) -> HTMLResponse:
    page = _page(request, viewer)
    try:
        account = target_account(viewer.principal, account_id)
    except Problem as exc:
        return _refused(page, exc)
    return render(page, "usage.html", operator=viewer.principal.is_operator,
                  **_usage_context(session, page, account, offset))


# --- statements ---------------------------------------------------------------------------------


def _visible_statement(session: Session, viewer: Viewer, statement_id: str) -> Statement:
    """The API's own rule (`api.access.visible`), answered as a page."""
    try:
        return visible(session, viewer.principal, Statement, statement_id, "statement")
    except Problem as exc:
        raise NotVisible(statement_id) from exc


def _account_names(session: Session, rows: list[Statement]) -> dict[str, str]:
    """Operators see every account's statements: the list names each account."""
    names = {}
    for account_id in {s.account_id for s in rows}:
        account = session.get(Account, account_id)
        names[account_id] = account.name if account else account_id
    return names


@router.get("/statements", response_class=HTMLResponse)
def statement_list(request: Request, viewer: ViewerDep, session: SessionDep, account_id: OperatorsAccount = None,
                   offset: Offset = 0) -> HTMLResponse:
    page = _page(request, viewer)
    rows, total = statements.list_statements(session, viewer.principal, account_id=account_id, limit=PAGE_SIZE,
                                             offset=offset)
    operator = viewer.principal.is_operator
    items = [(s, span(page, s.period_start, s.period_end), day(s.issued_at)) for s in rows]
    return render(page, "statements.html", items=items, total=total, offset=offset, size=PAGE_SIZE,
                  operator=operator, names=_account_names(session, rows) if operator else {},
                  filters={"account_id": account_id or ""})


@router.get("/statements/{statement_id}.pdf", response_class=Response)
def statement_pdf_file(request: Request, statement_id: IdPath, viewer: ViewerDep, session: SessionDep) -> Response:
    """The statement as a PDF to file (drawn on each request from the stored lines: statements never
    change, so every copy is the same)."""
    page = _page(request, viewer)
    shown = show_statement(session, page, _visible_statement(session, viewer, statement_id))
    try:
        body = statement_pdf(sheet(page, shown))
    except StatementFontMissing as exc:
        log.error("%s", exc)
        return render(page, "error.html", status=503, message_key="statements.pdf_unavailable")
    name = page.t("statements.filename", number=shown.statement.number)
    return Response(body, media_type="application/pdf", headers={"Content-Disposition": content_disposition(name)})


@router.get("/statements/{statement_id}", response_class=HTMLResponse)
def statement_page(request: Request, statement_id: IdPath, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    page = _page(request, viewer)
    shown: ShownStatement = show_statement(session, page, _visible_statement(session, viewer, statement_id))
    s = shown.statement
    return render(page, "statement.html", shown=shown, s=s, totals=totals(page, shown),
                  span=span(page, s.period_start, s.period_end))
