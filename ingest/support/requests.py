"""Support requests: registration by a client, pick-up, qualification and follow-up by operators.

docs/contract.md §2. Each use case takes ``at`` (when the step happened, default: now) and ``now`` (the
clock, so tests control time), owns its one commit, and raises :class:`SupportError` with a stable
code. The request's history is its events; its columns summarise them for the lists. The
vocabulary and the rules that need no database (statuses, deadlines met, standing, attachment
names) are in :mod:`ingest.support.rules`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import BinaryIO

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ingest.accounts.principal import Principal, scoped
from ingest.contract.calendar import require_aware
from ingest.contract.support import DeadlineState, due_at
from ingest.platform.columns import utcnow
from ingest.platform.pages import fetch_page
from ingest.store import ObjectStore
from ingest.support.rules import (
    FOLLOW_UP_KINDS,
    EventKind,
    Qualification,
    Standing,
    SupportCode,
    SupportError,
    attachment_key,
    meets_deadline,
    standing,
)
from ingest.support.tables import SupportAttachment, SupportEvent, SupportRequest

# An operator may record a step that just happened on another clock, not one in the future.
CLOCK_SKEW = timedelta(minutes=2)
MAX_ATTACHMENTS = 20


# --- use cases ------------------------------------------------------------------------------------

def _clock(at: datetime | None, now: datetime | None) -> tuple[datetime, datetime]:
    current = require_aware(now, "now") if now is not None else utcnow()
    when = require_aware(at, "at") if at is not None else current
    if when > current + CLOCK_SKEW:
        raise SupportError(SupportCode.AT_IN_FUTURE, f"The instant {when.isoformat()} is in the future.")
    return when, current


def _event(req: SupportRequest, principal: Principal, kind: EventKind, at: datetime, now: datetime,
           text: str = "", criticality: int | None = None) -> SupportEvent:
    return SupportEvent(request_id=req.id, kind=kind, at=at, by_user_id=principal.user_id,
                        by_role=principal.role, text=text, criticality=criticality, recorded_at=now)


def register_request(session: Session, principal: Principal, *, description: str, context: str = "",
                     error_messages: str = "", steps: str = "", at: datetime | None = None,
                     now: datetime | None = None) -> SupportRequest:
    """A client's new request; the pick-up clock starts at ``at`` (clock start applied)."""
    if principal.account_id is None:
        raise SupportError(SupportCode.NO_ACCOUNT, "Operators register no requests: use a client's key.")
    when, current = _clock(at, now)
    req = SupportRequest(account_id=principal.account_id, registered_by=principal.user_id,
                         description=description.strip(), context=context, error_messages=error_messages,
                         steps=steps, registered_at=when, last_event_at=when)
    session.add(req)
    session.flush()
    session.add(_event(req, principal, EventKind.REGISTERED, when, current))
    session.commit()
    return req


def visible_request(session: Session, principal: Principal, request_id: str,
                    for_update: bool = False) -> SupportRequest:
    """The request, if ``principal`` may see it; another account's request does not exist for them."""
    stmt = select(SupportRequest).where(SupportRequest.id == request_id)
    if for_update:
        stmt = stmt.with_for_update()
    req = session.exec(stmt).first()
    if req is None or (not principal.is_operator and req.account_id != principal.account_id):
        raise SupportError(SupportCode.NOT_FOUND, f"No support request {request_id}.")
    return req


def _open_for_step(session: Session, principal: Principal, request_id: str, at: datetime | None,
                   now: datetime | None) -> tuple[SupportRequest, datetime, datetime]:
    """Lock the request and check that a step at ``at`` may follow its history."""
    when, current = _clock(at, now)
    req = visible_request(session, principal, request_id, for_update=True)
    if req.closed_at is not None:
        raise SupportError(SupportCode.CLOSED, "This request is closed; nothing more can be recorded.")
    if when < req.last_event_at:
        raise SupportError(SupportCode.OUT_OF_ORDER,
                           f"{when.isoformat()} is before the request's latest step "
                           f"({req.last_event_at.isoformat()}).")
    return req, when, current


def _commit_step(session: Session, req: SupportRequest, event: SupportEvent) -> SupportRequest:
    req.last_event_at = event.at
    session.add(req)
    session.add(event)
    session.commit()
    return req


def pick_up(session: Session, principal: Principal, request_id: str, *, note: str = "",
            at: datetime | None = None, now: datetime | None = None) -> SupportRequest:
    req, when, current = _open_for_step(session, principal, request_id, at, now)
    if req.picked_up_at is not None:
        raise SupportError(SupportCode.ALREADY_PICKED_UP, "This request was already picked up.")
    req.picked_up_at = when
    return _commit_step(session, req, _event(req, principal, EventKind.PICKED_UP, when, current, note))


def qualify(session: Session, principal: Principal, request_id: str, *, criticality: int | None = None,
            not_an_anomaly: bool = False, note: str = "", at: datetime | None = None,
            now: datetime | None = None) -> SupportRequest:
    """Qualify as an anomaly of ``criticality`` (its deadline runs from ``at``) or as not one."""
    if not_an_anomaly == (criticality is not None) or (criticality is not None and criticality not in (1, 2, 3)):
        raise SupportError(SupportCode.INVALID_QUALIFICATION,
                           "Give either a criticality of 1, 2 or 3, or not_an_anomaly: true.")
    req, when, current = _open_for_step(session, principal, request_id, at, now)
    if req.picked_up_at is None:
        raise SupportError(SupportCode.NOT_PICKED_UP, "Record the pick-up before the qualification.")
    if req.qualified_at is not None:
        raise SupportError(SupportCode.ALREADY_QUALIFIED, "This request is already qualified.")
    req.qualified_at, req.criticality = when, criticality
    req.qualification = Qualification.NOT_AN_ANOMALY if not_an_anomaly else Qualification.ANOMALY
    req.due_at = None if criticality is None else due_at(criticality, when)
    event = _event(req, principal, EventKind.QUALIFIED, when, current, note, criticality)
    return _commit_step(session, req, event)


