"""``bordereau operator``: the provider's staff's commands, run against the database directly.

(``bordereau admin``, its name before this release, still works, deprecated: "admin" is the role of
a client account's administrators.)"""

from __future__ import annotations

import json

import typer

from cli.errors import die, instant

operator_app = typer.Typer(no_args_is_help=True, help="Operators' commands (open accounts, keys, repairs).")



@operator_app.command("create-account")
def create_account(name: str = typer.Option(..., "--name", help="The client's name"),
                   kind: str = typer.Option(..., "--kind", help="firm (accounting firm) or company"),
                   admin_email: str = typer.Option(..., "--admin-email", help="Its first administrator")) -> None:
    """Create a client account with its first administrator; prints one JSON object
    (account_id, user_id, api_key). The key is shown once: store it now."""
    from sqlmodel import Session

    from ingest.accounts.lifecycle import AccountError
    from ingest.accounts.lifecycle import create_account as create
    from ingest.resources import for_command

    with for_command() as resources, Session(resources.engine) as session:
        try:
            new = create(session, name, kind, admin_email)
        except AccountError as exc:
            die(exc.message, 2)
    typer.echo(json.dumps({"account_id": new.account_id, "user_id": new.user_id, "api_key": new.api_key}))


@operator_app.command("create-operator")
def create_operator(email: str = typer.Option(..., "--email")) -> None:
    """Create a member of the provider's staff; prints one JSON object with its api_key."""
    from sqlmodel import Session

    from ingest.accounts.lifecycle import AccountError
    from ingest.accounts.lifecycle import create_operator as create
    from ingest.resources import for_command

    with for_command() as resources, Session(resources.engine) as session:
        try:
            new = create(session, email)
        except AccountError as exc:
            die(exc.message, 2)
    typer.echo(json.dumps({"user_id": new.user_id, "api_key": new.api_key}))


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

