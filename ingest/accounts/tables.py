"""Tables of accounts: the subscribers, their users and API keys, and their dossiers.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

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


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", index=True)
    # The public prefix finds the row; only a hash of the secret is kept.
    prefix: str = Field(max_length=16, unique=True)
    secret_hash: str = Field(max_length=64)
    created_at: datetime = instant(default=True)
    revoked_at: datetime | None = instant(nullable=True)


class Dossier(SQLModel, table=True):
    __tablename__ = "dossiers"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="accounts.id", index=True)
    name: str = Field(max_length=200)
    siren: str | None = Field(default=None, max_length=9)
    # A dossier under legal hold is never purged (docs/contract.md §5).
    legal_hold: bool = False
    created_at: datetime = instant(default=True)
