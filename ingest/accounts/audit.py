"""The audit log: every change to an account's people and credentials, who made it, when and from
where (docs/contract.md §7).

Entries are written in the same transaction as the change they record, so that a change never
lands without its entry. They hold ids and short facts, never a secret (no password, key or
session token, hashed or not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from ingest.accounts.principal import Principal
from ingest.accounts.tables import AuditEntry
from ingest.platform.columns import utcnow
from ingest.platform.pages import fetch_page


class Action(StrEnum):
    account_created = "account.created"
    account_deactivated = "account.deactivated"
    user_created = "user.created"
    user_updated = "user.updated"
    user_deactivated = "user.deactivated"
    user_reactivated = "user.reactivated"
    user_deleted = "user.deleted"
    user_locked = "user.locked"
    user_unlocked = "user.unlocked"
    password_reset = "user.password_reset"
    password_changed = "auth.password_changed"
    login = "auth.login"
    login_failed = "auth.login_failed"
    logout = "auth.logout"
    key_created = "api_key.created"
    key_revoked = "api_key.revoked"
    fields_corrected = "document.fields_corrected"


@dataclass(frozen=True)
class Actor:
    """Who made a change and from where: a principal, or the provider's command line (no user)."""

    user_id: str | None
    address: str | None = None

    @classmethod
    def of(cls, principal: Principal, address: str | None) -> Actor:
        return cls(principal.user_id, address)


COMMAND_LINE = Actor(None, "command line")


def record(session: Session, actor: Actor, action: Action, account_id: str | None, *,
           target_id: str | None = None, detail: dict[str, Any] | None = None,
           at: datetime | None = None) -> None:
    """Add an entry to the session (the caller commits it with the change)."""
    session.add(AuditEntry(account_id=account_id, actor_id=actor.user_id, action=action.value,
                           target_id=target_id, detail=detail or {}, address=actor.address,
                           at=at or utcnow()))


def entries(session: Session, account_id: str | None, *, limit: int, offset: int,
            action: str | None = None) -> tuple[list[AuditEntry], int]:
    """An account's entries, newest first (``account_id`` None: the provider's own, such as its
    operators' changes to operators)."""
    stmt = select(AuditEntry).where(AuditEntry.account_id == account_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return fetch_page(session, stmt, col(AuditEntry.at).desc(), col(AuditEntry.id).desc(),
                      limit=limit, offset=offset)
