"""Receiving a batch: the use case behind ``POST /v1/batches``.

Each file is spooled to disk (hashed on the way), checked, and written to the
object store under its content hash. Only then, in one transaction, are the
batch, its documents, its rejections and one outbox message per document
committed. A file whose storage write failed is never recorded: the whole
request fails with :class:`StoreUnavailable` and the client retries with the
same ``Idempotency-Key``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.accounts.dossiers import account_dossier
from ingest.accounts.principal import Principal
from ingest.contract.flow import FlowDecision
from ingest.contract.retention import reference_date
from ingest.documents.analyse import precheck
from ingest.documents.archives import iter_archive
from ingest.documents.limits import Limits, human_size
from ingest.documents.reasons import DocumentRejected, Reason
from ingest.documents.sniff import Kind, sniff
from ingest.flow.classification import (
    DAILY_COMMITMENT,
    SlaState,
    classify_batch,
)
from ingest.intake.batches import Receipt
from ingest.intake.errors import IntakeCode, IntakeError
from ingest.intake.idempotency import KEY_TTL, fingerprint, free_expired, replay
from ingest.intake.names import display_name
from ingest.intake.tables import Rejection
from ingest.platform import outbox
from ingest.platform.columns import is_id, utcnow
from ingest.platform.models import Batch, Document, DocumentState, Flow
from ingest.platform.spool import Spooled, spool
from ingest.store import ObjectStore, original_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    """A file of the batch: a stream to spool, or a file already spooled as it arrived (the API's
    multipart reader does so), which is checked and stored as it is."""

    filename: str
    content: BinaryIO | Spooled


@dataclass
class _Accepted:
    filename: str
    spooled: Spooled
    kind: Kind


@dataclass
class _Sorted:
    accepted: list[_Accepted] = field(default_factory=list)
    rejected: list[tuple[str, DocumentRejected]] = field(default_factory=list)


def receive_batch(engine: Engine, store: ObjectStore, limits: Limits, principal: Principal,
                  dossier_id: str, uploads: Iterable[Upload], *, flow: str | None = None,
                  idempotency_key: str | None = None, tmp_dir: Path | None = None,
                  upload_total: int | None = None, key_ttl: timedelta = KEY_TTL) -> Receipt:
    """Check, store and record one batch. `upload_total`: the files of the whole upload this batch
    is part of, when a client sends one upload as several batches (see `ingest.contract.flow`).
    Under an `idempotency_key`, the same request again gets the first one's batch
    (`ingest.intake.idempotency`)."""
    account_id = _check_request(principal, flow, upload_total)
    now = utcnow()
    with ExitStack() as cleanup:
        parts = [(u.filename, _spooled(u, limits, tmp_dir, cleanup)) for u in uploads]
        request = _Request(dossier_id, flow, upload_total, idempotency_key,
                           fingerprint(dossier_id, flow, upload_total, parts) if idempotency_key else None)
        if not principal.sees_dossier(dossier_id):
            raise IntakeError(IntakeCode.dossier_not_found, f"No dossier {dossier_id} in your account.")
        with Session(engine, expire_on_commit=False) as session:
            if (again := replay(session, principal, idempotency_key, request.fingerprint, now, key_ttl)) is not None:
                return again
            if not is_id(dossier_id) or account_dossier(session, account_id, dossier_id) is None:
                raise IntakeError(IntakeCode.dossier_not_found, f"No dossier {dossier_id} in your account.")
        if not parts:
            raise IntakeError(IntakeCode.no_files, "The request has no 'files' part.")
        sorted_ = _sort_parts(parts, limits, tmp_dir, cleanup)
        _store_all(store, sorted_.accepted)
        return _record(engine, principal, request, sorted_, key_ttl)


@dataclass(frozen=True)
class _Request:
    dossier_id: str
    flow: str | None
    upload_total: int | None
    idempotency_key: str | None
    fingerprint: str | None


def _check_request(principal: Principal, flow: str | None, upload_total: int | None) -> str:
    """The account the upload is for, once the request's own values are known to be sound."""
    if principal.account_id is None:
        raise IntakeError(IntakeCode.no_account, "Operators upload on behalf of no one: use a client's key.")
    if flow is not None and flow not in Flow.__members__:
        raise IntakeError(IntakeCode.invalid_flow, f"flow must be daily or bulk, not '{flow}'.")
    if upload_total is not None and upload_total < 1:
        raise IntakeError(IntakeCode.invalid_upload_total, f"upload_total must be a whole number of files, 1 or more, "
                          f"not {upload_total}.")
    return principal.account_id


