"""The operators' console (`/app/ops`): the provider's day on one page.

First what may break a commitment: daily batches late or at risk across every account (late first,
then soonest due), support requests whose deadline is near or passed; then the service's own health
(the probes' last hour, the month's availability so far), the maintenance windows to come with the
form that announces one, and the accounts with their plans and the current period's usage.

Reserved to operators, as the API routes it reads are: anyone else gets the error page (403).
Everything is read through the same use cases as the API (`/v1/sla/daily`,
`/v1/support-requests/attention`, `/v1/probes/measurements`, `/v1/maintenance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.bounds import Offset
from api.deps import SessionDep
from api.routes.availability import NowDep
from api.web.auth import Refused, Viewer, ViewerDep, form_is_ours
from api.web.pages_account import refusal
from api.web.render import PARIS, Page, language, locale_of, render
from ingest.accounts.lifecycle import account_names, list_accounts
from ingest.accounts.tables import Account
from ingest.availability.probes import stored_measurements
from ingest.availability.report import current_month, month_report
from ingest.billing.subscriptions import view_subscription
from ingest.billing.tables import Subscription
from ingest.billing.usage import consumed
from ingest.contract.availability import PROBES, Measurement
from ingest.flow import reports
from ingest.flow.classification import SlaState
from ingest.platform.models import Batch
from ingest.support import maintenance
from ingest.support.requests import needing_attention

router = APIRouter(prefix="/app", include_in_schema=False)
PAGE_SIZE = 25
WATCH_LIMIT = 50


def _operator(viewer: Viewer) -> Viewer:
    """The console is the operators': anyone else is refused (403), as the API refuses them."""
    if not viewer.principal.is_operator:
        raise Refused(viewer, 403, "error.operators_only")
    return viewer


@dataclass(frozen=True)
class AccountLine:
    account: Account
    packs: int | None
    allowance: int | None
    consumed: int | None


@dataclass(frozen=True)
class ProbeLine:
    probe: str
    measured: int
    ok: int
    last_at: datetime | None


def _watched(session: Session, viewer: Viewer) -> list[tuple[Batch, str, int]]:
    """Daily batches late (unfinished past due) first, then at risk, then missed; soonest due first."""
    rows, _ = reports.watched_daily_batches(session, viewer.principal, states=reports.WATCHED,
                                            limit=WATCH_LIMIT, offset=0)
    late = reports.late_documents(session, [b.id for b in rows])

    def standing(b: Batch) -> str:
        if b.sla_state == SlaState.breached:
            return "missed" if b.finished_at else "late"
        return "at_risk"

    order = {"late": 0, "at_risk": 1, "missed": 2}
    items = [(b, standing(b), late.get(b.id, 0)) for b in rows]
    return sorted(items, key=lambda item: order[item[1]])


def _probes(session: Session, now: datetime) -> list[ProbeLine]:
    lines = []
    for probe in PROBES:
        rows, _ = stored_measurements(session, probe=probe, since=now - timedelta(hours=1), limit=100, offset=0)
        ok = sum(1 for r in rows if Measurement(r.probe, r.at, r.status, r.latency_ms).ok)
        lines.append(ProbeLine(probe, len(rows), ok, rows[0].at if rows else None))
    return lines


def _accounts(session: Session, now: datetime, offset: int) -> tuple[list[AccountLine], int]:
    rows, total = list_accounts(session, limit=PAGE_SIZE, offset=offset)
    lines = []
    for account in rows:
        view = view_subscription(session, account.id, now) if session.get(Subscription, account.id) else None
        if view is None or view.plan is None or view.current_period is None:
            lines.append(AccountLine(account, None, None, None))
            continue
        lines.append(AccountLine(account, view.plan.packs, view.plan.packs * view.plan.pack_size,
                                 consumed(session, account.id, view.current_period)))
    return lines, total


def _context(session: Session, viewer: Viewer, now: datetime, offset: int) -> dict[str, Any]:
    accounts, total = _accounts(session, now, offset)
    windows, _ = maintenance.list_windows(session, upcoming_at=now, limit=20, offset=0)
    watched, attention = _watched(session, viewer), needing_attention(session, now)
    names = account_names(session, {b.account_id for b, *_ in watched} | {r.account_id for r, _ in attention})
    return {"watched": watched, "attention": attention, "names": names,
            "probes": _probes(session, now), "availability": month_report(session, current_month(now), now),
            "windows": windows, "accounts": accounts, "total": total, "offset": offset, "size": PAGE_SIZE}


def _console(request: Request, viewer: Viewer, session: Session, now: datetime, offset: int = 0,
             error: str | None = None, status: int = 200, form: dict[str, str] | None = None) -> HTMLResponse:
    page = Page(request, language(request), viewer.user, viewer.csrf)
    context = _context(session, _operator(viewer), now, offset)
    rate = format_decimal(context["availability"].availability_percent, "0.00", locale=locale_of(page.lang))
    return render(page, "ops.html", status=status, error=error, form=form or {}, rate=rate, **context)


@router.get("/ops", response_class=HTMLResponse)
def console(request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep, offset: Offset = 0) -> HTMLResponse:
    return _console(request, viewer, session, now, offset)


def _paris_instant(value: str) -> datetime:
    """A `datetime-local` field (Paris wall time, as the form says) as an aware instant."""
    return datetime.fromisoformat(value).replace(tzinfo=PARIS)


@router.post("/ops/maintenance", response_model=None)
def announce(request: Request, viewer: ViewerDep, session: SessionDep, now: NowDep,
             starts_at: Annotated[str, Form(max_length=40)], ends_at: Annotated[str, Form(max_length=40)],
             description: Annotated[str, Form(max_length=2000)] = "",
             csrf_token: Annotated[str | None, Form(max_length=200)] = None) -> Response:
    _operator(viewer)
    page = Page(request, language(request), viewer.user, viewer.csrf)
    form = {"starts_at": starts_at, "ends_at": ends_at, "description": description}
    if not form_is_ours(request, csrf_token):
        return _console(request, viewer, session, now, error=page.t("error.csrf"), status=403, form=form)
    try:
        start, end = _paris_instant(starts_at), _paris_instant(ends_at)
    except ValueError:
        return _console(request, viewer, session, now, error=page.t("ops.bad_instant"), status=422, form=form)
    try:
        maintenance.announce_window(session, viewer.principal, starts_at=start, ends_at=end,
                                    description=description, now=now)
    except maintenance.MaintenanceError as exc:
        return _console(request, viewer, session, now, error=refusal(page, exc), status=422, form=form)
    return RedirectResponse("/app/ops#maintenance", status_code=303)
