"""Dossiers: the companies whose invoices an account has processed (a firm's clients, or the
company itself). Other wings find a dossier here rather than in the table."""

from __future__ import annotations

from sqlmodel import Session, col, select
from stdnum.fr import siren as siren_number

from ingest.accounts.principal import Principal
from ingest.accounts.tables import Dossier
from ingest.platform.errors import Code, DomainError
from ingest.platform.pages import fetch_page


class DossierCode(Code):
    no_account = "no_account", "Operators have no dossiers: use a client's key."
    limited_to_dossiers = ("limited_to_dossiers", "A user limited to some dossiers cannot open one: an administrator "
                           "of the account can.")
    invalid_siren = "invalid_siren", "Not a valid SIREN (9 digits, Luhn check)."


class DossierError(DomainError):
    """A dossier refused (see `DossierCode`)."""


def open_dossier(session: Session, principal: Principal, name: str, siren: str | None = None) -> Dossier:
    """A new dossier of the principal's account (commits); the SIREN, when given, is checked."""
    if principal.account_id is None:
        raise DossierError(DossierCode.no_account, "Operators have no dossiers: use a client's key.")
    if principal.dossier_ids is not None:
        raise DossierError(DossierCode.limited_to_dossiers, "You are limited to some dossiers of the account, so you "
                           "cannot open a new one: ask an administrator of your account.")
    number = None
    if siren:
        number = siren_number.compact(siren)
        if not siren_number.is_valid(number):
            raise DossierError(DossierCode.invalid_siren, f"'{siren}' is not a valid SIREN (9 digits, Luhn check).")
    dossier = Dossier(account_id=principal.account_id, name=name.strip(), siren=number)
    session.add(dossier)
    session.commit()
    return dossier


def list_dossiers(session: Session, principal: Principal, *, limit: int, offset: int) -> tuple[list[Dossier], int]:
    """The principal's account's dossiers it has rights on, oldest first (an operator, who has no
    account, none)."""
    stmt = select(Dossier).where(Dossier.account_id == principal.account_id)
    if principal.dossier_ids is not None:
        stmt = stmt.where(col(Dossier.id).in_(sorted(principal.dossier_ids)))
    return fetch_page(session, stmt, col(Dossier.created_at), col(Dossier.id), limit=limit, offset=offset)


def account_dossiers(session: Session, account_id: str, *, limit: int, offset: int) -> tuple[list[Dossier], int]:
    """Every dossier of an account, oldest first, whoever asks: what its administrators grant rights
    on (``users.change_user`` accepts any dossier of the account)."""
    stmt = select(Dossier).where(Dossier.account_id == account_id)
    return fetch_page(session, stmt, col(Dossier.created_at), col(Dossier.id), limit=limit, offset=offset)


def get_dossier(session: Session, dossier_id: str) -> Dossier | None:
    return session.get(Dossier, dossier_id)


def account_dossier(session: Session, account_id: str, dossier_id: str) -> Dossier | None:
    """The dossier if it belongs to `account_id`, else None (whether it exists or not)."""
    dossier = session.get(Dossier, dossier_id)
    return dossier if dossier is not None and dossier.account_id == account_id else None
