"""OCR availability: a warning when a worker starts without it, and a periodic job that
hands out again the documents that waited for it once it is back."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from ingest import outbox
from ingest.documents.ocr import OcrConfig, ocr_status
from ingest.requeue import requeue_waiting_for_ocr
from ingest.settings import Settings
from workers.app import ops_options
from workers.runtime import make_publisher
from workers.tasks import BordereauTask

log = logging.getLogger(__name__)

OCR_RECHECK_INTERVAL_S = 300.0


@worker_ready.connect
def _warn_without_ocr(sender: Any = None, **_: Any) -> None:
    settings = getattr(getattr(sender, "app", None), "conf", {}).get("bordereau_settings")
    if settings is None:
        return
    status = ocr_status(OcrConfig.from_settings(settings))
    if status != "ok":
        log.warning("OCR %s: scans and PDF pages without text will wait until it is installed", status)


@shared_task(bind=True, base=BordereauTask, name="bordereau.requeue_waiting_for_ocr", autoretry_for=())
def requeue_waiting_for_ocr_task(self: BordereauTask) -> int:
    count = requeue_waiting_for_ocr(self.runtime.engine, OcrConfig.from_settings(self.settings))
    if count:
        log.info("OCR is available: %d waiting documents queued again", count)
        outbox.relay(self.runtime.engine, make_publisher(self.app, self.settings))
    return count


def beat_entries(settings: Settings) -> dict[str, dict[str, object]]:
    return {
        "requeue-waiting-for-ocr": {"task": "bordereau.requeue_waiting_for_ocr",
                                    "schedule": OCR_RECHECK_INTERVAL_S,
                                    "options": ops_options(settings, expires=OCR_RECHECK_INTERVAL_S / 2)},
    }
