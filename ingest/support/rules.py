"""Support requests without a database: their vocabulary and the rules computed from their columns.

What a request may be (statuses, event kinds, refusal codes), which follow-up meets which
deadline, where a request stands at a given instant, and how an attachment is named in the store.
Kept apart from :mod:`ingest.support.requests`, the use cases that lock, write and commit, so that
these rules read and test without a session, and so that the API's schemas can depend on them
without pulling in the use cases.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ingest.contract.calendar import require_aware, support_hours_between
from ingest.contract.support import Criticality, DeadlineState, deadline_state
from ingest.platform.errors import Code, DomainError
from ingest.support.tables import SupportRequest

# A deadline is "due soon" when at most this much support time is left. Wanted as the setting
# BORDEREAU_SUPPORT_DUE_SOON_HOURS.
DUE_SOON_WITHIN = timedelta(hours=4)


class SupportCode(Code):
    NOT_FOUND = "not_found", "No such support request or attachment in your account."
    NO_ACCOUNT = "no_account", "Operators register no requests: use a client's key."
    ALREADY_PICKED_UP = "already_picked_up", "The request was already picked up."
    NOT_PICKED_UP = "not_picked_up", "Record the pick-up before the qualification."
    ALREADY_QUALIFIED = "already_qualified", "The request is already qualified."
    NOT_QUALIFIED = "not_qualified", "Qualify the request before recording a follow-up."
    NOT_AN_ANOMALY = "not_an_anomaly", "The request was qualified as not an anomaly: no follow-up is owed."
    INVALID_QUALIFICATION = "invalid_qualification", "Give a criticality of 1, 2 or 3, or not_an_anomaly."
    CLOSED = "request_closed", "The request is closed; nothing more can be recorded."
    OUT_OF_ORDER = "out_of_order", "A step cannot be dated before the request's latest step."
    AT_IN_FUTURE = "at_in_future", "A step cannot be dated in the future."
    TOO_MANY_ATTACHMENTS = "too_many_attachments", "A request holds at most 20 attachments."
    ATTACHMENT_CONFLICT = "attachment_conflict", "Another attachment was added at the same time: send it again."


class SupportError(DomainError):
    """A support request step refused (see `SupportCode`)."""


class EventKind(StrEnum):
    REGISTERED = "registered"
    ATTACHMENT_ADDED = "attachment_added"
    PICKED_UP = "picked_up"
    QUALIFIED = "qualified"
    ACTION_PLAN = "action_plan"  # the corrective action plan owed for criticality 1
    WORKAROUND = "workaround"
    FIX = "fix"
    CLOSED = "closed"


class Qualification(StrEnum):
    ANOMALY = "anomaly"
    NOT_AN_ANOMALY = "not_an_anomaly"


class Status(StrEnum):
    REGISTERED = "registered"
    PICKED_UP = "picked_up"
    QUALIFIED = "qualified"
    CLOSED = "closed"


FOLLOW_UP_KINDS = (EventKind.ACTION_PLAN, EventKind.WORKAROUND, EventKind.FIX)
_MEETS_DEADLINE = {
    Criticality.BLOCKING: frozenset({EventKind.ACTION_PLAN}),
    Criticality.MAJOR: frozenset({EventKind.WORKAROUND, EventKind.FIX}),
}


# --- pure rules -----------------------------------------------------------------------------------

def meets_deadline(criticality: int | None, kind: str) -> bool:
    """Whether an event of ``kind`` delivers what an anomaly of ``criticality`` is owed."""
    if criticality is None or criticality == Criticality.MINOR:
        return False
    return kind in _MEETS_DEADLINE[Criticality(criticality)]


@dataclass(frozen=True)
class SupportHours:
    """Support time taken: to the pick-up, from qualification to the deadline-meeting event (only
    for criticality 1 and 2, comparable with what is owed), and in all. Each runs until now while
    its step is missing, and stops at closure."""

    to_pick_up: timedelta
    against_deadline: timedelta | None
    total: timedelta


@dataclass(frozen=True)
class Standing:
    status: Status
    due_at: datetime | None
    deadline_state: DeadlineState | None
    hours: SupportHours


def status_of(req: SupportRequest) -> Status:
    if req.closed_at is not None:
        return Status.CLOSED
    if req.qualified_at is not None:
        return Status.QUALIFIED
    return Status.PICKED_UP if req.picked_up_at is not None else Status.REGISTERED


def standing(req: SupportRequest, now: datetime) -> Standing:
    """Where a request stands at ``now``; a closed request's clocks stopped at its closure."""
    stop = req.closed_at or require_aware(now, "now")
    against = (support_hours_between(req.qualified_at, req.met_at or stop)
               if req.due_at is not None and req.qualified_at is not None else None)
    hours = SupportHours(to_pick_up=support_hours_between(req.registered_at, req.picked_up_at or stop),
                         against_deadline=against, total=support_hours_between(req.registered_at, stop))
    state = deadline_state(req.due_at, req.met_at, stop, DUE_SOON_WITHIN)
    return Standing(status_of(req), req.due_at, state, hours)


def safe_name(filename: str, limit: int = 100) -> str:
    """A file name fit for an object key: ASCII letters, digits, '.', '-', '_' and nothing that
    could climb out of a folder; the original name is kept in the database."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    # 'été' becomes 'ete' rather than '___': decompose, then drop the accents.
    base = "".join(c for c in unicodedata.normalize("NFKD", base) if not unicodedata.combining(c))
    cleaned = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in base)
    cleaned = cleaned.lstrip(".")[:limit]
    return cleaned or "file"


def attachment_key(request_id: str, number: int, filename: str) -> str:
    return f"support/{request_id}/{number}-{safe_name(filename)}"
