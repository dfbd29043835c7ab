"""At a worker's start, the embedded broker's messages whose consumer died holding them are shown
again (``ingest.platform.embedded_broker``): a worker restarted after a crash takes back the work
its previous run held, instead of leaving it to beat's next sweep. Nothing to do on RabbitMQ,
which requeues a dead connection's messages itself."""

from __future__ import annotations

import logging
from typing import Any

from celery import bootsteps

from ingest.platform.broker import restore_orphaned_messages

log = logging.getLogger(__name__)


class RestoreOrphans(bootsteps.StartStopStep):  # type: ignore[misc]  # Celery ships no type information
    def start(self, worker: Any) -> None:
        if restored := restore_orphaned_messages(worker.app.conf.bordereau_settings):
            log.warning("%d messages of a worker that died holding them are queued again", restored)
