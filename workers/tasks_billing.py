"""Billing jobs: issue the statements due (hourly) and record usage warnings (every 15 min)."""

from __future__ import annotations

from ingest.billing.statements import issue_all_due
from ingest.billing.usage import record_all_warnings
from ingest.platform.broker import ops_options
from ingest.platform.settings import Settings
from workers.base import BordereauTask, task

# Settings we would want: BORDEREAU_STATEMENT_SCAN_INTERVAL and BORDEREAU_USAGE_WARNING_INTERVAL.
STATEMENT_SCAN_INTERVAL_S = 3600.0
USAGE_WARNING_INTERVAL_S = 900.0


@task("bordereau.issue_statements")
def issue_statements_task(self: BordereauTask) -> int:
    """Safe to run twice: a period's statement is unique, the second run finds it."""
    return issue_all_due(self.resources.engine)


@task("bordereau.record_usage_warnings")
def record_usage_warnings_task(self: BordereauTask) -> int:
    return record_all_warnings(self.resources.engine)


def beat_entries(settings: Settings) -> dict[str, dict[str, object]]:
    return {
        "issue-statements": {"task": "bordereau.issue_statements", "schedule": STATEMENT_SCAN_INTERVAL_S,
                             "options": ops_options(settings, expires=STATEMENT_SCAN_INTERVAL_S)},
        "record-usage-warnings": {"task": "bordereau.record_usage_warnings", "schedule": USAGE_WARNING_INTERVAL_S,
                                  "options": ops_options(settings, expires=USAGE_WARNING_INTERVAL_S)},
    }
