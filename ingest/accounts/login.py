"""Signing in and out, changing one's password, and the brakes on password guessing.

Brakes, all counted from failed sign-ins kept for a day (``login_failures``):
- per e-mail address: after ``per_user`` failures within ``window``, further attempts are refused
  (429, with the seconds until the oldest of them leaves the window) without the password being
  checked, so that guessing goes no faster than ``per_user`` tries per ``window``;
- per client address: the same after ``per_address`` failures, whatever the e-mails tried;
- lockout: after ``lock_after`` failures in a row the user is locked until an administrator of its
  account (or an operator) lifts it; a success resets the run.
An unknown e-mail gets the same answers, in about the same time (a dummy Argon2 check), so that
neither the answer nor its delay tells whether an address has an account.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ingest.accounts import passwords
from ingest.accounts.audit import Action, Actor, record
from ingest.accounts.principal import Principal
from ingest.accounts.sessions import Lifetimes, end_session, end_sessions_of, open_session
from ingest.accounts.tables import Account, LoginFailure, User
from ingest.accounts.users import normal_email
from ingest.platform.errors import Code, DomainError

KEEP_FAILURES = timedelta(days=1)


class AuthCode(Code):
    invalid_credentials = "invalid_credentials", "Wrong e-mail or password."
    too_many_attempts = "too_many_attempts", "Too many failed sign-ins: wait the seconds of Retry-After."
    user_locked = "user_locked", "Locked after failed sign-ins: an administrator of the account can unlock it."
    wrong_current_password = "wrong_current_password", "The current password given is not the user's."
    password_unchanged = "password_unchanged", "The new password is the current one."
    no_password = "no_password", "This user has no password yet: ask for a reset."


class AuthError(DomainError):
    """A sign-in or password change refused (see `AuthCode`); `retry_after` in seconds when waiting helps."""

    def __init__(self, code: Code, message: str, retry_after: int | None = None) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Brakes:
    window: timedelta
    per_user: int
    per_address: int
    lock_after: int


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str


def _failures_since(session: Session, since: datetime, *, email: str | None = None,
                    address: str | None = None) -> list[datetime]:
    """Instants of the failed sign-ins since `since`, of an e-mail or from an address, oldest first."""
    stmt = select(LoginFailure.at).where(col(LoginFailure.at) >= since)
    stmt = stmt.where(LoginFailure.email == email) if email is not None else stmt.where(LoginFailure.address == address)
    return sorted(session.exec(stmt).all())


def _throttled(session: Session, email: str, address: str | None, now: datetime, brakes: Brakes) -> None:
    since = now - brakes.window
    checks = [(_failures_since(session, since, email=email), brakes.per_user)]
    if address:
        checks.append((_failures_since(session, since, address=address), brakes.per_address))
    for failures, limit in checks:
        if len(failures) >= limit:
            wait = failures[-limit] + brakes.window - now
            seconds = max(1, math.ceil(wait.total_seconds()))
            raise AuthError(AuthCode.too_many_attempts,
                            f"Too many failed sign-ins: try again in {seconds} s.", retry_after=seconds)


def _locked(session: Session, user: User | None, email: str, now: datetime, brakes: Brakes) -> bool:
    if user is not None:
        return user.locked_at is not None
    # An unknown address locks as a user would, so that a lockout reveals nothing.
    return len(_failures_since(session, now - KEEP_FAILURES, email=email)) >= brakes.lock_after


def _signable(session: Session, email: str) -> User | None:
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None or not user.active or user.deleted_at is not None or user.password_hash is None:
        return None
    account = session.get(Account, user.account_id) if user.account_id else None
    return None if user.account_id and (account is None or not account.active) else user


def _fail(session: Session, user: User | None, email: str, address: str | None, now: datetime,
          brakes: Brakes) -> AuthError:
    session.execute(sa.delete(LoginFailure).where(col(LoginFailure.at) < now - KEEP_FAILURES))
    session.add(LoginFailure(email=email, address=address, at=now))
    if user is not None:
        user.failed_logins += 1
        actor = Actor(None, address)
        record(session, actor, Action.login_failed, user.account_id, target_id=user.id, at=now)
        if user.failed_logins >= brakes.lock_after and user.locked_at is None:
            user.locked_at = now
            record(session, actor, Action.user_locked, user.account_id, target_id=user.id,
                   detail={"failed_logins": user.failed_logins}, at=now)
        session.add(user)
    session.commit()
    return AuthError(AuthCode.invalid_credentials, "Wrong e-mail or password.")


def log_in(session: Session, email: str, password: str, *, address: str | None, now: datetime,
           brakes: Brakes, lifetimes: Lifetimes) -> SignedIn:
    """Check the credentials and open a session (commits, failures too)."""
    email = normal_email(email)
    _throttled(session, email, address, now, brakes)
    user = _signable(session, email)
    if _locked(session, user, email, now, brakes):
        raise AuthError(AuthCode.user_locked,
                        "This user is locked after too many failed sign-ins: ask an administrator of your "
                        "account to unlock it.")
    if user is None or user.password_hash is None:
        passwords.verify_nothing(password)
        raise _fail(session, None, email, address, now, brakes)
    ok, rehashed = passwords.verify_password(password, user.password_hash)
    if not ok:
        raise _fail(session, user, email, address, now, brakes)
    user.failed_logins, user.last_login_at = 0, now
    user.password_hash = rehashed or user.password_hash
    session.add(user)
    session.execute(sa.delete(LoginFailure).where(col(LoginFailure.email) == email))
    _, token = open_session(session, user, now=now, lifetimes=lifetimes, address=address)
    record(session, Actor(user.id, address), Action.login, user.account_id, target_id=user.id, at=now)
    session.commit()
    return SignedIn(user, token)


def change_password(session: Session, principal: Principal, current: str, new: str, *,
                    address: str | None, now: datetime) -> User:
    """Change the caller's own password; the user's other sessions end (commits)."""
    user = session.get(User, principal.user_id)
    assert user is not None  # the principal was resolved from this row on this request
    if user.password_hash is None:
        raise AuthError(AuthCode.no_password, "You have no password yet: ask an administrator for a reset.")
    if not passwords.verify_password(current, user.password_hash)[0]:
        raise AuthError(AuthCode.wrong_current_password, "The current password is not right.")
    if new == current:
        raise AuthError(AuthCode.password_unchanged, "Choose a new password, not the current one.")
    passwords.check_policy(new, user.email)
    user.password_hash, user.password_initial = passwords.hash_password(new), False
    session.add(user)
    end_sessions_of(session, [user.id], now, keep=principal.session_id)
    record(session, Actor(user.id, address), Action.password_changed, user.account_id, target_id=user.id, at=now)
    session.commit()
    return user


def log_out(session: Session, principal: Principal, *, address: str | None, now: datetime) -> None:
    """End the caller's session (commits); a call made with a key ends nothing."""
    if principal.session_id is None:
        return
    end_session(session, principal.session_id, now)
    record(session, Actor(principal.user_id, address), Action.logout, principal.account_id,
           target_id=principal.user_id, at=now)
    session.commit()
