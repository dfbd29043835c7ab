"""Bodies of the account routes: sign-in, passwords, users, API keys, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.bounds import ID_PATTERN, Email, Name

# A password as typed: never stripped (spaces count); its policy is ingest.accounts.passwords.
Password = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
DossierId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
# A key's name: a name (one line, stripped) within the column's 100 characters.
KeyName = Annotated[Name, StringConstraints(max_length=100)]


class LoginIn(BaseModel):
    email: Email
    password: Password


class PasswordChangeIn(BaseModel):
    current_password: Password
    new_password: Password


class UserPublic(BaseModel):
    id: str
    email: str
    role: str
    account_id: str | None
    active: bool
    locked: bool
    password_change_required: bool
    dossier_ids: list[str] | None = Field(description="The dossiers the user is limited to; null: all of them")
    created_at: datetime
    last_login_at: datetime | None


class NewUserPublic(UserPublic):
    initial_password: str | None = Field(description="Shown once: give it to the user, who must change it")


class UserCreate(BaseModel):
    email: Email
    role: Literal["admin", "user"] = "user"
    dossier_ids: list[DossierId] | None = Field(default=None, max_length=10_000)
    password: Password | None = Field(default=None, description="An initial password; generated if absent")
    account_id: Annotated[str | None, StringConstraints(pattern=ID_PATTERN)] = Field(
        default=None, description="Operators only: the account")


class UserPatch(BaseModel):
    role: Literal["admin", "user"] | None = None
    dossier_ids: list[DossierId] | None = Field(default=None, max_length=10_000)
    active: bool | None = None
    locked: Literal[False] | None = Field(default=None, description="false lifts a lockout")
    reset_password: bool = Field(default=False, description="true: back to a generated initial password")

    def sets_dossiers(self) -> bool:
        return "dossier_ids" in self.model_fields_set


class KeyCreate(BaseModel):
    name: KeyName


class KeyPublic(BaseModel):
    id: str
    name: str
    prefix: str
    user_id: str
    user_email: str
    created_at: datetime
    last_used_at: datetime | None


class NewKeyPublic(KeyPublic):
    api_key: str = Field(description="Shown once: store it now")


class AuditPublic(BaseModel):
    id: str
    at: datetime
    action: str
    actor_id: str | None
    target_id: str | None
    address: str | None
    detail: dict[str, Any]
