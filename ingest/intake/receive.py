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
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.accounts.dossiers import account_dossier
from ingest.accounts.principal import Principal
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
from ingest.intake.batches import Receipt, find_replay
from ingest.intake.tables import Rejection
from ingest.platform import outbox
from ingest.platform.columns import utcnow
from ingest.platform.errors import DomainError
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


class IntakeCode(StrEnum):
    no_account = "no_account"
    invalid_flow = "invalid_flow"
    invalid_upload_total = "invalid_upload_total"
    dossier_not_found = "dossier_not_found"
    no_files = "no_files"


class IntakeError(DomainError):
    """The request as a whole is refused (nothing is recorded); see `IntakeCode`."""



def receive_batch(engine: Engine, store: ObjectStore, limits: Limits, principal: Principal,
                  dossier_id: str, uploads: Iterable[Upload], *, flow: str | None = None,
                  idempotency_key: str | None = None, tmp_dir: Path | None = None,
                  upload_total: int | None = None) -> Receipt:
    """Check, store and record one batch. `upload_total`: the files of the whole upload this batch
    is part of, when a client sends one upload as several batches (see `ingest.contract.flow`)."""
    if principal.account_id is None:
        raise IntakeError(IntakeCode.no_account, "Operators upload on behalf of no one: use a client's key.")
    if flow is not None and flow not in Flow.__members__:
        raise IntakeError(IntakeCode.invalid_flow, f"flow must be daily or bulk, not '{flow}'.")
    if upload_total is not None and upload_total < 1:
        raise IntakeError(IntakeCode.invalid_upload_total, f"upload_total must be a whole number of files, 1 or more, "
                          f"not {upload_total}.")
    with Session(engine, expire_on_commit=False) as session:
        replay = find_replay(session, principal, idempotency_key)
        if replay:
            return replay
        if account_dossier(session, principal.account_id, dossier_id) is None:
            raise IntakeError(IntakeCode.dossier_not_found, f"No dossier {dossier_id} in your account.")
    with ExitStack() as cleanup:
        sorted_ = _sort_uploads(uploads, limits, tmp_dir, cleanup)
        if not sorted_.accepted and not sorted_.rejected:
            raise IntakeError(IntakeCode.no_files, "The request has no 'files' part.")
        _store_all(store, sorted_.accepted)
        return _record(engine, principal, dossier_id, sorted_, flow, idempotency_key, upload_total)


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


def _sort_uploads(uploads: Iterable[Upload], limits: Limits, tmp_dir: Path | None,
                  cleanup: ExitStack) -> _Sorted:
    out = _Sorted()
    for upload in uploads:
        for name, outcome in _check_upload(upload, limits, tmp_dir, cleanup):
            if isinstance(outcome, DocumentRejected):
                out.rejected.append((name, outcome))
            else:
                out.accepted.append(outcome)
    return out


def _check_upload(upload: Upload, limits: Limits, tmp_dir: Path | None,
                  cleanup: ExitStack) -> Iterator[tuple[str, _Accepted | DocumentRejected]]:
    content = upload.content
    spooled = content if isinstance(content, Spooled) else spool(content, limits.max_file_bytes, tmp_dir)
    cleanup.callback(spooled.discard)
    try:
        kind = _check_spooled(spooled, limits)
    except DocumentRejected as exc:
        yield upload.filename, exc
        return
    if kind is not Kind.zip:
        yield upload.filename, _Accepted(upload.filename, spooled, kind)
        return
    try:
        entries = list(_archive_entries(upload.filename, spooled.path, limits, tmp_dir, cleanup))
    except DocumentRejected as exc:
        yield upload.filename, exc
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


def _record(engine: Engine, principal: Principal, dossier_id: str, sorted_: _Sorted,
            flow: str | None, idempotency_key: str | None, upload_total: int | None) -> Receipt:
    """Commit the batch, its documents and rejections; daily documents get their outbox rows.

    Bulk documents stay ``received`` with no message: the dispatcher (``ingest.flow.dispatch``)
    feeds them to the bulk queue a window at a time.
    """
    assert principal.account_id is not None
    now = utcnow()
    with Session(engine) as session:
        decision = classify_batch(session, dossier_id, len(sorted_.accepted), flow, now, upload_total)
    batch_flow = Flow(decision.flow)
    daily = batch_flow is Flow.daily
    batch = Batch(account_id=principal.account_id, dossier_id=dossier_id, flow=batch_flow,
                  flow_reason=decision.reason, flow_message=decision.message[:500], idempotency_key=idempotency_key,
                  received_at=now,
                  due_at=now + DAILY_COMMITMENT if daily else None,
                  sla_state=SlaState.on_track.value if daily else None)
    state = DocumentState.queued if daily else DocumentState.received
    docs = [Document(account_id=principal.account_id, dossier_id=dossier_id, batch_id=batch.id,
                     filename=a.filename[:500], kind=a.kind, sha256=a.spooled.sha256, size=a.spooled.size,
                     object_key=original_key(a.spooled.sha256), state=state,
                     received_at=now, queued_at=now if daily else None,
                     reference_date=reference_date(None, False, now))
            for a in sorted_.accepted]
    rejs = [Rejection(batch_id=batch.id, filename=name[:500], reason=str(exc.reason), message=exc.message)
            for name, exc in sorted_.rejected]
    with Session(engine, expire_on_commit=False) as session:
        session.add(batch)
        session.flush()
        session.add_all(docs)
        session.add_all(rejs)
        session.flush()
        if daily:
            for doc in docs:
                outbox.add_process_document(session, doc.id, batch_flow.value)
        try:
            session.commit()
        except sa.exc.IntegrityError:
            session.rollback()
            replay = find_replay(session, principal, idempotency_key)
            if replay is None:
                raise
            return replay
    log.info("batch received", extra={"batch_id": batch.id, "documents": len(docs), "rejected": len(rejs),
                                      "flow": batch_flow.value, "flow_reason": decision.reason})
    return Receipt(batch, docs, rejs)
