"""Who is calling: the principal behind an API key or a session token, or nobody.

Both ways end at the same checks, made on every request, so that stopping a user or an account
takes effect on the very next one (docs/contract.md §7): the user is active and not deleted, its
account (operators have none) is active. The principal carries the user's dossier rights.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from ingest.accounts.keys import key_row, note_use
from ingest.accounts.principal import Principal
from ingest.accounts.sessions import live_session
from ingest.accounts.tables import Account, Role, User, UserDossier


def dossier_rights(session: Session, user: User) -> frozenset[str] | None:
    """The dossiers a user is limited to, or None when it sees every dossier of its account."""
    if user.all_dossiers:
        return None
    rows = session.exec(select(UserDossier.dossier_id).where(UserDossier.user_id == user.id)).all()
    return frozenset(rows)


def _usable(session: Session, user: User | None) -> bool:
    if user is None or not user.active or user.deleted_at is not None:
        return False
    if user.account_id is None:
        return True
    account = session.get(Account, user.account_id)
    return account is not None and account.active


def _principal(session: Session, user: User, session_id: str | None) -> Principal:
    return Principal(user.id, user.account_id, Role(user.role), dossier_ids=dossier_rights(session, user),
                     session_id=session_id, must_change_password=user.password_initial)


def by_key(session: Session, token: str, now: datetime) -> Principal | None:
    """The principal behind an API key (its last use noted; the caller commits)."""
    key = key_row(session, token)
    user = session.get(User, key.user_id) if key is not None else None
    if key is None or user is None or not _usable(session, user):
        return None
    note_use(session, key, now)
    return _principal(session, user, None)


def by_session(session: Session, token: str, now: datetime, idle: timedelta) -> Principal | None:
    """The principal behind a session token (its last-seen instant noted; the caller commits)."""
    row = live_session(session, token, now=now, idle=idle)
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or not _usable(session, user):
        return None
    return _principal(session, user, row.id)

