"""Celery tasks: thin wrappers over ``ingest`` use cases. They take ids only."""

from __future__ import annotations

import logging
from celery import Task, shared_task
from celery.signals import task_prerun
from celery.exceptions import Reject, SoftTimeLimitExceeded

from ingest import logs, outbox
from ingest.documents.ocr import OcrConfig
from ingest.processing import TRANSIENT_ERRORS, Failure, Outcome, give_up, process_document
from ingest.requeue import requeue_stale
from ingest.settings import Settings
from workers.app import ops_options
from workers.runtime import Runtime, make_publisher, runtime

log = logging.getLogger(__name__)


@task_prerun.connect
def _tag_logs(task_id: str | None = None, **_: object) -> None:
    logs.task_id.set(task_id)



class BordereauTask(Task):
    """Defaults every task shares: transient faults retry with capped backoff
    (well under RabbitMQ's consumer_timeout), nothing else retries."""

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 2
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8
    typing = True

    @property
    def settings(self) -> Settings:
        return self.app.conf.bordereau_settings  # type: ignore[no-any-return]

    @property
    def runtime(self) -> Runtime:
        return runtime(self.settings)


@shared_task(bind=True, base=BordereauTask, name=outbox.PROCESS_DOCUMENT)
def process_document_task(self: BordereauTask, document_id: str) -> str:
    rt = self.runtime
    # A redelivered message means its worker died: it may take over that claim.
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    try:
        outcome = process_document(rt.engine, rt.store, rt.limits, document_id, lease=rt.lease,
                                   max_attempts=self.settings.max_attempts, redelivered=redelivered,
                                   timeouts=(SoftTimeLimitExceeded,), ocr=OcrConfig.from_settings(self.settings))
    except TRANSIENT_ERRORS:
        if self.request.retries >= self.max_retries:
            give_up(rt.engine, document_id, Failure.retries_exhausted,
                    "The store or the database stayed unreachable; processing gave up.", lease=rt.lease)
            return Outcome.failed.value
        raise
    log.info("document %s: %s", document_id, outcome.value)
    if outcome is Outcome.set_aside:
        # Keep the poison message for inspection instead of acknowledging it:
        # rejected without requeue, RabbitMQ routes it to the dead-letter queue.
        raise Reject(f"document {document_id} set aside after repeated crashes", requeue=False)
    return outcome.value


@shared_task(bind=True, base=BordereauTask, name="bordereau.relay_outbox", autoretry_for=())
def relay_outbox_task(self: BordereauTask) -> int:
    return outbox.relay(self.runtime.engine, make_publisher(self.app, self.settings))


@shared_task(bind=True, base=BordereauTask, name="bordereau.requeue_stale", autoretry_for=())
def requeue_stale_task(self: BordereauTask) -> int:
    count = requeue_stale(self.runtime.engine)
    if count:
        outbox.relay(self.runtime.engine, make_publisher(self.app, self.settings))
    return count



@shared_task(bind=True, base=BordereauTask, name="bordereau.prune_outbox", autoretry_for=())
def prune_outbox_task(self: BordereauTask) -> int:
    return outbox.prune(self.runtime.engine)


def beat_entries(settings: Settings) -> dict[str, dict[str, object]]:
    ops = ops_options(settings)
    return {
        "relay-outbox": {"task": "bordereau.relay_outbox", "schedule": settings.outbox_relay_interval,
                         "options": ops},
        "requeue-stale": {"task": "bordereau.requeue_stale", "schedule": 60.0, "options": ops},
        "prune-outbox": {"task": "bordereau.prune_outbox", "schedule": 3600.0, "options": ops},
    }
