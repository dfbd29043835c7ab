"""Opening and closing accounts, and the provider's operators (docs/contract.md §7).

An account opens with its first administrator, who gets an initial password (to be changed at the
first sign-in) and an API key for programs; both are returned once. Closing an account stops every
session and key of it on the very next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ingest.accounts.audit import COMMAND_LINE, Action, Actor, record
from ingest.accounts.keys import issue_key, revoke_keys_of
from ingest.accounts.sessions import end_sessions_of
from ingest.accounts.tables import Account, AccountKind, Role, User
from ingest.accounts.users import add_user, set_initial_password
from ingest.platform.columns import utcnow
from ingest.platform.errors import Code, DomainError
from ingest.platform.pages import fetch_page


@dataclass(frozen=True)
class NewAccount:
    account_id: str
    user_id: str
    api_key: str
    # The first administrator's initial password, shown once (None: none was asked for).
    initial_password: str | None = None


class AccountCode(Code):
    invalid_kind = "invalid_kind", "An account is of kind firm or company."
    invalid_name = "invalid_name", "The account's name is empty."
    account_not_found = "account_not_found", "No such account."


class AccountError(DomainError):
    """An account refused or not found (see `AccountCode`)."""


def create_account(session: Session, name: str, kind: str, admin_email: str, *,
                   initial_password: bool = False, actor: Actor = COMMAND_LINE) -> NewAccount:
    """An account with its first administrator and an API key, and if asked an initial password
    (commits)."""
    if kind not in AccountKind.__members__:
        raise AccountError(AccountCode.invalid_kind, f"The account kind must be firm or company, not '{kind}'.")
    if not name.strip():
        raise AccountError(AccountCode.invalid_name, "The account name is empty.")
    account = Account(name=name.strip(), kind=kind)
    session.add(account)
    session.flush()
    user = add_user(session, admin_email, Role.admin, account.id)
    password = set_initial_password(user) if initial_password else None
    _, key = issue_key(session, user, "first key")
    record(session, actor, Action.account_created, account.id, target_id=user.id,
           detail={"name": account.name, "kind": kind, "admin_email": user.email})
    session.commit()
    return NewAccount(account.id, user.id, key, password)


def create_operator(session: Session, email: str, *, initial_password: bool = False) -> NewAccount:
    """A member of the provider's staff, who sees every account (commits)."""
    user = add_user(session, email, Role.operator, None)
    password = set_initial_password(user) if initial_password else None
    _, key = issue_key(session, user, "first key")
    record(session, COMMAND_LINE, Action.user_created, None, target_id=user.id,
           detail={"email": user.email, "role": user.role})
    session.commit()
    return NewAccount("", user.id, key, password)


def deactivate_account(session: Session, account_id: str, *, actor: Actor = COMMAND_LINE,
                       now: datetime | None = None) -> None:
    """Stops every session and key of the account on its next request (commits)."""
    now = now or utcnow()
    account = session.get(Account, account_id)
    if account is None:
        raise AccountError(AccountCode.account_not_found, f"No account {account_id}.")
    account.active = False
    user_ids = list(session.exec(select(User.id).where(User.account_id == account_id)).all())
    end_sessions_of(session, user_ids, now)
    revoke_keys_of(session, user_ids, now)
    record(session, actor, Action.account_deactivated, account_id, at=now)
    session.commit()


def account_exists(session: Session, account_id: str) -> bool:
    return session.get(Account, account_id) is not None


def list_accounts(session: Session, *, limit: int, offset: int) -> tuple[list[Account], int]:
    """Every client account, by name (the operators' console)."""
    return fetch_page(session, select(Account), col(Account.name), col(Account.id), limit=limit, offset=offset)


def account_names(session: Session, ids: set[str]) -> dict[str, str]:
    """The names of the accounts `ids`, to show beside their rows."""
    if not ids:
        return {}
    return dict(session.exec(select(Account.id, Account.name).where(col(Account.id).in_(sorted(ids)))).all())
