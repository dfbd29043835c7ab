"""OCR availability: a warning when a worker starts without it, and a periodic job that
hands out again the documents that waited for it once it is back."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import worker_ready

from ingest.documents.ocr import ocr_status
from ingest.platform import outbox
from ingest.platform.broker import ops_options
from ingest.platform.settings import Settings
from ingest.processing.requeue import requeue_waiting_for_ocr
from ingest.resources import ocr_from
from workers.base import BordereauTask, task

log = logging.getLogger(__name__)

OCR_RECHECK_INTERVAL_S = 300.0


def _warn_without_ocr(sender: Any = None, **_: Any) -> None:
    settings = getattr(getattr(sender, "app", None), "conf", {}).get("bordereau_settings")
    if settings is None:
        return
    status = ocr_status(ocr_from(settings))
    if status != "ok":
        log.warning("OCR %s: scans and PDF pages without text will wait until it is installed", status)


worker_ready.connect(_warn_without_ocr)


@task("bordereau.requeue_waiting_for_ocr", autoretry_for=())
def requeue_waiting_for_ocr_task(self: BordereauTask) -> int:
    count = requeue_waiting_for_ocr(self.resources.engine, self.resources.ocr)
    if count:
        log.info("OCR is available: %d waiting documents queued again", count)
        outbox.relay(self.resources.engine, self.resources.publisher)
    return count


def beat_entries(settings: Settings) -> dict[str, dict[str, object]]:
    return {
        "requeue-waiting-for-ocr": {"task": "bordereau.requeue_waiting_for_ocr",
                                    "schedule": OCR_RECHECK_INTERVAL_S,
                                    "options": ops_options(settings, expires=OCR_RECHECK_INTERVAL_S / 2)},
    }
