"""Celery tasks: thin wrappers over ``ingest`` use cases. They take ids only."""

from __future__ import annotations

import contextlib
import logging

from celery.exceptions import Reject, SoftTimeLimitExceeded

from ingest.platform import logs, outbox
from ingest.platform.broker import ops_options, restore_orphaned_messages
from ingest.platform.db import TRANSIENT_DB_ERRORS
from ingest.platform.settings import Settings
from ingest.processing.process import (
    TRANSIENT_ERRORS,
    Interrupted,
    Outcome,
    process_document,
)
from ingest.processing.requeue import requeue_stale
from ingest.processing.waiting import MAX_BACKOFF_S, Waiting, backoff, retries_within, set_waiting
from ingest.store import StoreUnavailable
from workers.base import BordereauTask, task

log = logging.getLogger(__name__)


@task(outbox.PROCESS_DOCUMENT, autoretry_for=())
def process_document_task(self: BordereauTask, document_id: str, left_lease: str | None = None) -> str:
    logs.document_id.set(document_id)
    rt = self.resources
    # A redelivered message means its worker died: it may take over that lease.
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    try:
        outcome = process_document(rt.engine, rt.store, rt.limits, document_id, lease_duration=rt.lease_duration,
                                   max_attempts=self.settings.max_attempts, redelivered=redelivered,
                                   timeouts=(SoftTimeLimitExceeded,), ocr=rt.ocr, left_lease=left_lease)
    except Interrupted as exc:
        return _wait(self, document_id, exc.cause, exc.lease_token)
    except TRANSIENT_ERRORS as exc:  # before the lease was taken
        return _wait(self, document_id, exc, left_lease)
    log.info("document %s: %s", document_id, outcome.value)
    if outcome is Outcome.set_aside:
        # Keep the poison message for inspection instead of acknowledging it:
        # rejected without requeue, RabbitMQ routes it to the dead-letter queue.
        raise Reject(f"document {document_id} set aside after repeated crashes", requeue=False)
    return outcome.value


def _wait(task: BordereauTask, document_id: str, exc: Exception, left_lease: str | None) -> str:
    """The store or the database is away (``ingest.processing.waiting``): try again later, longer
    each time, carrying the lease the attempt may have left behind; past the horizon, set the
    document waiting for the store; the database being away too long to record even that, keep
    trying at the longest interval."""
    retries = task.request.retries
    carried = {"left_lease": left_lease} if left_lease else {}
    if retries < retries_within(task.settings.transient_retry_horizon):
        raise task.retry(exc=exc, countdown=backoff(retries), max_retries=None, kwargs=carried)
    if isinstance(exc, StoreUnavailable):
        with contextlib.suppress(*TRANSIENT_DB_ERRORS):
            set_waiting(task.resources.engine, document_id, Waiting.waiting_for_store,
                        "The object store stayed unreachable; the document waits for it and goes on by itself.")
            log.warning("document %s waits for the object store", document_id)
            return Outcome.waiting.value
    raise task.retry(exc=exc, countdown=MAX_BACKOFF_S, max_retries=None, kwargs=carried)


@task("bordereau.relay_outbox", autoretry_for=())
def relay_outbox_task(self: BordereauTask) -> int:
    return outbox.relay(self.resources.engine, self.resources.publisher)


@task("bordereau.requeue_stale", autoretry_for=())
def requeue_stale_task(self: BordereauTask) -> int:
    """Documents whose lease lapsed get a message again; on the embedded broker, so do the messages
    of a worker that died holding them."""
    restore_orphaned_messages(self.settings)
    count = requeue_stale(self.resources.engine)
    if count:
        outbox.relay(self.resources.engine, self.resources.publisher)
    return count



@task("bordereau.prune_outbox", autoretry_for=())
def prune_outbox_task(self: BordereauTask) -> int:
    return outbox.prune(self.resources.engine)


def beat_entries(settings: Settings) -> dict[str, dict[str, object]]:
    ops = ops_options(settings)
    return {
        "relay-outbox": {"task": "bordereau.relay_outbox", "schedule": settings.outbox_relay_interval,
                         "options": ops},
        "requeue-stale": {"task": "bordereau.requeue_stale", "schedule": 60.0, "options": ops},
        "prune-outbox": {"task": "bordereau.prune_outbox", "schedule": 3600.0, "options": ops},
    }
