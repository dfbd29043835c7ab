"""Publishing the outbox right after an upload commits, off the request path."""

from __future__ import annotations

import logging

from fastapi import BackgroundTasks

from ingest.resources import Resources

log = logging.getLogger(__name__)


def relay_now(resources: Resources) -> int:
    try:
        return resources.relay.run()
    except Exception:
        # The periodic relay will pick the rows up; an upload never fails for this.
        log.warning("outbox relay after upload failed", exc_info=True)
        return 0


def relay_soon(background: BackgroundTasks, resources: Resources) -> None:
    background.add_task(relay_now, resources)
