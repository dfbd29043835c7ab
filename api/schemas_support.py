"""Shapes of the support-request and maintenance answers, apart from their tables.

Contract instants are answered on the Europe/Paris clock with their offset
(``2026-12-29T15:50:00+01:00``); support hours as decimal hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field

from api.bounds import Instant, LongText, Note, RequiredText
from ingest.contract.calendar import to_paris
from ingest.support.rules import Standing
from ingest.support.tables import (
    MaintenanceWindow,
    SupportAttachment,
    SupportEvent,
    SupportRequest,
)


def paris(value: datetime | None) -> datetime | None:
    return None if value is None else to_paris(value)


def hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


class SupportRequestCreate(BaseModel):
    description: RequiredText
    context: LongText = ""
    error_messages: LongText = ""
    steps: LongText = Field(default="", description="steps to reproduce")


class StepBody(BaseModel):
    note: LongText = ""
    at: Instant | None = Field(default=None, description="when it happened (default: now); "
                                     "not in the future, not before the request's latest step")


class QualifyBody(StepBody):
    criticality: Literal[1, 2, 3] | None = None
    not_an_anomaly: bool = False


class FollowUpBody(BaseModel):
    text: RequiredText
    at: Instant | None = None


class SupportHoursPublic(BaseModel):
    to_pick_up: float = Field(description="support hours from registration to pick-up (or now)")
    against_deadline: float | None = Field(
        description="support hours from qualification to the deadline-meeting step (or now); "
                    "criticality 1 and 2 only")
    total: float = Field(description="support hours from registration to closure (or now)")


class EventPublic(BaseModel):
    kind: str
    at: datetime
    by_user_id: str
    by_role: str
    text: str
    criticality: int | None


class AttachmentPublic(BaseModel):
    number: int
    filename: str
    size: int
    content_type: str
    uploaded_at: datetime
    href: str


class SupportRequestSummary(BaseModel):
    id: str
    account_id: str
    description: str
    status: str
    registered_at: datetime
    picked_up_at: datetime | None
    qualified_at: datetime | None
    qualification: str | None
    criticality: int | None
    due_at: datetime | None
    deadline_state: str | None = Field(description="on_time, due_soon, late or met; null without deadline")
    met_at: datetime | None
    closed_at: datetime | None
    support_hours: SupportHoursPublic


class SupportRequestPublic(SupportRequestSummary):
    registered_by: str
    context: str
    error_messages: str
    steps: str
    events: list[EventPublic]
    attachments: list[AttachmentPublic]


def summary(req: SupportRequest, st: Standing) -> SupportRequestSummary:
    return SupportRequestSummary(**_summary_fields(req, st))


def _summary_fields(req: SupportRequest, st: Standing) -> dict[str, object]:
    hours_taken = SupportHoursPublic(to_pick_up=hours(st.hours.to_pick_up) or 0.0,
                                     against_deadline=hours(st.hours.against_deadline),
                                     total=hours(st.hours.total) or 0.0)
    return {"id": req.id, "account_id": req.account_id, "description": req.description, "status": st.status,
            "registered_at": paris(req.registered_at), "picked_up_at": paris(req.picked_up_at),
            "qualified_at": paris(req.qualified_at), "qualification": req.qualification,
            "criticality": req.criticality, "due_at": paris(st.due_at), "deadline_state": st.deadline_state,
            "met_at": paris(req.met_at), "closed_at": paris(req.closed_at), "support_hours": hours_taken}


def detail(req: SupportRequest, st: Standing, events: list[SupportEvent],
           files: list[SupportAttachment]) -> SupportRequestPublic:
    return SupportRequestPublic(
        **_summary_fields(req, st), registered_by=req.registered_by, context=req.context,
        error_messages=req.error_messages, steps=req.steps,
        events=[EventPublic(kind=e.kind, at=to_paris(e.at), by_user_id=e.by_user_id, by_role=e.by_role,
                            text=e.text, criticality=e.criticality) for e in events],
        attachments=[attachment_public(a) for a in files])


def attachment_public(a: SupportAttachment) -> AttachmentPublic:
    return AttachmentPublic(number=a.number, filename=a.filename, size=a.size, content_type=a.content_type,
                            uploaded_at=to_paris(a.uploaded_at),
                            href=f"/v1/support-requests/{a.request_id}/attachments/{a.number}")


class MaintenanceCreate(BaseModel):
    # `start` and `end`, the names before this release, are still read (deprecated).
    starts_at: Instant = Field(validation_alias=AliasChoices("starts_at", "start"))
    ends_at: Instant = Field(validation_alias=AliasChoices("ends_at", "end"))
    description: Note = ""


class MaintenancePublic(BaseModel):
    id: str
    starts_at: datetime
    ends_at: datetime
    description: str
    kind: str = Field(description="scheduled (announced before its start) or urgent")
    recorded_at: datetime
    start: datetime = Field(deprecated=True, description="Deprecated, removed in the next release: starts_at")
    end: datetime = Field(deprecated=True, description="Deprecated, removed in the next release: ends_at")


def maintenance_public(w: MaintenanceWindow) -> MaintenancePublic:
    starts_at, ends_at = to_paris(w.starts_at), to_paris(w.ends_at)
    return MaintenancePublic(id=w.id, starts_at=starts_at, ends_at=ends_at, description=w.description,
                             kind=w.kind, recorded_at=to_paris(w.recorded_at), start=starts_at, end=ends_at)
