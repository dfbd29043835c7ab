"""Periodic jobs of the availability feature: the probes every 3 minutes, and the hourly
decision on credit claims of months that have ended (docs/contract.md §3)."""

from __future__ import annotations

import logging

from sqlmodel import Session

from ingest.availability.credit_claims import decide_claims
from ingest.availability.probes import run_probes
from ingest.platform.broker import ops_options
from ingest.platform.columns import utcnow
from ingest.platform.settings import Settings
from workers.base import BordereauTask, task

log = logging.getLogger(__name__)

PROBE_INTERVAL_S = 180.0  # docs/contract.md §3: each probe every 3 minutes, 20 an hour
CLOSE_INTERVAL_S = 3600.0


def probe_base_url(settings: Settings) -> str:
    return settings.probe_base_url or settings.api_url


@task("bordereau.run_probes", autoretry_for=())
def run_probes_task(self: BordereauTask) -> list[dict[str, object]]:
    # No retry: a late measurement would stand for a moment that has passed; the next
    # round comes in 3 minutes.
    settings = self.settings
    measurements = run_probes(self.resources.engine, probe_base_url(settings), settings.probe_timeout)
    for m in measurements:
        log.info("probe %s: status %s, %s ms", m.probe, m.status, m.latency_ms)
    return [{"probe": m.probe, "status": m.status, "latency_ms": m.latency_ms} for m in measurements]


@task("bordereau.decide_credit_claims")
def decide_credit_claims_task(self: BordereauTask) -> int:
    with Session(self.resources.engine) as session:
        decided = decide_claims(session, utcnow())
    if decided:
        log.info("credit claims decided: %d", decided)
    return decided


def beat_entries(settings: Settings) -> dict[str, dict[str, object]]:
    return {
        # Expires before the next round: a message stuck behind a backlog is dropped, not
        # run late next to the next one.
        "run-probes": {"task": "bordereau.run_probes", "schedule": PROBE_INTERVAL_S,
                       "options": ops_options(settings, expires=PROBE_INTERVAL_S - 10)},
        "decide-credit-claims": {"task": "bordereau.decide_credit_claims", "schedule": CLOSE_INTERVAL_S,
                                 "options": ops_options(settings, expires=CLOSE_INTERVAL_S / 2)},
    }
