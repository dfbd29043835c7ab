from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import JSONResponse
from python_multipart.exceptions import MultipartParseError
from sqlmodel import Session

from api.access import visible
from api.bounds import IdPath, IdQuery, Offset
from api.deps import PrincipalDep, ResourcesDep, SessionDep, UploadGateDep
from api.multipart import read_form
from api.problems import ApiCode, Problem
from api.relay import relay_now, relay_soon
from api.schemas import BatchPublic, BatchSummary, DocumentBrief, Page, RejectedFile
from api.uploads import Pace, UploadGate
from ingest.accounts.principal import Principal
from ingest.flow.dispatch import DISPATCH_TASK, dispatch_round
from ingest.flow.sla import recompute
from ingest.intake import batches
from ingest.intake.batches import (
    Counts,
    Receipt,
    batch_counts,
    batch_state,
    load_receipt,
)
from ingest.intake.receive import Upload, receive_batch
from ingest.platform.broker import send_ops_later
from ingest.platform.db import TRANSIENT_DB_ERRORS
from ingest.platform.models import Batch, Flow
from ingest.resources import Resources

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/batches", tags=["batches"])
MAX_KEY_LENGTH = 200  # the column's width



def flow_fields(b: Batch) -> dict[str, Any]:
    """The flow, the rule that set it and the batch's timing as the API shows them (with the
    deprecated names of this release: `flow_code`, `flow_reason` as the sentence, `expected_at`)."""
    daily = b.flow == Flow.daily
    return {"flow": b.flow, "flow_decision": {"reason": b.flow_reason, "message": b.flow_message},
            "reclassified_at": b.reclassified_at, "due_at": b.due_at, "eta": b.eta,
            "eta_computed_at": b.eta_computed_at, "eta_basis": b.eta_basis, "eta_earliest": b.eta_earliest,
            "eta_latest": b.eta_latest, "sla_state": b.sla_state, "finished_at": b.finished_at,
            "flow_code": b.flow_reason, "flow_reason": b.flow_message, "expected_at": b.eta if daily else None}


def batch_public(receipt: Receipt, counts: dict[str, int]) -> BatchPublic:
    b = receipt.batch
    return BatchPublic(
        id=b.id, dossier_id=b.dossier_id, uploaded_by=b.uploaded_by, received_at=b.received_at,
        **flow_fields(b),
        state=batch_state(counts), counts=counts,
        documents=[DocumentBrief(id=d.id, filename=d.filename, state=d.state, reason=d.reason, message=d.message)
                   for d in receipt.documents],
        rejected=[RejectedFile(filename=r.filename, reason=r.reason, message=r.message) for r in receipt.rejections])


def _first_estimate(resources: Resources, receipt: Receipt) -> None:
    """The new batch's ETA or expected finish, so that the upload's answer shows it at once."""
    settings = resources.settings
    try:
        recompute(resources.engine, margin=timedelta(hours=settings.sla_margin_hours),
                  fallback_concurrency=settings.worker_concurrency, only=[receipt.batch.id])
    except TRANSIENT_DB_ERRORS:
        log.warning("first ETA of batch %s failed; the periodic refresh will set it", receipt.batch.id,
                    exc_info=True)
        return
    with Session(resources.engine, expire_on_commit=False) as session:
        fresh = session.get(Batch, receipt.batch.id)
        if fresh is not None:
            receipt.batch = fresh


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH and key.isprintable()):
        raise Problem(ApiCode.invalid_idempotency_key, f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable "
                      "characters (a UUID does well).")
    return key


