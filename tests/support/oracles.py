"""Straightforward restatements of rules, for property tests to hold the real code against."""

from __future__ import annotations

from datetime import datetime

from ingest.contract.calendar import support_intervals, to_paris


def is_in_support_hours(at: datetime) -> bool:
    """Inside an opening interval of the support desk: an opening instant is inside, a closing one
    is not (docs/contract.md §1)."""
    local = to_paris(at)
    return any(opens <= local < closes for opens, closes in support_intervals(local.date()))
