"""Documents that wait (``ingest.processing.waiting``): a warning when a worker starts without
OCR, and a periodic job that hands out again what waited for OCR or for the object store once it
answers."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import worker_ready

from ingest.documents.ocr import engine_in_use, ocr_status
from ingest.platform import outbox
from ingest.platform.broker import ops_options
from ingest.platform.settings import Settings
from ingest.processing.waiting import Waiting, requeue_waiting
from ingest.resources import ocr_from
from ingest.store import StoreUnavailable
from workers.base import BordereauTask, task

log = logging.getLogger(__name__)

RESUME_INTERVAL_S = 60.0


def _warn_without_ocr(sender: Any = None, **_: Any) -> None:
    settings = getattr(getattr(sender, "app", None), "conf", {}).get("bordereau_settings")
    if settings is None:
        return
    config = ocr_from(settings)
    status = ocr_status(config)
    if status != "ok":
        log.warning("OCR %s: scans and PDF pages without text will wait until it is installed", status)
    else:
        log.info("OCR ok: Tesseract runs %s", "in process" if engine_in_use(config) == "tesserocr" else "as a command")


worker_ready.connect(_warn_without_ocr)


@task("bordereau.resume_waiting", autoretry_for=())
def resume_waiting_task(self: BordereauTask) -> dict[str, int]:
    """What a document waits for is checked only when one waits for it."""
    rt = self.resources

    def store_answers() -> bool:
        try:
            rt.store.ping()
        except StoreUnavailable:
            return False
        return True

    resumed = {Waiting.ocr_unavailable.value: requeue_waiting(rt.engine, Waiting.ocr_unavailable,
                                                               lambda: ocr_status(rt.ocr) == "ok"),
               Waiting.waiting_for_store.value: requeue_waiting(rt.engine, Waiting.waiting_for_store, store_answers)}
    if any(resumed.values()):
        log.info("waiting documents queued again: %s", resumed)
        outbox.relay(rt.engine, rt.publisher)
    return resumed


def beat_entries(settings: Settings) -> dict[str, dict[str, object]]:
    return {
        "resume-waiting": {"task": "bordereau.resume_waiting", "schedule": RESUME_INTERVAL_S,
                           "options": ops_options(settings, expires=RESUME_INTERVAL_S / 2)},
    }
