"""Support requests as pages (the twins of ``api/routes/support_requests.py``; docs/contract.md §2).

A client opens a request with one multipart form: its texts and its first attachments together. The
body is read by the API's own intake (`receive_attachments`: the same total size, number of files
and pace), the request registered and its files stored by the same use cases, so that a page and an
API client are held to the same rules. The form's CSRF token travels inside that body: it is checked
once the body is read and before anything is written.

Where a request stands (its status, its deadline in support hours and whether it is met, on time,
at risk or late) is the service's own `rules.standing`; attachments download from the API's own
route, which answers the session cookie. The contract's request has no subject: the form's subject
becomes the first line of the description, and the pages read it back from there (a request opened
through the API shows its own first line).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import anyio
from babel.numbers import format_decimal
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect

from api.bounds import IdPath, LongText, Name, Offset, RequiredText
from api.deps import ResourcesDep, SessionDep
from api.multipart import Form, read_form
from api.problems import Problem, status_of
from api.routes import support_requests as intake
from api.web.auth import Viewer, ViewerDep, form_is_ours
from api.web.pages_document import size_text
from api.web.pages_work import NotVisible
from api.web.render import Page, language, locale_of, number, render
from ingest.accounts.principal import Principal
from ingest.accounts.tables import Account
from ingest.contract.support import CRITICALITY_1_SUPPORT_HOURS, CRITICALITY_2_BUSINESS_DAYS
from ingest.platform.columns import utcnow
from ingest.platform.errors import DomainError
from ingest.platform.spool import Spooled
from ingest.resources import Resources
from ingest.store import StoreUnavailable
from ingest.support import requests as support
from ingest.support import rules
from ingest.support.requests import MAX_ATTACHMENTS
from ingest.support.tables import SupportEvent, SupportRequest

router = APIRouter(prefix="/app", include_in_schema=False)
log = logging.getLogger(__name__)
PAGE_SIZE = 25
TEXT_FIELDS = ("subject", "description", "context", "error_messages", "steps")
# A refused body is read to its end (and dropped) so that a browser still sending it reads the
# refusal rather than a reset connection; past these bounds the connection is simply closed.
DRAIN_BYTES = 200 * 1024 * 1024
DRAIN_SECONDS = 60
# The texts of the form (five fields of at most 64 KiB each, by the reader's own cap) come before its
# files: this much of a refused body holds them.
HEAD_BYTES = 512 * 1024


class NewRequest(BaseModel):
    """The form's texts under the API's own bounds (``api.bounds``: lengths, no control character)."""

    subject: Name
    description: RequiredText
    context: LongText = ""
    error_messages: LongText = ""
    steps: LongText = ""

    def description_with_subject(self) -> str:
        return f"{self.subject}\n\n{self.description}"


@dataclass(frozen=True)
class Shown:
    """A request as the pages show it: its subject and the rest of its description, and where it
    stands now (``rules.standing``, the API's own answer)."""

    req: SupportRequest
    subject: str
    body: str
    standing: rules.Standing

    @property
    def level(self) -> str:
        """The criticality as a text key: ``pending`` until qualified, ``none`` when not an anomaly."""
        if self.req.qualification is None:
            return "pending"
        if self.req.qualification == rules.Qualification.NOT_AN_ANOMALY or self.req.criticality is None:
            return "none"
        return str(self.req.criticality)

    @property
    def deadline(self) -> str:
        """``due`` when a deadline runs, else why there is none (``pending`` qualification, ``none`` owed)."""
        if self.standing.due_at is not None:
            return "due"
        return "pending" if self.req.qualification is None else "none"


def shown(req: SupportRequest) -> Shown:
    first, _, rest = req.description.strip().partition("\n")
    return Shown(req, first.strip(), rest.strip(), rules.standing(req, utcnow()))


def _page(request: Request, viewer: Viewer) -> Page:
    return Page(request, language(request), viewer.user, viewer.csrf)


def _limits() -> dict[str, Any]:
    """The figures the form quotes, read from the API's own limits at each call."""
    return {"files": intake.MAX_FILES_PER_CALL, "mb": intake.MAX_ATTACHMENT_BYTES // (1024 * 1024),
            "max": MAX_ATTACHMENTS}


def said(page: Page, code: str, fallback: str) -> str:
    """A refusal in the page's words: the support pages' own text for `code`, else the pages' common
    one (``error.<code>``), else the service's sentence."""
    common = page.explain("error", code, fallback, **_limits())
    return page.explain("support.refused", code, common, **_limits())


def _visible(session: Session, viewer: Viewer, request_id: str) -> SupportRequest:
    """The API's own rule (`support.visible_request`), answered as a page: another account's request
    is a 404 page."""
    try:
        return support.visible_request(session, viewer.principal, request_id)
    except rules.SupportError as exc:
        raise NotVisible(request_id) from exc


# --- the list -------------------------------------------------------------------------------------


def _account_names(session: Session, rows: list[SupportRequest]) -> dict[str, str]:
    """For an operator, who sees every account's requests: whose each one is."""
    ids = {r.account_id for r in rows}
    if not ids:
        return {}
    return {a.id: a.name for a in session.exec(select(Account).where(col(Account.id).in_(ids))).all()}


@router.get("/support", response_class=HTMLResponse)
def support_list(request: Request, viewer: ViewerDep, session: SessionDep,
                 status: Literal["open", "closed", ""] = "", offset: Offset = 0) -> HTMLResponse:
    rows, total = support.list_requests(session, viewer.principal, limit=PAGE_SIZE, offset=offset,
                                        status=status or None)
    operator = viewer.principal.is_operator
    return render(_page(request, viewer), "support_list.html", items=[shown(r) for r in rows], total=total,
                  offset=offset, size=PAGE_SIZE, shown_status=status, operator=operator,
                  names=_account_names(session, rows) if operator else {},
                  can_open=viewer.principal.account_id is not None)


# --- opening a request ----------------------------------------------------------------------------


def _form_page(page: Page, error: str | None = None, status: int = 200, values: dict[str, str] | None = None,
               invalid: tuple[str, ...] = ()) -> HTMLResponse:
    return render(page, "support_new.html", status=status, error=error, invalid=invalid,
                  values={name: (values or {}).get(name, "") for name in TEXT_FIELDS}, limits=_limits(),
                  deadlines={"hours": number(int(CRITICALITY_1_SUPPORT_HOURS.total_seconds() // 3600), page.lang),
                             "days": CRITICALITY_2_BUSINESS_DAYS})


@router.get("/support/new", response_class=HTMLResponse)
def support_form(request: Request, viewer: ViewerDep) -> HTMLResponse:
    return _form_page(_page(request, viewer))


class _Body:
    """The request's body as the intake reads it. It notes whether it was read to its end, so that
    after a refusal in the middle the rest can be read and dropped (`drain`), and keeps its first
    `HEAD_BYTES`, where the form's texts are (`_typed`)."""

    def __init__(self, request: Request) -> None:
        self._request, self.ended, self.head = request, False, bytearray()

    @property
    def headers(self) -> Headers:
        return self._request.headers

    async def stream(self) -> AsyncIterator[bytes]:
        while not self.ended:
            message = await self._request.receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            self.ended = not message.get("more_body", False)
            if chunk := message.get("body", b""):
                self.head += chunk[:max(0, HEAD_BYTES - len(self.head))]
                yield chunk

    async def drain(self) -> None:
        seen = 0
        with anyio.move_on_after(DRAIN_SECONDS):
            try:
                async for chunk in self.stream():
                    seen += len(chunk)
                    if seen > DRAIN_BYTES:
                        return
            except ClientDisconnect:
                return


class _Bytes:
    """Bytes already in memory, as `read_form` reads a body."""

    def __init__(self, headers: Headers, data: bytes) -> None:
        self.headers, self._data = headers, data

    async def stream(self) -> AsyncIterator[bytes]:
        yield self._data


class RefusedBody(Exception):
    """The intake refused the form's body (`problem`); `typed` holds the texts it carried."""

    def __init__(self, problem: Problem, typed: dict[str, str]) -> None:
        super().__init__(problem.detail)
        self.problem, self.typed = problem, typed


async def _typed(body: _Body, resources: Resources) -> dict[str, str]:
    """The texts of a refused form, read back from the first bytes of its body, so that a refusal
    (files too large, say) does not throw away what the person typed. The form puts its file input
    last, so its texts come first; closing the body after those bytes lets the same reader parse
    them (files are counted, not kept). Any doubt gives no text back."""
    _, params = parse_options_header(body.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        return {}
    closed = bytes(body.head) + b"\r\n--" + boundary + b"--\r\n"
    try:
        form = await read_form(_Bytes(body.headers, closed), file_field="files",
                               max_files=2 * intake.MAX_FILES_PER_CALL, max_file_bytes=0,
                               tmp_dir=resources.settings.resolved_tmp_dir())
    except (Problem, MultipartParseError):
        return {}
    form.close()
    return form.fields


async def _received(request: Request, resources: Resources) -> Form:
    """The form, read by the API's attachment intake. Refused, the rest of its body is read and
    dropped first, and the refusal (`RefusedBody`) carries the texts it held."""
    body = _Body(request)
    try:
        return await intake.receive_attachments(body, resources)
    except Problem as problem:
        await body.drain()
        raise RefusedBody(problem, await _typed(body, resources)) from problem


def _files(form: Form) -> list[tuple[str, Spooled]]:
    """The form's files, without the empty part a file input left empty sends."""
    return [(name, spooled) for name, spooled in form.files if spooled.size > 0]


async def _attach(resources: Resources, principal: Principal, request_id: str, form: Form) -> str | None:
    """Store the form's files on the request; the refusal's code when they could not all be kept
    (the request itself stays registered: its page lets the client send them again)."""
    try:
        await intake.store_attachments(resources, principal, request_id, _files(form))
    except DomainError as exc:
        return exc.code
    except StoreUnavailable:
        log.warning("support request %s: its attachments could not be stored", request_id)
        return "store_unavailable"
    return None


def _register(resources: Resources, principal: Principal, fields: NewRequest) -> SupportRequest:
    with Session(resources.engine, expire_on_commit=False) as session:
        return support.register_request(session, principal, description=fields.description_with_subject(),
                                        context=fields.context, error_messages=fields.error_messages,
                                        steps=fields.steps)


@router.post("/support/new", response_class=HTMLResponse)
async def support_open(request: Request, viewer: ViewerDep, resources: ResourcesDep) -> Response:
    page = _page(request, viewer)
    try:
        form = await _received(request, resources)
    except RefusedBody as refused:
        # What was typed comes back only to the page that sent it (its CSRF token), never to another site's form.
        typed = refused.typed if form_is_ours(request, refused.typed.get("csrf_token")) else {}
        return _form_page(page, said(page, refused.problem.code, refused.problem.detail), refused.problem.status,
                          typed)
    try:
        return await _open(page, viewer, resources, form)
    finally:
        form.close()


async def _open(page: Page, viewer: Viewer, resources: Resources, form: Form) -> Response:
    values = {name: form.fields.get(name, "") for name in TEXT_FIELDS}
    if not form_is_ours(page.request, form.fields.get("csrf_token")):
        return _form_page(page, page.t("error.csrf"), 403, values)
    try:
        fields = NewRequest.model_validate(values)
    except ValidationError as exc:
        invalid = tuple(sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]}))
        return _form_page(page, page.t("support.invalid"), 422, values, invalid)
    try:
        req = await run_in_threadpool(_register, resources, viewer.principal, fields)
    except DomainError as exc:
        return _form_page(page, said(page, exc.code, exc.message), status_of(exc.code), values)
    failed = await _attach(resources, viewer.principal, req.id, form)
    target = page.url(f"/app/support/{req.id}", attachments=failed)
    return RedirectResponse(target, status_code=303)


# --- one request ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of the request's timeline."""

    event: SupportEvent
    key: str  # support.event.<key>
    by_support: bool


def timeline(events: list[SupportEvent]) -> list[Step]:
    steps = []
    for e in events:
        key = e.kind
        if e.kind == rules.EventKind.QUALIFIED and e.criticality is None:
            key = "qualified_none"
        steps.append(Step(e, key, e.by_role == "operator"))
    return steps


def _hours(page: Page, value: timedelta) -> str:
    """Support hours as the page writes them: ``2,5 h ouvrées``."""
    hours = format_decimal(round(value.total_seconds() / 3600, 1), format="#,##0.#", locale=locale_of(page.lang))
    return page.t("support.hours_value", hours=hours)


def _request_page(page: Page, session: Session, req: SupportRequest, error: str | None = None,
                  status: int = 200) -> HTMLResponse:
    events, files = support.history(session, req.id)
    item = shown(req)
    hours = item.standing.hours
    against = hours.against_deadline
    return render(page, "support_request.html", status=status, item=item, steps=timeline(events),
                  files=[(f, size_text(f.size, page)) for f in files], error=error, limits=_limits(),
                  to_pick_up=_hours(page, hours.to_pick_up), total_hours=_hours(page, hours.total),
                  against=_hours(page, against) if against is not None else None,
                  can_attach=req.closed_at is None and req.attachment_count < MAX_ATTACHMENTS)


# Why the files sent with a new request were not all kept (`_attach`), as the redirect names it.
AttachFailure = Literal["", "request_closed", "too_many_attachments", "attachment_conflict", "store_unavailable"]


@router.get("/support/{request_id}", response_class=HTMLResponse)
def support_request(request: Request, request_id: IdPath, viewer: ViewerDep, session: SessionDep,
                    attachments: AttachFailure = "") -> HTMLResponse:
    page = _page(request, viewer)
    req = _visible(session, viewer, request_id)
    error = page.t("support.attachments_failed", reason=said(page, attachments, "")) if attachments else None
    return _request_page(page, session, req, error)


def _shown_with_error(resources: Resources, page: Page, viewer: Viewer, request_id: str, error: str,
                      status: int) -> HTMLResponse:
    """The request's page again, saying why the files just sent were refused."""
    with Session(resources.engine, expire_on_commit=False) as session:
        return _request_page(page, session, _visible(session, viewer, request_id), error, status)


def _check_visible(resources: Resources, viewer: Viewer, request_id: str) -> None:
    with Session(resources.engine) as session:
        _visible(session, viewer, request_id)


@router.post("/support/{request_id}/attachments", response_class=HTMLResponse)
async def support_attach(request: Request, request_id: IdPath, viewer: ViewerDep,
                         resources: ResourcesDep) -> Response:
    """More files for a request, from its page: the API's intake and use case, then back to the page."""
    page = _page(request, viewer)
    error: str | None
    await run_in_threadpool(_check_visible, resources, viewer, request_id)  # a 404 page before reading the body
    try:
        form = await _received(request, resources)
    except RefusedBody as refused:
        error, status = said(page, refused.problem.code, refused.problem.detail), refused.problem.status
    else:
        try:
            error, status = await _attach_from_page(page, viewer, resources, request_id, form)
        finally:
            form.close()
    if error is None:
        return RedirectResponse(f"/app/support/{request_id}", status_code=303)
    return await run_in_threadpool(_shown_with_error, resources, page, viewer, request_id, error, status)


async def _attach_from_page(page: Page, viewer: Viewer, resources: Resources, request_id: str,
                            form: Form) -> tuple[str | None, int]:
    """Store the form's files; the refusal in the page's words and its status, or None."""
    if not form_is_ours(page.request, form.fields.get("csrf_token")):
        return page.t("error.csrf"), 403
    if not _files(form):
        return said(page, "no_file", ""), 422
    failed = await _attach(resources, viewer.principal, request_id, form)
    if failed is None:
        return None, 303
    return said(page, failed, failed), 503 if failed == "store_unavailable" else status_of(failed)
