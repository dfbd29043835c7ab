"""API shapes of the journal: an entry and its lines, the reasons it is held (apart from the wing's
dataclasses, as the other shapes are apart from the tables)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel

from ingest.journal.entries import Entry, Hold


class HoldPublic(BaseModel):
    code: str
    message: str


class LinePublic(BaseModel):
    account: str
    account_label: str
    aux: str
    aux_label: str
    label: str
    debit_cents: int
    credit_cents: int


class EntryPublic(BaseModel):
    date: date
    piece: str
    label: str
    default_expense: bool
    reverse_charge: bool
    credit_note: bool
    lines: list[LinePublic]


def entry_public(entry: Entry | None) -> EntryPublic | None:
    if entry is None:
        return None
    return EntryPublic(date=entry.day, piece=entry.piece, label=entry.label, default_expense=entry.default_expense,
                       reverse_charge=entry.reverse_charge, credit_note=entry.credit_note,
                       lines=[LinePublic(account=line.account, account_label=line.account_label, aux=line.aux,
                                         aux_label=line.aux_label, label=line.label, debit_cents=line.debit,
                                         credit_cents=line.credit) for line in entry.lines])


def holds_public(holds: Iterable[Hold]) -> list[HoldPublic]:
    return [HoldPublic(code=hold.code, message=hold.message) for hold in holds]
