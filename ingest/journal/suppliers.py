"""Each dossier's supplier accounts: opened the first time an invoice of the supplier is seen,
renamed by a person, never opened twice (two exports at once open it once: the insert skips a key
another transaction has just stored, then both read the same row)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel, col, select

from ingest.journal.chart import DEFAULT_EXPENSE, SupplierIdentity, is_expense_account
from ingest.journal.entries import Supplier
from ingest.journal.errors import JournalCode, JournalError
from ingest.journal.tables import JournalSettings, SupplierAccount
from ingest.platform.columns import new_id, utcnow
from ingest.platform.pages import fetch_page

ACCOUNTS = SQLModel.metadata.tables[SupplierAccount.__tablename__]
SETTINGS = SQLModel.metadata.tables[JournalSettings.__tablename__]
_OPEN = {dialect: module.insert(ACCOUNTS).on_conflict_do_nothing(index_elements=["dossier_id", "supplier_key"])
         for dialect, module in (("postgresql", postgresql), ("sqlite", sqlite))}


def default_expense(conn: Connection, dossier_id: str) -> str:
    """The dossier's expense account: its own choice, else 607000."""
    chosen = conn.execute(sa.select(SETTINGS.c.expense_account).where(SETTINGS.c.dossier_id == dossier_id)).scalar()
    return str(chosen) if chosen else DEFAULT_EXPENSE


def supplier_accounts(conn: Connection, dossier_id: str,
                      identities: Iterable[SupplierIdentity]) -> dict[str, Supplier]:
    """The dossier's accounts of these suppliers by key, opening those it has not seen yet (in the
    caller's transaction)."""
    wanted = {identity.key: identity for identity in identities}
    if not wanted:
        return {}
    found = _read(conn, dossier_id, wanted)
    missing = [identity for key, identity in wanted.items() if key not in found]
    if missing:
        conn.execute(_OPEN[conn.dialect.name], [
            {"id": new_id(), "dossier_id": dossier_id, "supplier_key": identity.key, "number": identity.number,
             "name": identity.name[:200], "expense_account": None, "created_at": utcnow()}
            for identity in missing])
        found = _read(conn, dossier_id, wanted)
    return found


def _read(conn: Connection, dossier_id: str, wanted: dict[str, SupplierIdentity]) -> dict[str, Supplier]:
    rows = conn.execute(sa.select(ACCOUNTS.c.supplier_key, ACCOUNTS.c.number, ACCOUNTS.c.name,
                                  ACCOUNTS.c.expense_account)
                        .where(ACCOUNTS.c.dossier_id == dossier_id, ACCOUNTS.c.supplier_key.in_(sorted(wanted))))
    return {row.supplier_key: Supplier(row.number, row.name, row.expense_account, wanted[row.supplier_key].country)
            for row in rows}


def list_suppliers(session: Session, dossier_id: str, *, limit: int,
                   offset: int) -> tuple[list[SupplierAccount], int]:
    stmt = select(SupplierAccount).where(SupplierAccount.dossier_id == dossier_id)
    return fetch_page(session, stmt, col(SupplierAccount.number), col(SupplierAccount.id), limit=limit,
                      offset=offset)


def rename_supplier(session: Session, dossier_id: str, account_id: str, name: str) -> SupplierAccount:
    """Give a supplier's account another name (commits); its number, which entries refer to, stays."""
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= 200:
        raise JournalError(JournalCode.invalid_supplier_name, "A supplier account's name is 1 to 200 characters "
                           "once spaces are trimmed.")
    account = session.get(SupplierAccount, account_id)
    if account is None or account.dossier_id != dossier_id:
        raise JournalError(JournalCode.supplier_not_found, f"No supplier account {account_id} in this dossier.")
    account.name = cleaned
    session.add(account)
    session.commit()
    return account


def set_default_expense(session: Session, dossier_id: str, account: str) -> JournalSettings:
    """The dossier's expense account for suppliers that have none of their own (commits)."""
    if not is_expense_account(account):
        raise JournalError(JournalCode.invalid_expense_account, f"'{account}' is not an expense account: give a "
                           "class 6 account (a charge, such as 606000) or class 2 (a fixed asset, such as "
                           "218300), of 3 to 10 digits.")
    settings = session.get(JournalSettings, dossier_id) or JournalSettings(dossier_id=dossier_id)
    settings.expense_account = account
    session.add(settings)
    session.commit()
    return settings


def journal_settings(session: Session, dossier_id: str) -> JournalSettings:
    """The dossier's settings, its defaults when it chose nothing (nothing is written)."""
    return session.get(JournalSettings, dossier_id) or JournalSettings(dossier_id=dossier_id)
