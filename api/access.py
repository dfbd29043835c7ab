"""Reads by id under the account rule (`ingest.accounts.principal`): one rule for every resource."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session

from api.problems import ApiCode, Problem
from ingest.accounts.principal import Principal
from ingest.accounts.tables import Dossier

Row = TypeVar("Row")


def visible(session: Session, principal: Principal, model: type[Row], row_id: str, noun: str) -> Row:
    """The row if it belongs to the caller's account (operators see every account) and, when it
    belongs to a dossier, to one of the caller's dossiers.

    A row the caller may not see answers exactly like a missing one (404), so ids reveal nothing.
    """
    row = session.get(model, row_id)
    if row is None or not principal.sees(getattr(row, "account_id", None)):
        raise Problem(ApiCode.not_found, f"No {noun} {row_id}.")
    dossier_id = row.id if isinstance(row, Dossier) else getattr(row, "dossier_id", None)
    if dossier_id is not None and not principal.sees_dossier(dossier_id):
        raise Problem(ApiCode.not_found, f"No {noun} {row_id}.")
    return row
