"""Tasks of the daily/bulk flow: the bulk dispatcher and the ETA/SLA refresh (beat, ops queue)."""

from __future__ import annotations

import logging
from datetime import timedelta

from ingest.flow.classification import reclassify_open_batches
from ingest.flow.dispatch import DISPATCH_TASK, dispatch_round
from ingest.flow.sla import recompute
from ingest.platform import outbox
from ingest.platform.broker import ops_options, send_ops_later
from ingest.platform.columns import utcnow
from ingest.platform.settings import Settings
from workers.base import BordereauTask, task

log = logging.getLogger(__name__)

# How often ETAs, finish times and SLA states are refreshed (wanted setting: `eta_interval`).
ETA_INTERVAL_S = 15.0
# Beat's dispatch round: only a safety net, since rounds chain while documents wait and an upload
# starts one (ingest.flow.dispatch). It restarts a chain whose booked message was lost.
DISPATCH_SAFETY_NET_S = 60.0


@task(DISPATCH_TASK, autoretry_for=())
def dispatch_bulk_task(self: BordereauTask) -> int:
    """One dispatch round, then publish its messages at once rather than at the next relay, and
    the next round when it booked one."""
    rt = self.resources
    interval = self.settings.dispatch_interval
    done = dispatch_round(rt.engine, self.settings.bulk_window, interval=interval)
    if done.dispatched:
        outbox.relay(rt.engine, self.resources.publisher)
    if done.booked_next:
        send_ops_later(rt.broker, self.settings, DISPATCH_TASK, interval)
    return done.dispatched


@task("bordereau.refresh_flow", autoretry_for=())
def refresh_flow_task(self: BordereauTask) -> dict[str, int]:
    """Reclassify daily batches whose invoice dates span months, then refresh ETAs and SLA states."""
    rt = self.resources
    changes = reclassify_open_batches(rt.engine, utcnow())
    result = recompute(rt.engine, margin=timedelta(hours=self.settings.sla_margin_hours),
                       fallback_concurrency=self.settings.worker_concurrency)
    return {"reclassified": len(changes), "open_batches": result.open_batches,
            "finished": result.finished, "breached_documents": result.breached_documents}


def beat_entries(settings: Settings) -> dict[str, dict[str, object]]:
    # Both expire after one interval: a late round is replaced by the next, never piled up.
    return {
        "dispatch-bulk": {"task": DISPATCH_TASK, "schedule": DISPATCH_SAFETY_NET_S,
                          "options": ops_options(settings, expires=DISPATCH_SAFETY_NET_S)},
        "refresh-flow": {"task": "bordereau.refresh_flow", "schedule": ETA_INTERVAL_S,
                         "options": ops_options(settings, expires=ETA_INTERVAL_S)},
    }