def _spooled(upload: Upload, limits: Limits, tmp_dir: Path | None, cleanup: ExitStack) -> Spooled:
    """The upload's file on disk (spooled now unless it already was), deleted when the batch is done."""
    content = upload.content
    spooled = content if isinstance(content, Spooled) else spool(content, limits.max_file_bytes, tmp_dir)
    cleanup.callback(spooled.discard)
    return spooled


STORE_THREADS = 4


def _store_all(store: ObjectStore, accepted: list[_Accepted]) -> None:
    """Write the originals a few at a time: each put is a round trip to the
    store, and a batch holds hundreds. The first failure propagates."""

    def put(item: _Accepted) -> None:
        with item.spooled.path.open("rb") as fh:
            store.put_file(original_key(item.spooled.sha256), fh, item.spooled.size)

    unique = list({item.spooled.sha256: item for item in accepted}.values())
    with ThreadPoolExecutor(max_workers=STORE_THREADS) as pool:
        for _ in pool.map(put, unique):
            pass


def _sort_parts(parts: list[tuple[str, Spooled]], limits: Limits, tmp_dir: Path | None,
                cleanup: ExitStack) -> _Sorted:
    out = _Sorted()
    for filename, spooled in parts:
        for name, outcome in _check_part(filename, spooled, limits, tmp_dir, cleanup):
            if isinstance(outcome, DocumentRejected):
                out.rejected.append((name, outcome))
            else:
                out.accepted.append(outcome)
    return out


def _check_part(filename: str, spooled: Spooled, limits: Limits, tmp_dir: Path | None,
                cleanup: ExitStack) -> Iterator[tuple[str, _Accepted | DocumentRejected]]:
    try:
        kind = _check_spooled(spooled, limits)
    except DocumentRejected as exc:
        yield filename, exc
        return
    if kind is not Kind.zip:
        yield filename, _Accepted(filename, spooled, kind)
        return
    try:
        entries = list(_archive_entries(filename, spooled.path, limits, tmp_dir, cleanup))
    except DocumentRejected as exc:
        yield filename, exc
        return
    yield from entries


def _archive_entries(archive_name: str, path: Path, limits: Limits, tmp_dir: Path | None,
                     cleanup: ExitStack) -> Iterator[tuple[str, _Accepted | DocumentRejected]]:
    for entry, stream in iter_archive(path, limits):
        name = f"{archive_name}/{entry.name}"
        if isinstance(stream, DocumentRejected):
            yield name, stream
            continue
        try:
            with stream:
                spooled = spool(stream, limits.max_file_bytes, tmp_dir)
        except DocumentRejected:
            raise  # a lying archive: refuse it whole
        cleanup.callback(spooled.discard)
        try:
            kind = _check_spooled(spooled, limits)
            if kind is Kind.zip:
                raise DocumentRejected(Reason.archive_rejected, "Archives inside archives are not accepted.")
        except DocumentRejected as exc:
            yield name, exc
            continue
        yield name, _Accepted(name, spooled, kind)


