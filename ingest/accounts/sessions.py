"""Sessions: how people stay signed in (programs use API keys, ``ingest.accounts.keys``).

A session is a row on the server, so that it can be ended at once (sign-out, a deactivated user or
account, a password reset). The browser holds a random token; the table keeps only its SHA-256, as
for keys: the token has 256 bits of entropy, so a fast hash is enough. A session ends after a
quiet spell (``idle``) and, whatever the activity, after ``absolute``.

Requests that change something with a session also carry a CSRF token (double submit): the page
reads it from a cookie of its own and echoes it in a header. It is derived from the session token,
so it needs no storage, dies with the session, and cannot be forged without the session token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ingest.accounts.tables import User, WebSession

# The last-seen instant is written at most once a minute: a page that polls does not write a row per
# request, and the idle expiry is off by at most that.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(token: str) -> str:
    """The CSRF token that goes with a session token."""
    return hashlib.sha256(b"csrf:" + token.encode()).hexdigest()


def csrf_matches(token: str, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(csrf_token(token), sent or "")


def open_session(session: Session, user: User, *, now: datetime, lifetimes: Lifetimes,
                 address: str | None) -> tuple[WebSession, str]:
    """A new session for `user`; the token is returned once (the caller commits)."""
    token = secrets.token_urlsafe(32)
    row = WebSession(user_id=user.id, token_hash=_digest(token), created_at=now, last_seen_at=now,
                     expires_at=now + lifetimes.absolute, address=address)
    session.add(row)
    return row, token


def live_session(session: Session, token: str, *, now: datetime, idle: timedelta) -> WebSession | None:
    """The session behind `token` if it is neither ended nor expired; its last-seen instant is
    moved on (the caller commits)."""
    row = session.exec(select(WebSession).where(WebSession.token_hash == _digest(token))).first()
    if row is None or row.revoked_at is not None or now >= row.expires_at or now >= row.last_seen_at + idle:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return row


def end_session(session: Session, session_id: str, now: datetime) -> None:
    row = session.get(WebSession, session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        session.add(row)


def end_sessions_of(session: Session, user_ids: list[str], now: datetime, *, keep: str | None = None) -> None:
    """End every open session of these users (but `keep`, the caller's own)."""
    if not user_ids:
        return
    stmt = (sa.update(WebSession).where(col(WebSession.user_id).in_(user_ids), col(WebSession.revoked_at).is_(None))
            .values(revoked_at=now))
    if keep:
        stmt = stmt.where(col(WebSession.id) != keep)
    session.execute(stmt)
