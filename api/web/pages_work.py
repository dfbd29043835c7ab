"""Following work: dossiers with their figures, the batch list, a batch with its documents.

Each page reads through the same use cases and the same account rule as the JSON routes, so that a
page and the API never disagree on who sees what. The batch page's progress refreshes itself (htmx,
every few seconds) while the batch is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.access import visible
from api.bounds import IdPath, Offset
from api.deps import SessionDep
from api.problems import Problem
from api.web.auth import Viewer, ViewerDep
from api.web.render import PARIS, Page, language, render
from ingest.accounts import dossiers
from ingest.accounts.tables import Dossier, User
from ingest.contract.flow import BULK_MULTIPLE, DAILY_FLOOR, MAX_DAILY_DATE_SPREAD_DAYS
from ingest.intake import batches
from ingest.platform.models import Batch, DocumentState, Flow

router = APIRouter(prefix="/app", include_in_schema=False)
PAGE_SIZE = 25
# The figures the pages' sentences on flows quote (docs/contract.md §6).
FLOW_RULES = {"multiple": BULK_MULTIPLE, "floor": DAILY_FLOOR, "days": MAX_DAILY_DATE_SPREAD_DAYS}
REFRESH_SECONDS = 5


class NotVisible(Exception):
    """A row the viewer may not see: the page answers 404, as the API does."""


@dataclass(frozen=True)
class Progress:
    processed: int
    rejected: int
    failed: int
    waiting: int

    @property
    def total(self) -> int:
        return self.processed + self.rejected + self.failed + self.waiting

    def percent(self, part: int) -> float:
        return round(100 * part / self.total, 1) if self.total else 0.0

    @classmethod
    def of(cls, counts: dict[str, int]) -> Progress:
        finished = (DocumentState.processed, DocumentState.rejected, DocumentState.failed)
        waiting = sum(n for state, n in counts.items() if state not in finished)
        return cls(counts.get("processed", 0), counts.get("rejected", 0), counts.get("failed", 0), waiting)


def commitment(batch: Batch) -> str | None:
    """The daily commitment's state as a person reads it: late while unfinished past due, missed
    once finished late."""
    if batch.flow != Flow.daily or batch.sla_state is None:
        return None
    if batch.sla_state == "breached":
        return "missed" if batch.finished_at else "late"
    return batch.sla_state


def _visible_batch(session: Session, viewer: Viewer, batch_id: str) -> Batch:
    """The API's own rule (`api.access.visible`), answered as a page."""
    try:
        return visible(session, viewer.principal, Batch, batch_id, "batch")
    except Problem as exc:
        raise NotVisible(batch_id) from exc


@router.get("/", response_class=HTMLResponse)
def home(request: Request, viewer: ViewerDep, session: SessionDep, offset: Offset = 0) -> HTMLResponse:
    rows, total = dossiers.list_dossiers(session, viewer.principal, limit=PAGE_SIZE, offset=offset)
    figures = batches.dossier_figures(session, [d.id for d in rows])
    page = Page(request, language(request), viewer.user, viewer.csrf)
    return render(page, "dossiers.html", dossiers=rows, figures=figures, total=total, offset=offset,
                  size=PAGE_SIZE)


def _since(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC) if day else None


@router.get("/batches", response_class=HTMLResponse)
def batch_list(request: Request, viewer: ViewerDep, session: SessionDep,
               dossier: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{0,64}$")] = None,
               flow: Literal["daily", "bulk", ""] = "", state: Literal["open", "done", ""] = "",
               since: date | None = None, offset: Offset = 0) -> HTMLResponse:
    rows, total = batches.list_batches(session, viewer.principal, dossier_id=dossier or None, state=state or None,
                                       flow=flow or None, since=_since(since), limit=PAGE_SIZE, offset=offset)
    counts = batches.batch_counts(session, [b.id for b in rows])
    ended = batches.last_finished(session, [b.id for b in rows])
    choices, _ = dossiers.list_dossiers(session, viewer.principal, limit=500, offset=0)
    names = {d.id: d.name for d in choices}
    page = Page(request, language(request), viewer.user, viewer.csrf)
    items = [(b, Progress.of(counts[b.id]), batches.batch_state(counts[b.id]), commitment(b),
              b.finished_at or ended[b.id]) for b in rows]
    return render(page, "batches.html", items=items, names=names, choices=choices, total=total, offset=offset,
                  size=PAGE_SIZE, flow_rules=FLOW_RULES,
                  filters={"dossier": dossier or "", "flow": flow, "state": state,
                           "since": since.isoformat() if since else ""})


def _batch_context(session: Session, viewer: Viewer, batch_id: str) -> dict[str, Any]:
    batch = _visible_batch(session, viewer, batch_id)
    receipt = batches.load_receipt(session, batch)
    counts = batches.batch_counts(session, [batch.id])[batch.id]
    dossier = session.get(Dossier, batch.dossier_id)
    uploader = session.get(User, batch.uploaded_by) if batch.uploaded_by else None
    return {"batch": batch, "receipt": receipt, "progress": Progress.of(counts),
            "open": batches.batch_state(counts) == "open", "commitment": commitment(batch), "dossier": dossier,
            "finished_at": batch.finished_at or batches.last_finished(session, [batch.id])[batch.id],
            "uploader": uploader, "refresh": REFRESH_SECONDS, "flow_rules": FLOW_RULES}


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, batch_id: IdPath, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    page = Page(request, language(request), viewer.user, viewer.csrf)
    return render(page, "batch.html", level=2, **_batch_context(session, viewer, batch_id))


@router.get("/batches/{batch_id}/live", response_class=HTMLResponse)
def batch_live(request: Request, batch_id: IdPath, viewer: ViewerDep, session: SessionDep,
               level: Annotated[int, Query(ge=2, le=4)] = 2) -> HTMLResponse:
    """The part of the batch page that changes while it is processed (fetched by htmx, there and on
    the upload page, where its headings are one level down)."""
    page = Page(request, language(request), viewer.user, viewer.csrf)
    return render(page, "_batch_live.html", level=level, **_batch_context(session, viewer, batch_id))
