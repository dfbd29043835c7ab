"""API keys: how programs authenticate. Each belongs to a user and acts with that user's rights.

A key reads ``bdr_<prefix>_<secret>``. The prefix finds the row; only a SHA-256 of the secret is
stored. The secret has 256 bits of entropy, so a fast hash is enough (a slow password hash protects
guessable passwords, not this). The plaintext is shown once, when the key is made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ingest.accounts.audit import Action, Actor, record
from ingest.accounts.principal import Principal
from ingest.accounts.tables import ApiKey, User
from ingest.platform.errors import Code, DomainError

KEY_SCHEME = "bdr"
# A key's last use is written at most once a minute, so that a busy program does not write a row
# per request.
NOTE_USE_EVERY = timedelta(minutes=1)


class ApiKeyCode(Code):
    key_not_found = "key_not_found", "No such API key among those you may manage."


class ApiKeyError(DomainError):
    """A key refused or not found (see `KeyCode`)."""


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_key(session: Session, user: User, name: str = "") -> tuple[ApiKey, str]:
    """A new key for `user`: the row and the plaintext, which is returned once and never stored
    (the caller commits)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(user_id=user.id, prefix=prefix, secret_hash=_hash_secret(secret), name=name.strip())
    session.add(key)
    return key, f"{KEY_SCHEME}_{prefix}_{secret}"


def key_row(session: Session, token: str) -> ApiKey | None:
    """The live key behind `token`, or None (malformed, unknown, revoked, wrong secret)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME:
        return None
    _, prefix, secret = parts
    key = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if key is None or key.revoked_at is not None:
        return None
    return key if hmac.compare_digest(key.secret_hash, _hash_secret(secret)) else None


def note_use(session: Session, key: ApiKey, now: datetime) -> bool:
    """Move the key's last use on if it is older than a minute; whether the row changed."""
    if key.last_used_at is not None and now - key.last_used_at < NOTE_USE_EVERY:
        return False
    key.last_used_at = now
    session.add(key)
    return True


def keys_of(session: Session, principal: Principal) -> list[tuple[ApiKey, User]]:
    """The live keys the principal manages: its own; an administrator's, every key of the account."""
    stmt = select(ApiKey, User).join(User, col(User.id) == col(ApiKey.user_id)).where(col(ApiKey.revoked_at).is_(None))
    if principal.is_admin and principal.account_id is not None:
        stmt = stmt.where(User.account_id == principal.account_id)
    else:
        stmt = stmt.where(User.id == principal.user_id)
    return [(k, u) for k, u in session.exec(stmt.order_by(col(ApiKey.created_at), col(ApiKey.id))).all()]


def create_key(session: Session, actor: Actor, user: User, name: str, now: datetime) -> tuple[ApiKey, str]:
    """A new key of `user`'s, written to the audit log with it (commits): the row, and the plaintext,
    which is returned this once."""
    key, plaintext = issue_key(session, user, name)
    session.flush()
    record(session, actor, Action.key_created, user.account_id, target_id=key.id,
           detail={"name": key.name, "prefix": key.prefix}, at=now)
    session.commit()
    return key, plaintext


def managed_key(session: Session, principal: Principal, key_id: str) -> tuple[ApiKey, User]:
    """A live key the principal manages, with its user; another's answers as a missing one."""
    for key, user in keys_of(session, principal):
        if key.id == key_id:
            return key, user
    raise ApiKeyError(ApiKeyCode.key_not_found, f"No API key {key_id} among yours.")


def revoke_key(session: Session, actor: Actor, principal: Principal, key_id: str, now: datetime) -> ApiKey:
    """Revoke a key the principal manages, written to the audit log with it (commits): its next
    request is refused."""
    key, _ = managed_key(session, principal, key_id)
    key.revoked_at = now
    session.add(key)
    record(session, actor, Action.key_revoked, principal.account_id, target_id=key.id,
           detail={"name": key.name, "prefix": key.prefix}, at=now)
    session.commit()
    return key


def revoke_keys_of(session: Session, user_ids: list[str], now: datetime) -> None:
    if not user_ids:
        return
    for key in session.exec(select(ApiKey).where(col(ApiKey.user_id).in_(user_ids), col(ApiKey.revoked_at).is_(None))):
        key.revoked_at = now
        session.add(key)
