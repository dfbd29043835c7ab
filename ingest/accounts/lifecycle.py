"""Opening and closing accounts, their users and API keys; authenticating a key.

An API key reads ``bdr_<prefix>_<secret>``. The prefix finds the row; only a
SHA-256 of the secret is stored. The secret has 256 bits of entropy, so a fast
hash is enough (a slow password hash protects guessable passwords, not this).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ingest.accounts.principal import Principal
from ingest.accounts.tables import Account, AccountKind, ApiKey, Role, User
from ingest.platform.columns import utcnow
from ingest.platform.errors import Code, DomainError

KEY_SCHEME = "bdr"



@dataclass(frozen=True)
class NewAccount:
    account_id: str
    user_id: str
    api_key: str


class AccountCode(Code):
    invalid_email = "invalid_email", "Not an e-mail address."
    email_taken = "email_taken", "A user with that e-mail address exists already."
    invalid_kind = "invalid_kind", "An account is of kind firm or company."
    invalid_name = "invalid_name", "The account's name is empty."
    account_not_found = "account_not_found", "No such account."


class AccountError(DomainError):
    """An account or user refused or not found (see `AccountCode`)."""


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_api_key(session: Session, user: User) -> str:
    """Create a key for ``user``; the plaintext is returned once and never stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    session.add(ApiKey(user_id=user.id, prefix=prefix, secret_hash=_hash_secret(secret)))
    return f"{KEY_SCHEME}_{prefix}_{secret}"


def _new_user(session: Session, email: str, role: Role, account_id: str | None) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(AccountCode.invalid_email, f"'{email}' is not an e-mail address.")
    if session.exec(select(User).where(User.email == email)).first():
        raise AccountError(AccountCode.email_taken, f"A user with the e-mail {email} already exists.")
    user = User(email=email, role=role, account_id=account_id)
    session.add(user)
    session.flush()  # no ORM relationships: rows go in in the order they are flushed
    return user


def create_account(session: Session, name: str, kind: str, admin_email: str) -> NewAccount:
    """An account with its first administrator and an API key (commits)."""
    if kind not in AccountKind.__members__:
        raise AccountError(AccountCode.invalid_kind, f"The account kind must be firm or company, not '{kind}'.")
    if not name.strip():
        raise AccountError(AccountCode.invalid_name, "The account name is empty.")
    account = Account(name=name.strip(), kind=kind)
    session.add(account)
    session.flush()
    user = _new_user(session, admin_email, Role.admin, account.id)
    key = issue_api_key(session, user)
    session.commit()
    return NewAccount(account.id, user.id, key)


def create_operator(session: Session, email: str) -> NewAccount:
    """A member of the provider's staff, who sees every account (commits)."""
    user = _new_user(session, email, Role.operator, None)
    key = issue_api_key(session, user)
    session.commit()
    return NewAccount("", user.id, key)


def authenticate(session: Session, token: str) -> Principal | None:
    """The principal behind a bearer token, or None (unknown, revoked, inactive)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME:
        return None
    _, prefix, secret = parts
    key = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, _hash_secret(secret)):
        return None
    user = session.get(User, key.user_id)
    if user is None or not user.active:
        return None
    if user.account_id is not None:
        account = session.get(Account, user.account_id)
        if account is None or not account.active:
            return None
    return Principal(user.id, user.account_id, Role(user.role))


def deactivate_account(session: Session, account_id: str) -> None:
    """Stops every key of the account on its next request (commits)."""
    account = session.get(Account, account_id)
    if account is None:
        raise AccountError(AccountCode.account_not_found, f"No account {account_id}.")
    account.active = False
    for user in session.exec(select(User).where(User.account_id == account_id)):
        for key in session.exec(select(ApiKey).where(ApiKey.user_id == user.id)):
            key.revoked_at = key.revoked_at or utcnow()
    session.commit()


def account_exists(session: Session, account_id: str) -> bool:
    return session.get(Account, account_id) is not None


def named_users(session: Session, account_id: str, before: datetime) -> int:
    """The account's active named users (administrators and users, not operators) created before
    `before`: what its plan's named users are counted against."""
    stmt = (sa.select(sa.func.count()).select_from(User)
            .where(col(User.account_id) == account_id, col(User.active).is_(True),
                   col(User.role).in_([Role.admin.value, Role.user.value]), col(User.created_at) < before))
    return int(session.execute(stmt).scalar_one())
