"""Support requests (docs/contract.md §2): clients register them and add files; operators follow them up.

Operator steps accept an optional ``at`` (when the step really happened, e.g. on the phone), never
in the future and never before the request's latest step; a client's registration is always "now".
"""

from __future__ import annotations

import mimetypes
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse
from python_multipart.exceptions import MultipartParseError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.bounds import IdPath, Offset
from api.deps import OperatorDep, PrincipalDep, ResourcesDep, SessionDep
from api.downloads import content_disposition
from api.multipart import Body, Form, read_form
from api.problems import ApiCode, Problem
from api.schemas import Page
from api.schemas_support import (
    AttachmentPublic,
    FollowUpBody,
    QualifyBody,
    StepBody,
    SupportRequestCreate,
    SupportRequestPublic,
    SupportRequestSummary,
    attachment_public,
    detail,
    summary,
)
from api.uploads import Pace
from ingest.accounts.principal import Principal
from ingest.platform.columns import utcnow
from ingest.platform.spool import Spooled
from ingest.resources import Resources
from ingest.store.base import COPY_CHUNK
from ingest.support import requests as support
from ingest.support import rules
from ingest.support.requests import MAX_ATTACHMENTS
from ingest.support.tables import SupportAttachment, SupportRequest

router = APIRouter(prefix="/v1/support-requests", tags=["support requests"])

# Wanted as the setting BORDEREAU_SUPPORT_ATTACHMENT_MAX_BYTES: the largest body of one upload call.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_CALL = 5
_MULTIPART_OVERHEAD = 64 * 1024


def _detail(session: Session, req: SupportRequest) -> SupportRequestPublic:
    events, files = support.history(session, req.id)
    return detail(req, rules.standing(req, utcnow()), events, files)


@router.post("", status_code=201, response_model=SupportRequestPublic)
def register(body: SupportRequestCreate, principal: PrincipalDep, session: SessionDep) -> SupportRequestPublic:
    req = support.register_request(session, principal, description=body.description,
               context=body.context, error_messages=body.error_messages, steps=body.steps)
    return _detail(session, req)


