"""The nightly purge and the daily integrity scan, as beat-driven tasks on the ops queue.

Both are thin wrappers: the work and its safety (lock, chunks, resumability) live in
``ingest.history.purge`` and ``ingest.history.integrity``. A purge bigger than one task's time budget stops
cleanly in state ``paused`` and sends itself again; a second purge finding the lock taken
returns at once.
"""

from __future__ import annotations

import logging

from celery.schedules import crontab

from ingest.history.integrity import report_dict, run_integrity
from ingest.history.purge import PurgeBusy, run_purge
from ingest.history.tables import RunState
from ingest.platform.broker import ops_options
from ingest.platform.settings import Settings
from workers.base import BordereauTask, task

log = logging.getLogger(__name__)

# Local time (Europe/Paris, the app's timezone) of the integrity scan: after the purge, before
# office hours. A setting `integrity_at` would be the place for it.
INTEGRITY_AT = "04:30"
# Share of the soft time limit a run may use before it pauses, leaving time to commit its chunk.
BUDGET_SHARE = 0.8


def _budget(task: BordereauTask) -> float:
    return task.settings.task_soft_time_limit * BUDGET_SHARE


@task("bordereau.purge", autoretry_for=())
def purge_task(self: BordereauTask) -> dict[str, object]:
    rt = self.resources
    try:
        result = run_purge(rt.engine, rt.store, max_seconds=_budget(self))
    except PurgeBusy as exc:
        log.info("purge skipped: %s", exc)
        return {"state": "busy"}
    log.info("purge %s: %s, %d documents, %d bytes, %d keys refused", result.run_id, result.state.value,
             result.documents, result.bytes, len(result.failures))
    if result.state == RunState.paused:
        self.apply_async(**ops_options(self.settings, expires=3600))  # go on where it stopped
    return {"run_id": result.run_id, "state": result.state.value, "documents": result.documents}


@task("bordereau.integrity", autoretry_for=())
def integrity_task(self: BordereauTask) -> dict[str, object]:
    rt = self.resources
    try:
        report = run_integrity(rt.engine, rt.store, max_seconds=_budget(self))
    except PurgeBusy as exc:
        log.info("integrity scan skipped: %s", exc)
        return {"state": "busy"}
    body = report_dict(report)
    if report.missing_count:
        log.error("integrity %s: %d rows miss their original", report.id, report.missing_count)
    return {k: body[k] for k in ("id", "complete", "orphans_removed", "missing_count")}


def _at(value: str) -> crontab:
    hour, _, minute = value.partition(":")
    return crontab(hour=int(hour), minute=int(minute or 0))


def beat_entries(settings: Settings) -> dict[str, dict[str, object]]:
    # crontab runs in the app's timezone, Europe/Paris: 02:30 stays 02:30 across DST changes.
    return {
        "purge-nightly": {"task": "bordereau.purge", "schedule": _at(settings.purge_at),
                          "options": ops_options(settings, expires=3600)},
        "integrity-daily": {"task": "bordereau.integrity", "schedule": _at(INTEGRITY_AT),
                            "options": ops_options(settings, expires=3600)},
    }
