"""An account's people, managed by its administrators (docs/contract.md §7).

Two roles per account: administrators (``admin``) and users (``user``); a user of either role may be
limited to some dossiers of the account. Every change is written to the audit log in the same
transaction. An account always keeps one active administrator: the last one can be neither
demoted, deactivated nor deleted.

Deleting a user keeps its row, so that what it uploaded stays attributed to it: the row is marked
deleted, stops working at once, and its e-mail address is freed (suffixed with ``#deleted-…``, which
no address can match) so that the person can be invited again later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ingest.accounts import passwords
from ingest.accounts.audit import Action, Actor, record
from ingest.accounts.keys import revoke_keys_of
from ingest.accounts.principal import Principal
from ingest.accounts.sessions import end_sessions_of
from ingest.accounts.tables import Account, Dossier, Role, User, UserDossier
from ingest.platform.errors import Code, DomainError
from ingest.platform.pages import fetch_page

ACCOUNT_ROLES = (Role.admin, Role.user)


class UserCode(Code):
    user_not_found = "user_not_found", "No such user in the account."
    account_not_found = "account_not_found", "No such account."
    invalid_email = "invalid_email", "Not an e-mail address."
    email_taken = "email_taken", "A user with that e-mail address exists already."
    invalid_role = "invalid_role", "An account's user is an admin or a user."
    last_admin = "last_admin", "The account's last active administrator cannot be removed, demoted or deactivated."
    unknown_dossier = "unknown_dossier", "A dossier named in the rights is not one of the account's."


class UserError(DomainError):
    """A change to a user refused (see `UserCode`)."""


@dataclass(frozen=True)
class NewUser:
    user: User
    # The generated initial password, shown once; None when the administrator chose one.
    initial_password: str | None


class Keep(Enum):
    """Passed for `dossier_ids` to leave a user's rights as they are."""

    keep = "keep"


KEEP = Keep.keep


def normal_email(email: str) -> str:
    """An address as it is stored and compared: trimmed, lower case."""
    return email.strip().lower()


def valid_email(email: str) -> str:
    """The address normalised (`normal_email`), or a refusal."""
    email = normal_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(c.isspace() or ord(c) < 32 for c in email) or "#" in email:
        raise UserError(UserCode.invalid_email, f"'{email}' is not an e-mail address.")
    return email


def _role(role: str) -> Role:
    if role not in {r.value for r in ACCOUNT_ROLES}:
        raise UserError(UserCode.invalid_role, f"A user's role is admin or user, not '{role}'.")
    return Role(role)


def add_user(session: Session, email: str, role: Role, account_id: str | None) -> User:
    """A new row for `email` (flushed, not committed): the one place users are created."""
    email = valid_email(email)
    if session.exec(select(User).where(User.email == email)).first():
        raise UserError(UserCode.email_taken, f"A user with the e-mail {email} already exists.")
    user = User(email=email, role=role, account_id=account_id)
    session.add(user)
    session.flush()  # no ORM relationships: rows go in in the order they are flushed
    return user


def set_initial_password(user: User, password: str | None = None) -> str | None:
    """Give `user` an initial password (one to be changed at the next sign-in): `password` if given
    (it must meet the policy), else a generated one, which is returned."""
    generated = None
    if password is None:
        password = generated = passwords.initial_password()
    else:
        passwords.check_policy(password, user.email)
    user.password_hash, user.password_initial = passwords.hash_password(password), True
    user.locked_at, user.failed_logins = None, 0
    return generated


def _set_dossiers(session: Session, user: User, dossier_ids: list[str] | None) -> None:
    session.execute(sa.delete(UserDossier).where(col(UserDossier.user_id) == user.id))
    user.all_dossiers = dossier_ids is None
    if dossier_ids is None:
        return
    wanted = set(dossier_ids)
    found = set(session.exec(select(Dossier.id).where(col(Dossier.id).in_(wanted),
                                                       Dossier.account_id == user.account_id)).all())
    if missing := sorted(wanted - found):
        raise UserError(UserCode.unknown_dossier, f"No dossier {missing[0]} in this account.")
    session.add_all(UserDossier(user_id=user.id, dossier_id=d) for d in sorted(wanted))


def user_dossier_ids(session: Session, user: User) -> list[str] | None:
    if user.all_dossiers:
        return None
    return sorted(session.exec(select(UserDossier.dossier_id).where(UserDossier.user_id == user.id)).all())


def create_user(session: Session, actor: Actor, account_id: str, email: str, role: str, *,
                dossier_ids: list[str] | None = None, password: str | None = None, now: datetime) -> NewUser:
    """A new user of the account with an initial password (commits)."""
    if session.get(Account, account_id) is None:  # an operator names the account
        raise UserError(UserCode.account_not_found, f"No account {account_id}.")
    user = add_user(session, email, _role(role), account_id)
    generated = set_initial_password(user, password)
    _set_dossiers(session, user, dossier_ids)
    record(session, actor, Action.user_created, account_id, target_id=user.id,
           detail={"email": user.email, "role": user.role, "dossier_ids": dossier_ids}, at=now)
    session.commit()
    return NewUser(user, generated)


