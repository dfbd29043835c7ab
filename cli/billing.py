"""``bordereau operator set-plan``, ``close-period`` and ``correct-statement``: subscriptions and statements by hand."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from cli.errors import die, instant

if TYPE_CHECKING:
    from sqlmodel import Session

billing_operator_app = typer.Typer(no_args_is_help=True, help="Subscriptions and statements.")


@contextmanager
def _session() -> Iterator[Session]:
    from sqlmodel import Session

    from ingest.resources import for_command

    with for_command() as resources, Session(resources.engine, expire_on_commit=False) as session:
        yield session



@billing_operator_app.command("set-plan")
def set_plan_command(
    account: str = typer.Option(..., "--account", help="Account id"),
    packs: int = typer.Option(..., "--packs"),
    pack_size: int = typer.Option(..., "--pack-size", help="Documents per pack and period"),
    pack_price_cents: int = typer.Option(..., "--pack-price-cents", help="Price of a pack per period"),
    named_users: int = typer.Option(..., "--named-users"),
    extra_document_price_cents: int = typer.Option(..., "--extra-document-price-cents"),
    extra_user_price_cents: int = typer.Option(..., "--extra-user-price-cents"),
    activation: str | None = typer.Option(None, "--activation", help="ISO 8601; first time only (default now)"),
) -> None:
    """Set an account's plan: it takes effect at the next period (at once before activation)."""
    from ingest.billing.subscriptions import BillingError, set_plan

    terms = {"packs": packs, "pack_size": pack_size, "pack_price_cents": pack_price_cents,
             "named_users": named_users, "extra_document_price_cents": extra_document_price_cents,
             "extra_user_price_cents": extra_user_price_cents}
    with _session() as session:
        try:
            version = set_plan(session, account, terms, activation=instant(activation, "--activation"))
        except BillingError as exc:
            die(exc.message, 2)
    typer.echo(json.dumps({"account_id": account, "plan_version": version.id,
                           "effective_period_index": version.effective_period_index}))


@billing_operator_app.command("close-period")
def close_period_command(
    account: str = typer.Option(..., "--account", help="Account id"),
    at: str | None = typer.Option(None, "--at", help="ISO 8601 instant (default now)"),
) -> None:
    """Issue every statement due for the account at --at; prints the statements issued."""
    from ingest.billing.statements import issue_due
    from ingest.billing.subscriptions import BillingError

    with _session() as session:
        try:
            issued = issue_due(session, account, instant(at, "--at"))
        except BillingError as exc:
            die(exc.message, 2)
        out = [{"id": s.id, "number": s.number, "period_index": s.period_index, "total_cents": s.total_cents}
               for s in issued]
    typer.echo(json.dumps({"account_id": account, "issued": out}))


@billing_operator_app.command("correct-statement")
def correct_statement_command(statement: str = typer.Option(..., "--statement", help="Statement id")) -> None:
    """Issue a correction of a statement: it cancels every line of the original and bills its period
    again from today's data (the original stays as it was). Prints the correction."""
    from ingest.billing.statements import issue_correction
    from ingest.billing.subscriptions import BillingError

    with _session() as session:
        try:
            correction = issue_correction(session, statement)
        except BillingError as exc:
            die(exc.message, 2)
        out = {"id": correction.id, "number": correction.number, "corrects_id": correction.corrects_id,
               "total_cents": correction.total_cents}
    typer.echo(json.dumps(out))
