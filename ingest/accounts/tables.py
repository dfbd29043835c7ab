"""Tables of accounts: the subscribers, their users, sessions and API keys, their dossiers and the
users' rights over them, the audit log, and failed sign-ins.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ingest.platform.columns import instant, new_id


class AccountKind(StrEnum):
    firm = "firm"
    company = "company"


class Role(StrEnum):
    operator = "operator"
    admin = "admin"
    user = "user"


class Account(SQLModel, table=True):
    __tablename__ = "accounts"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    active: bool = True
    created_at: datetime = instant(default=True)


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    # Operators are the provider's staff and belong to no client account.
    account_id: str | None = Field(default=None, foreign_key="accounts.id", index=True)
    email: str = Field(max_length=320, unique=True)
    role: str = Field(max_length=16)
    active: bool = True
    created_at: datetime = instant(default=True)
    # Argon2id (ingest.accounts.passwords); None: the user cannot sign in (keys only, or deleted).
    password_hash: str | None = Field(default=None, max_length=255)
    # An initial password (given by the provider or an administrator) is changed before anything else.
    password_initial: bool = False
    # False: limited to the dossiers of `user_dossiers`.
    all_dossiers: bool = True
    # Failed sign-ins in a row, and since when the user is locked (ingest.accounts.login).
    failed_logins: int = 0
    locked_at: datetime | None = instant(nullable=True)
    last_login_at: datetime | None = instant(nullable=True)
    # When it stopped counting as a named user (docs/contract.md §4), and when it was deleted.
    deactivated_at: datetime | None = instant(nullable=True)
    deleted_at: datetime | None = instant(nullable=True)


class UserDossier(SQLModel, table=True):
    """A dossier a user limited to some dossiers may see (``users.all_dossiers`` false)."""

    __tablename__ = "user_dossiers"
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36)
    dossier_id: str = Field(foreign_key="dossiers.id", primary_key=True, max_length=36, index=True)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", index=True)
    # The public prefix finds the row; only a hash of the secret is kept.
    prefix: str = Field(max_length=16, unique=True)
    secret_hash: str = Field(max_length=64)
    name: str = Field(default="", max_length=100)
    created_at: datetime = instant(default=True)
    last_used_at: datetime | None = instant(nullable=True)
    revoked_at: datetime | None = instant(nullable=True)


class WebSession(SQLModel, table=True):
    """A person's session (ingest.accounts.sessions): only a hash of its token is kept."""

    __tablename__ = "sessions"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=36)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = instant()
    last_seen_at: datetime = instant()
    expires_at: datetime = instant()
    revoked_at: datetime | None = instant(nullable=True)
    address: str | None = Field(default=None, max_length=64)


class LoginFailure(SQLModel, table=True):
    """A failed sign-in, kept a day for the brakes on guessing (ingest.accounts.login)."""

    __tablename__ = "login_failures"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    email: str = Field(max_length=320, index=True)
    address: str | None = Field(default=None, max_length=64, index=True)
    at: datetime = instant(index=True)


class AuditEntry(SQLModel, table=True):
    """Who changed what about an account's people and credentials, when and from where."""

    __tablename__ = "audit_log"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    # None: the provider's own (operators).
    account_id: str | None = Field(default=None, foreign_key="accounts.id", index=True, max_length=36)
    # None: the provider's command line.
    actor_id: str | None = Field(default=None, max_length=36)
    action: str = Field(max_length=48)
    target_id: str | None = Field(default=None, max_length=36)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    address: str | None = Field(default=None, max_length=64)
    at: datetime = instant(index=True)


class Dossier(SQLModel, table=True):
    __tablename__ = "dossiers"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    name: str = Field(max_length=200)
    siren: str | None = Field(default=None, max_length=9)
    # A dossier under legal hold is never purged (docs/contract.md §5).
    legal_hold: bool = False
    created_at: datetime = instant(default=True)