def account_user(session: Session, principal: Principal, user_id: str) -> User:
    """A user the principal may manage: of its account (any account for an operator), not deleted."""
    user = session.get(User, user_id)
    if (user is None or user.deleted_at is not None or user.account_id is None
            or not principal.sees(user.account_id)):
        raise UserError(UserCode.user_not_found, f"No user {user_id} in your account.")
    return user


def users_by_id(session: Session, user_ids: set[str]) -> dict[str, User]:
    """The users behind some ids (deleted ones included), to name who did what in the audit log."""
    if not user_ids:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(sorted(user_ids))))}


def list_users(session: Session, account_id: str, *, limit: int, offset: int) -> tuple[list[User], int]:
    stmt = select(User).where(User.account_id == account_id, col(User.deleted_at).is_(None))
    return fetch_page(session, stmt, col(User.created_at), col(User.id), limit=limit, offset=offset)


def _other_active_admins(session: Session, user: User) -> int:
    stmt = (sa.select(sa.func.count()).select_from(User)
            .where(col(User.account_id) == user.account_id, col(User.id) != user.id, col(User.role) == Role.admin.value,
                   col(User.active).is_(True), col(User.deleted_at).is_(None)))
    return int(session.execute(stmt).scalar_one())


def _keep_an_admin(session: Session, user: User, what: str) -> None:
    if user.role == Role.admin and user.active and _other_active_admins(session, user) == 0:
        raise UserError(UserCode.last_admin,
                        f"{user.email} is the account's last active administrator: it cannot be {what}. "
                        "Make another user an administrator first.")


def change_user(session: Session, actor: Actor, user: User, *, role: str | None = None,
                dossier_ids: list[str] | None | Keep = KEEP, active: bool | None = None,
                locked: bool | None = None, now: datetime) -> User:
    """Change a user's role, dossier rights, activity or lock (commits). Deactivating ends its
    sessions at once; its keys stop answering until it is active again."""
    changes: dict[str, object] = {}
    if role is not None and role != user.role:
        if _role(role) is not Role.admin:
            _keep_an_admin(session, user, "demoted")
        changes["role"], user.role = role, role
    if not isinstance(dossier_ids, Keep):
        _set_dossiers(session, user, dossier_ids)
        changes["dossier_ids"] = dossier_ids
    if active is not None and active != user.active:
        if not active:
            _keep_an_admin(session, user, "deactivated")
            end_sessions_of(session, [user.id], now)
        user.active = active
        user.deactivated_at = None if active else now
        record(session, actor, Action.user_reactivated if active else Action.user_deactivated,
               user.account_id, target_id=user.id, at=now)
    if locked is False and user.locked_at is not None:
        user.locked_at, user.failed_logins = None, 0
        record(session, actor, Action.user_unlocked, user.account_id, target_id=user.id, at=now)
    if changes:
        record(session, actor, Action.user_updated, user.account_id, target_id=user.id, detail=changes, at=now)
    session.add(user)
    session.commit()
    return user


def reset_password(session: Session, actor: Actor, user: User, now: datetime) -> str:
    """Back to a generated initial password, shown once; the user's sessions end (commits)."""
    generated = set_initial_password(user)
    assert generated is not None
    end_sessions_of(session, [user.id], now)
    session.add(user)
    record(session, actor, Action.password_reset, user.account_id, target_id=user.id, at=now)
    session.commit()
    return generated


def delete_user(session: Session, actor: Actor, user: User, now: datetime) -> None:
    """Delete a user: it stops at once, its keys are revoked, its uploads stay attributed (commits)."""
    _keep_an_admin(session, user, "deleted")
    end_sessions_of(session, [user.id], now)
    revoke_keys_of(session, [user.id], now)
    record(session, actor, Action.user_deleted, user.account_id, target_id=user.id,
           detail={"email": user.email}, at=now)
    user.email = f"{user.email}#deleted-{user.id[:8]}"
    user.active, user.deleted_at = False, now
    user.deactivated_at = user.deactivated_at or now
    user.password_hash = None
    session.add(user)
    session.commit()


def named_users(session: Session, account_id: str, start: datetime, end: datetime) -> int:
    """The account's named users in the period [start, end): administrators and users (not operators)
    created before its end and not deactivated or deleted before its start (docs/contract.md §4)."""
    stmt = (sa.select(sa.func.count()).select_from(User)
            .where(col(User.account_id) == account_id, col(User.role).in_([r.value for r in ACCOUNT_ROLES]),
                   col(User.created_at) < end,
                   sa.or_(col(User.deactivated_at).is_(None), col(User.deactivated_at) >= start)))
    return int(session.execute(stmt).scalar_one())