@router.get("", response_model=Page[SupportRequestSummary])
def list_requests(principal: PrincipalDep, session: SessionDep,
                  status: str | None = Query(None, pattern="^(open|closed)$"),
                  limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Page[SupportRequestSummary]:
    rows, total = support.list_requests(session, principal, limit=limit, offset=offset, status=status)
    now = utcnow()
    items = [summary(r, rules.standing(r, now)) for r in rows]
    return Page[SupportRequestSummary].of(items, total, limit, offset)


@router.get("/attention", response_model=Page[SupportRequestSummary])
def attention(_: OperatorDep, session: SessionDep, limit: int = Query(50, ge=1, le=500),
              offset: Offset = 0) -> Page[SupportRequestSummary]:
    """Open anomalies due soon or late, soonest due first (operators only)."""
    pairs = support.needing_attention(session, utcnow())
    items = [summary(r, st) for r, st in pairs[offset:offset + limit]]
    return Page[SupportRequestSummary].of(items, len(pairs), limit, offset)


@router.get("/{request_id}", response_model=SupportRequestPublic)
def get_request(request_id: IdPath, principal: PrincipalDep, session: SessionDep) -> SupportRequestPublic:
    return _detail(session, support.visible_request(session, principal, request_id))


@router.post("/{request_id}/pick-up", response_model=SupportRequestPublic)
def pick_up(request_id: IdPath, operator: OperatorDep, session: SessionDep,
            body: StepBody | None = None) -> SupportRequestPublic:
    body = body or StepBody()
    req = support.pick_up(session, operator, request_id, note=body.note, at=body.at)
    return _detail(session, req)


@router.post("/{request_id}/qualify", response_model=SupportRequestPublic)
def qualify(request_id: IdPath, body: QualifyBody, operator: OperatorDep, session: SessionDep) -> SupportRequestPublic:
    req = support.qualify(session, operator, request_id, criticality=body.criticality,
               not_an_anomaly=body.not_an_anomaly, note=body.note, at=body.at)
    return _detail(session, req)


def _follow_up(kind: rules.EventKind) -> Callable[..., SupportRequestPublic]:
    def record(request_id: IdPath, body: FollowUpBody, operator: OperatorDep,
               session: SessionDep) -> SupportRequestPublic:
        req = support.record_follow_up(session, operator, request_id, kind, body.text, at=body.at)
        return _detail(session, req)
    record.__name__ = f"record_{kind.value}"
    record.__doc__ = f"Record the {kind.value.replace('_', ' ')} of a qualified anomaly (operators only)."
    return record


for _path, _kind in (("action-plan", rules.EventKind.ACTION_PLAN),
                     ("workaround", rules.EventKind.WORKAROUND), ("fix", rules.EventKind.FIX)):
    router.add_api_route(f"/{{request_id}}/{_path}", _follow_up(_kind), methods=["POST"],
                         response_model=SupportRequestPublic)


@router.post("/{request_id}/close", response_model=SupportRequestPublic)
def close(request_id: IdPath, operator: OperatorDep, session: SessionDep,
          body: StepBody | None = None) -> SupportRequestPublic:
    body = body or StepBody()
    req = support.close(session, operator, request_id, note=body.note, at=body.at)
    return _detail(session, req)


class _CappedBody:
    """The request as ``read_form`` reads it, refusing the body once it passes ``limit`` bytes,
    so a client cannot fill the disk with a body that never says its length."""

    def __init__(self, request: Body, limit: int):
        self.headers, self._request, self._limit = request.headers, request, limit

    async def stream(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._request.stream():
            seen += len(chunk)
            if seen > self._limit:
                raise Problem(ApiCode.attachment_too_large,
                              f"Attachments sent in one call may total at most {MAX_ATTACHMENT_BYTES} bytes.")
            yield chunk


def _store_one(resources: Resources, principal: Principal, request_id: str, name: str,
               spooled: Spooled) -> SupportAttachment:
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    with Session(resources.engine, expire_on_commit=False) as session, spooled.path.open("rb") as fh:
        return support.add_attachment(session, resources.store, principal, request_id, name, fh,
                                      spooled.size, content_type)


@router.post("/{request_id}/attachments", status_code=201, response_model=list[AttachmentPublic],
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["files"], "properties": {
                     "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
async def add_attachments(request_id: IdPath, request: Request, principal: PrincipalDep,
                          resources: ResourcesDep) -> list[AttachmentPublic]:
    with Session(resources.engine) as session:  # refuse an unknown request before reading its body
        support.visible_request(session, principal, request_id)
    form = await receive_attachments(request, resources)
    try:
        if not form.files:
            raise Problem(ApiCode.no_file, "Send one or more files in the form field 'files'.")
        stored = await store_attachments(resources, principal, request_id, form.files)
    finally:
        form.close()
    return [attachment_public(a) for a in stored]


async def receive_attachments(request: Body, resources: Resources) -> Form:
    """The multipart body of an attachments upload, its files in the field ``files``, read under this
    route's limits (size, number of files, pace). Shared with the web page that opens a request, so
    that a page and an API client are held to the same limits; the caller closes the form."""
    limit = MAX_ATTACHMENT_BYTES + _MULTIPART_OVERHEAD
    if int(request.headers.get("content-length") or 0) > limit:
        raise Problem(ApiCode.attachment_too_large,
                      f"Attachments sent in one call may total at most {MAX_ATTACHMENT_BYTES} bytes.")
    try:
        return await read_form(_CappedBody(request, limit), file_field="files",
                               max_files=MAX_FILES_PER_CALL, tmp_dir=resources.settings.resolved_tmp_dir(),
                               pace=Pace.from_settings(resources.settings))
    except MultipartParseError as exc:
        raise Problem(ApiCode.malformed_multipart, f"The multipart body could not be read: {exc}.") from exc


async def store_attachments(resources: Resources, principal: Principal, request_id: str,
                            files: list[tuple[str, Spooled]]) -> list[SupportAttachment]:
    """Store spooled files as the request's attachments, one use case each, off the event loop."""
    return [await run_in_threadpool(_store_one, resources, principal, request_id, name, spooled)
            for name, spooled in files]


@router.get("/{request_id}/attachments/{number}")
def read_attachment(request_id: IdPath, number: Annotated[int, Path(ge=1, le=MAX_ATTACHMENTS)],
                    principal: PrincipalDep, resources: ResourcesDep, session: SessionDep) -> StreamingResponse:
    att = support.attachment(session, principal, request_id, number)
    try:
        fh = resources.store.open(att.object_key)
    except FileNotFoundError as exc:
        raise Problem(ApiCode.not_found, f"Attachment {number} is missing from the store.") from exc

    def chunks() -> Iterator[bytes]:
        with fh:
            while chunk := fh.read(COPY_CHUNK):
                yield chunk

    # Served as a download, never inline: a client's file is not a page of ours.
    return StreamingResponse(chunks(), media_type="application/octet-stream",
                             headers={"Content-Disposition": content_disposition(att.filename),
                                      "Content-Length": str(att.size)})
