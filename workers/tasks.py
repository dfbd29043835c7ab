"""Celery tasks: thin wrappers over ``ingest`` use cases. They take ids only."""

from __future__ import annotations

import logging

from celery.exceptions import Reject, SoftTimeLimitExceeded

from ingest.platform import outbox
from ingest.platform.broker import ops_options
from ingest.platform.settings import Settings
from ingest.processing.process import (
    TRANSIENT_ERRORS,
    Failure,
    Outcome,
    give_up,
    process_document,
)
from ingest.processing.requeue import requeue_stale
from workers.base import BordereauTask, task

log = logging.getLogger(__name__)


@task(outbox.PROCESS_DOCUMENT)
def process_document_task(self: BordereauTask, document_id: str) -> str:
    rt = self.resources
    # A redelivered message means its worker died: it may take over that lease.
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    try:
        outcome = process_document(rt.engine, rt.store, rt.limits, document_id, lease_duration=rt.lease_duration,
                                   max_attempts=self.settings.max_attempts, redelivered=redelivered,
                                   timeouts=(SoftTimeLimitExceeded,), ocr=rt.ocr)
    except TRANSIENT_ERRORS:
        if self.request.retries >= self.max_retries:
            give_up(rt.engine, document_id, Failure.retries_exhausted,
                    "The store or the database stayed unreachable; processing gave up.",
                    lease_duration=rt.lease_duration)
            return Outcome.failed.value
        raise
    log.info("document %s: %s", document_id, outcome.value)
    if outcome is Outcome.set_aside:
        # Keep the poison message for inspection instead of acknowledging it:
        # rejected without requeue, RabbitMQ routes it to the dead-letter queue.
        raise Reject(f"document {document_id} set aside after repeated crashes", requeue=False)
    return outcome.value


@task("bordereau.relay_outbox", autoretry_for=())
def relay_outbox_task(self: BordereauTask) -> int:
    return outbox.relay(self.resources.engine, self.resources.publisher)


@task("bordereau.requeue_stale", autoretry_for=())
def requeue_stale_task(self: BordereauTask) -> int:
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