def _upload_total(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Problem(ApiCode.invalid_upload_total, f"upload_total must be a whole number of files, "
                      f"not '{raw[:40]}'.") from None


def dispatch_now(resources: Resources) -> None:
    """A dispatch round right after a bulk upload: the archive starts at once, and the round books
    the next while documents wait (the chain of rounds the workers run: ingest.flow.dispatch)."""
    settings = resources.settings
    try:
        done = dispatch_round(resources.engine, settings.bulk_window, interval=settings.dispatch_interval)
    except Exception:
        log.warning("dispatch after upload failed; the periodic dispatcher will run", exc_info=True)
        return
    if done.dispatched:
        relay_now(resources)
    if done.booked_next:
        send_ops_later(resources.broker, settings, DISPATCH_TASK, settings.dispatch_interval)


@router.post("", status_code=202, response_model=BatchPublic,
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["dossier_id", "files"], "properties": {
                     "dossier_id": {"type": "string"}, "flow": {"type": "string", "enum": ["daily", "bulk"]},
                     "upload_total": {"type": "integer", "minimum": 1, "description":
                                      "Files of the whole upload, when it is sent as several batches"},
                     "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
async def create_batch(request: Request, principal: PrincipalDep, resources: ResourcesDep, gate: UploadGateDep,
                       background: BackgroundTasks) -> JSONResponse:
    with gate.admit(principal.account_id or principal.user_id):
        receipt = await _receive(request, principal, resources, gate)
        counts = await gate.run(_settled, resources, receipt)
    if not receipt.replayed:
        if receipt.batch.flow == Flow.bulk:
            background.add_task(dispatch_now, resources)
        relay_soon(background, resources)
    body = batch_public(receipt, counts)
    headers = {"Idempotent-Replayed": "true"} if receipt.replayed else None
    return JSONResponse(body.model_dump(mode="json"), status_code=202, headers=headers, background=background)


def _settled(resources: Resources, receipt: Receipt) -> Counts:
    """After intake, in its thread: a new batch's first estimate, then the counts the answer shows."""
    if not receipt.replayed:
        _first_estimate(resources, receipt)
    with Session(resources.engine) as session:
        return batch_counts(session, [receipt.batch.id])[receipt.batch.id]


async def _receive(request: Request, principal: Principal, resources: Resources, gate: UploadGate) -> Receipt:
    """Read the body (bounded in time and pace) and hand its files to intake."""
    settings = resources.settings
    try:
        form = await read_form(request, file_field="files", max_files=settings.max_batch_files,
                               max_file_bytes=settings.max_file_bytes, tmp_dir=settings.resolved_tmp_dir(),
                               pace=Pace.from_settings(settings))
    except MultipartParseError as exc:
        raise Problem(ApiCode.malformed_multipart, f"The multipart body could not be read: {exc}.") from exc
    try:
        dossier_id = form.fields.get("dossier_id", "").strip()
        if not dossier_id:
            raise Problem(ApiCode.dossier_required, "The form field 'dossier_id' is required.")
        uploads = [Upload(name, spooled) for name, spooled in form.files]
        receipt = await gate.run(partial(
            receive_batch, resources.engine, resources.store, resources.limits, principal, dossier_id, uploads,
            flow=form.fields.get("flow") or None, idempotency_key=_idempotency_key(request),
            tmp_dir=settings.resolved_tmp_dir(), upload_total=_upload_total(form.fields.get("upload_total"))))
    finally:
        form.close()
    return receipt


@router.get("", response_model=Page[BatchSummary])
def list_batches(principal: PrincipalDep, session: SessionDep, dossier_id: IdQuery = None,
                 state: Literal["open", "done"] | None = None,
                 limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> Page[BatchSummary]:
    rows, total = batches.list_batches(session, principal, dossier_id=dossier_id, state=state, limit=limit,
                                       offset=offset)
    counts = batch_counts(session, [b.id for b in rows])
    items = [BatchSummary(id=b.id, dossier_id=b.dossier_id, uploaded_by=b.uploaded_by, received_at=b.received_at,
                          **flow_fields(b), state=batch_state(counts[b.id]), counts=counts[b.id]) for b in rows]
    return Page[BatchSummary].of(items, total, limit, offset)


@router.get("/{batch_id}", response_model=BatchPublic)
def get_batch(batch_id: IdPath, principal: PrincipalDep, session: SessionDep) -> BatchPublic:
    batch = visible(session, principal, Batch, batch_id, "batch")
    receipt = load_receipt(session, batch)
    return batch_public(receipt, batch_counts(session, [batch.id])[batch.id])