def record_follow_up(session: Session, principal: Principal, request_id: str, kind: EventKind, text: str,
                     *, at: datetime | None = None, now: datetime | None = None) -> SupportRequest:
    """An action plan, workaround or fix for a qualified anomaly; the first one that is owed
    meets the deadline."""
    if kind not in FOLLOW_UP_KINDS:
        raise ValueError(f"not a follow-up: {kind}")
    req, when, current = _open_for_step(session, principal, request_id, at, now)
    if req.qualified_at is None:
        raise SupportError(SupportCode.NOT_QUALIFIED, "Qualify the request before recording this.")
    if req.qualification != Qualification.ANOMALY:
        raise SupportError(SupportCode.NOT_AN_ANOMALY, "This request was qualified as not an anomaly.")
    if req.met_at is None and meets_deadline(req.criticality, kind):
        req.met_at = when
    return _commit_step(session, req, _event(req, principal, kind, when, current, text))


def close(session: Session, principal: Principal, request_id: str, *, note: str = "",
          at: datetime | None = None, now: datetime | None = None) -> SupportRequest:
    req, when, current = _open_for_step(session, principal, request_id, at, now)
    req.closed_at = when
    return _commit_step(session, req, _event(req, principal, EventKind.CLOSED, when, current, note))


def add_attachment(session: Session, store: ObjectStore, principal: Principal, request_id: str,
                   filename: str, fileobj: BinaryIO, size: int,
                   content_type: str = "application/octet-stream", now: datetime | None = None) -> SupportAttachment:
    """Store a file of the request under ``support/<id>/<n>-<safe name>``. The row is written first
    (its number is unique per request), the object next, and the commit last: a failed upload
    leaves at most an orphan object under a number that is never reused."""
    current = require_aware(now, "now") if now is not None else utcnow()
    req = visible_request(session, principal, request_id, for_update=True)
    if req.closed_at is not None:
        raise SupportError(SupportCode.CLOSED, "This request is closed; nothing more can be added.")
    if req.attachment_count >= MAX_ATTACHMENTS:
        raise SupportError(SupportCode.TOO_MANY_ATTACHMENTS,
                           f"A request holds at most {MAX_ATTACHMENTS} attachments.")
    number = req.attachment_count + 1
    att = SupportAttachment(request_id=req.id, number=number, filename=filename[:500],
                            object_key=attachment_key(req.id, number, filename), size=size,
                            content_type=content_type[:200], uploaded_by=principal.user_id, uploaded_at=current)
    req.attachment_count = number
    session.add_all([att, req, _event(req, principal, EventKind.ATTACHMENT_ADDED, current, current, filename)])
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise SupportError(SupportCode.ATTACHMENT_CONFLICT,
                           "Another attachment was being added at the same time; send it again.") from exc
    store.put_file(att.object_key, fileobj, size)
    session.commit()
    return att


def attachment(session: Session, principal: Principal, request_id: str, number: int) -> SupportAttachment:
    req = visible_request(session, principal, request_id)
    att = session.exec(select(SupportAttachment).where(SupportAttachment.request_id == req.id,
                                                       SupportAttachment.number == number)).first()
    if att is None:
        raise SupportError(SupportCode.NOT_FOUND, f"No attachment {number} on request {request_id}.")
    return att


def history(session: Session, request_id: str) -> tuple[list[SupportEvent], list[SupportAttachment]]:
    events = session.exec(select(SupportEvent).where(SupportEvent.request_id == request_id)
                          .order_by(col(SupportEvent.at), col(SupportEvent.id))).all()
    files = session.exec(select(SupportAttachment).where(SupportAttachment.request_id == request_id)
                         .order_by(col(SupportAttachment.number))).all()
    return list(events), list(files)


def list_requests(session: Session, principal: Principal, *, limit: int, offset: int,
                  status: str | None = None) -> tuple[list[SupportRequest], int]:
    """Newest first; a client sees its account's requests, an operator all of them."""
    stmt = scoped(select(SupportRequest), SupportRequest.account_id, principal)
    if status == "open":
        stmt = stmt.where(col(SupportRequest.closed_at).is_(None))
    elif status == "closed":
        stmt = stmt.where(col(SupportRequest.closed_at).is_not(None))
    return fetch_page(session, stmt, col(SupportRequest.registered_at).desc(), col(SupportRequest.id),
                      limit=limit, offset=offset)


def needing_attention(session: Session, now: datetime) -> list[tuple[SupportRequest, Standing]]:
    """Open anomalies whose deadline is due soon or passed without being met, soonest due first.

    Open anomalies with a deadline are few, so the support-hour arithmetic runs here rather than
    in SQL; only the late ones could be found by a plain comparison."""
    rows = session.exec(select(SupportRequest).where(
        col(SupportRequest.due_at).is_not(None), col(SupportRequest.met_at).is_(None),
        col(SupportRequest.closed_at).is_(None)).order_by(col(SupportRequest.due_at), col(SupportRequest.id))).all()
    wanted = (DeadlineState.DUE_SOON, DeadlineState.LATE)
    pairs = [(req, standing(req, now)) for req in rows]
    return [(req, st) for req, st in pairs if st.deadline_state in wanted]