def _check_spooled(spooled: Spooled, limits: Limits) -> Kind:
    if spooled.size == 0:
        raise DocumentRejected(Reason.empty_file, "The file is empty.")
    if spooled.truncated or spooled.size > limits.max_file_bytes:  # spooled by a caller with another limit
        raise DocumentRejected(Reason.too_large, f"The file is larger than the limit of "
                               f"{human_size(limits.max_file_bytes)}.")
    kind = sniff(spooled.head)
    if kind is None:
        raise DocumentRejected(Reason.unsupported_type, "The file is not a PDF, JPEG, PNG, TIFF, "
                               "XML e-invoice or ZIP archive (judged from its content, not its name).")
    if kind is not Kind.zip:
        precheck(spooled.path, kind, spooled.size, limits)
    return kind


def _record(engine: Engine, principal: Principal, request: _Request, sorted_: _Sorted,
            key_ttl: timedelta) -> Receipt:
    """Commit the batch, its documents and rejections; daily documents get their outbox rows.

    Bulk documents stay ``received`` with no message: the dispatcher (``ingest.flow.dispatch``)
    feeds them to the bulk queue a window at a time. A request that lost the race for its
    idempotency key rolls back and answers with the winner's batch.
    """
    assert principal.account_id is not None
    now = utcnow()
    with Session(engine) as session:
        decision = classify_batch(session, request.dossier_id, len(sorted_.accepted), request.flow, now,
                                  request.upload_total)
    batch, docs, rejs = _rows(principal, request, decision, sorted_, now)
    with Session(engine, expire_on_commit=False) as session:
        if request.idempotency_key:
            free_expired(session, principal.account_id, request.idempotency_key, now, key_ttl)
        session.add(batch)
        try:
            # The batch row first: its documents and rejections point at it, and the unit of work
            # knows no relationship to order their inserts by.
            session.flush()
        except sa.exc.IntegrityError as exc:
            return _lost_race(session, principal, request, now, key_ttl, exc)
        session.add_all(docs)
        session.add_all(rejs)
        if batch.flow == Flow.daily:
            for doc in docs:
                outbox.add_process_document(session, doc.id, Flow.daily.value)
        try:
            session.commit()
        except sa.exc.IntegrityError as exc:
            return _lost_race(session, principal, request, now, key_ttl, exc)
    log.info("batch received", extra={"batch_id": batch.id, "documents": len(docs), "rejected": len(rejs),
                                      "flow": batch.flow, "flow_reason": decision.reason})
    return Receipt(batch, docs, rejs)


def _lost_race(session: Session, principal: Principal, request: _Request, now: datetime,
               key_ttl: timedelta, error: sa.exc.IntegrityError) -> Receipt:
    """Another request under the same idempotency key committed first: answer with its batch."""
    session.rollback()
    winner = replay(session, principal, request.idempotency_key, request.fingerprint, now, key_ttl)
    if winner is None:
        raise error
    return winner


def _rows(principal: Principal, request: _Request, decision: FlowDecision, sorted_: _Sorted,
          now: datetime) -> tuple[Batch, list[Document], list[Rejection]]:
    daily = decision.flow == Flow.daily
    account_id = principal.account_id
    assert account_id is not None
    batch = Batch(account_id=account_id, dossier_id=request.dossier_id, uploaded_by=principal.user_id,
                  flow=Flow(decision.flow),
                  flow_reason=decision.reason, flow_message=decision.message[:500],
                  idempotency_key=request.idempotency_key, request_fingerprint=request.fingerprint, received_at=now,
                  due_at=now + DAILY_COMMITMENT if daily else None,
                  sla_state=SlaState.on_track.value if daily else None)
    state = DocumentState.queued if daily else DocumentState.received
    docs = [Document(account_id=account_id, dossier_id=request.dossier_id, batch_id=batch.id,
                     filename=display_name(a.filename), kind=a.kind, sha256=a.spooled.sha256, size=a.spooled.size,
                     object_key=original_key(a.spooled.sha256), state=state,
                     received_at=now, queued_at=now if daily else None,
                     reference_date=reference_date(None, False, now))
            for a in sorted_.accepted]
    rejs = [Rejection(batch_id=batch.id, filename=display_name(name), reason=str(exc.reason), message=exc.message)
            for name, exc in sorted_.rejected]
    return batch, docs, rejs
