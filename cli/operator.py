"""``bordereau operator``: the provider's staff's commands, run against the database directly.

(``bordereau admin``, its name before this release, still works, deprecated: "admin" is the role of
a client account's administrators.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from cli.errors import die, instant

if TYPE_CHECKING:
    from sqlmodel import Session

    from ingest.accounts.tables import User

operator_app = typer.Typer(no_args_is_help=True, help="Operators' commands (open accounts, keys, repairs).")



@operator_app.command("create-account")
def create_account(name: str = typer.Option(..., "--name", help="The client's name"),
                   kind: str = typer.Option(..., "--kind", help="firm (accounting firm) or company"),
                   admin_email: str = typer.Option(..., "--admin-email", help="Its first administrator")) -> None:
    """Create a client account with its first administrator; prints one JSON object (account_id,
    user_id, api_key, initial_password). The key and the password are shown once: hand them over
    now. The administrator changes the password at the first sign-in."""
    from sqlmodel import Session

    from ingest.accounts.lifecycle import create_account as create
    from ingest.platform.errors import DomainError
    from ingest.resources import for_command

    with for_command() as resources, Session(resources.engine) as session:
        try:
            new = create(session, name, kind, admin_email, initial_password=True)
        except DomainError as exc:
            die(exc.message, 2)
    typer.echo(json.dumps({"account_id": new.account_id, "user_id": new.user_id, "api_key": new.api_key,
                           "initial_password": new.initial_password}))


@operator_app.command("create-operator")
def create_operator(email: str = typer.Option(..., "--email")) -> None:
    """Create a member of the provider's staff; prints one JSON object with its api_key and
    initial_password (shown once)."""
    from sqlmodel import Session

    from ingest.accounts.lifecycle import create_operator as create
    from ingest.platform.errors import DomainError
    from ingest.resources import for_command

    with for_command() as resources, Session(resources.engine) as session:
        try:
            new = create(session, email, initial_password=True)
        except DomainError as exc:
            die(exc.message, 2)
    typer.echo(json.dumps({"user_id": new.user_id, "api_key": new.api_key,
                           "initial_password": new.initial_password}))


@operator_app.command("deactivate-account")
def deactivate_account(account_id: str = typer.Argument(...)) -> None:
    """Stop every key of an account at once (stolen credentials)."""
    from sqlmodel import Session

    from ingest.accounts.lifecycle import AccountError
    from ingest.accounts.lifecycle import deactivate_account as deactivate
    from ingest.resources import for_command

    with for_command() as resources, Session(resources.engine) as session:
        try:
            deactivate(session, account_id)
        except AccountError as exc:
            die(exc.message, 2)
    typer.echo(json.dumps({"account_id": account_id, "active": False}))


@operator_app.command("deactivate-user")
def deactivate_user(user: str = typer.Argument(..., help="The user's id or e-mail address")) -> None:
    """Stop one user at once: its sessions end, its keys stop answering (until reactivated by an
    administrator of its account)."""
    from ingest.accounts import users
    from ingest.accounts.audit import COMMAND_LINE
    from ingest.platform.columns import utcnow

    with _user_at_hand(user) as (session, row):
        users.change_user(session, COMMAND_LINE, row, active=False, now=utcnow())
        typer.echo(json.dumps({"user_id": row.id, "email": row.email, "active": False}))


@operator_app.command("reset-password")
def reset_password(user: str = typer.Argument(..., help="The user's id or e-mail address")) -> None:
    """Give a user a new initial password (printed once, in JSON as initial_password), lift its
    lockout and end its sessions; it changes the password at its next sign-in."""
    from ingest.accounts import users
    from ingest.accounts.audit import COMMAND_LINE
    from ingest.platform.columns import utcnow

    with _user_at_hand(user) as (session, row):
        password = users.reset_password(session, COMMAND_LINE, row, utcnow())
        typer.echo(json.dumps({"user_id": row.id, "email": row.email, "initial_password": password}))


@contextmanager
def _user_at_hand(user: str) -> Iterator[tuple[Session, User]]:
    """A session and the user named by id or e-mail (a clear exit if there is none); a refusal of
    the use case exits with its message."""
    from sqlmodel import Session, select

    from ingest.accounts.tables import User
    from ingest.platform.errors import DomainError
    from ingest.resources import for_command

    with for_command() as resources, Session(resources.engine) as session:
        found = session.exec(select(User).where((User.id == user) | (User.email == user.strip().lower()))).first()
        if found is None or found.deleted_at is not None:
            die(f"No user {user}.", 2)
        try:
            yield session, found
        except DomainError as exc:
            die(exc.message, 2)


@operator_app.command("requeue")
def requeue() -> None:
    """Hand out again every unfinished document (after a broker was lost or wiped)."""
    from ingest.processing.requeue import resume_unfinished
    from ingest.resources import for_command

    with for_command() as resources:
        typer.echo(json.dumps({"requeued": resume_unfinished(resources.engine)}))


@operator_app.command("retry-failed")
def retry_failed(reason: list[str] = typer.Option([], "--reason", help="Only failed for this reason (repeatable)"),
                 since: str | None = typer.Option(None, "--since", help="Failed on or after (ISO 8601 instant)"),
                 until: str | None = typer.Option(None, "--until", help="Failed before (ISO 8601 instant)")) -> None:
    """Process again the documents that ended failed (e.g. --reason processing_crashed after a fix):
    each counts once, when processed; running it twice takes nothing twice."""
    from ingest.processing.requeue import retry_failed as retry
    from ingest.resources import for_command

    with for_command() as resources:
        count = retry(resources.engine, reasons=reason, since=instant(since, "--since"),
                      until=instant(until, "--until"))
        if count:
            from ingest.platform import outbox

            outbox.relay(resources.engine, resources.publisher)
    typer.echo(json.dumps({"retried": count}))

