"""A dossier's two-year history as a page (the twin of ``api/routes/history.py``; docs/contract.md §5).

What the purge of the next 1 January will remove, counted by month of reference date, read through
the same selection as ``GET /v1/dossiers/{id}/expiring`` and on the same clock (`history_api.now`,
which a test moves to 1 December); when the documents of the current year will go in their turn;
and the yearly exports, which are the API's own streamed ZIP (``GET /v1/dossiers/{id}/export``
answers the session cookie; a download changes nothing, so it needs no CSRF token).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.access import visible
from api.bounds import IdPath
from api.deps import SessionDep
from api.problems import Problem
from api.routes import history as history_api
from api.web.auth import Viewer, ViewerDep
from api.web.pages_work import NotVisible
from api.web.render import PARIS, Page, language, locale_of, render
from ingest.accounts.tables import Dossier
from ingest.contract.retention import ExpiryNotice, expiring_notice, history_start
from ingest.history.expiring import expiring_by_month

router = APIRouter(prefix="/app", include_in_schema=False)


def day(value: date, lang: str) -> str:
    """A date as the pages write one: ``01/01/2027``."""
    return format_date(value, "dd/MM/yyyy", locale=locale_of(lang))


def month(value: date, lang: str) -> str:
    """A month as a heading of a row: ``Mars 2025``."""
    text = format_date(value, "LLLL yyyy", locale=locale_of(lang))
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Wave:
    """The next purge's wave for the dossier: when, which years, how many documents by month."""

    notice: ExpiryNotice
    months: list[tuple[date, int]]
    held: bool

    @property
    def total(self) -> int:
        return sum(n for _, n in self.months)


def _visible_dossier(session: Session, viewer: Viewer, dossier_id: str) -> Dossier:
    """The API's own rule (`api.access.visible`: the account, then the user's dossiers), as a page."""
    try:
        return visible(session, viewer.principal, Dossier, dossier_id, "dossier")
    except Problem as exc:
        raise NotVisible(dossier_id) from exc


def following_notice(notice: ExpiryNotice) -> ExpiryNotice:
    """The wave after `notice`'s, asked of the contract's own rule on the day after its purge: when
    the documents of the current year go in their turn."""
    purge = notice.purge_on
    return expiring_notice(datetime(purge.year, purge.month, purge.day, 12, tzinfo=PARIS))


def export_years(now: datetime, wave: Wave) -> list[int]:
    """The years a client may want to take away: each year of the history, and any older year the
    wave still holds (documents waiting for the purge, or kept by a legal hold that was lifted)."""
    years = set(range(history_start(now).year, wave.notice.purge_on.year))
    years.update(m.year for m, _ in wave.months)
    return sorted(years)


@router.get("/dossiers/{dossier_id}/history", response_class=HTMLResponse)
def dossier_history(request: Request, dossier_id: IdPath, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    dossier = _visible_dossier(session, viewer, dossier_id)
    now = history_api.now()
    notice = expiring_notice(now)
    wave = Wave(notice, expiring_by_month(session, dossier, notice), dossier.legal_hold)
    page = Page(request, language(request), viewer.user, viewer.csrf)
    months = [(month(m, page.lang), n) for m, n in wave.months]
    return render(page, "history.html", dossier=dossier, wave=wave, months=months,
                  purge_on=day(notice.purge_on, page.lang), following=following_notice(notice),
                  following_on=day(following_notice(notice).purge_on, page.lang), years=export_years(now, wave))
