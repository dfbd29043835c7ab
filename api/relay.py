"""Publishing the outbox right after an upload commits, off the request path."""

from __future__ import annotations

import logging

from fastapi import BackgroundTasks

from api.deps import Services
from ingest import outbox
from workers.runtime import make_publisher

log = logging.getLogger(__name__)


def relay_now(services: Services) -> int:
    try:
        return outbox.relay(services.engine, make_publisher(services.celery, services.settings))
    except Exception:
        # The periodic relay will pick the rows up; an upload never fails for this.
        log.warning("outbox relay after upload failed", exc_info=True)
        return 0


def relay_soon(background: BackgroundTasks, services: Services) -> None:
    background.add_task(relay_now, services)
