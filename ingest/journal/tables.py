"""Tables of the journal: each dossier's supplier accounts, and its journal settings.

Entries themselves are not stored: they are made from the documents' fields each time a period is
exported or reviewed, so that a corrected field shows in the next export with nothing to redo. What
must outlive one export is stored: a supplier's account, opened the first time an invoice of it is
seen, with the name a person may have given it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ingest.journal.chart import DEFAULT_EXPENSE
from ingest.platform.columns import instant, new_id


class SupplierAccount(SQLModel, table=True):
    """A supplier's auxiliary account (under 401) in one dossier."""

    __tablename__ = "supplier_accounts"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "supplier_key"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    dossier_id: str = Field(foreign_key="dossiers.id", index=True, max_length=36)
    # How invoices name it (ingest.journal.chart.SupplierIdentity.key): "siren:…" or "vat:…".
    supplier_key: str = Field(max_length=40)
    number: str = Field(max_length=40)
    # The name first read on an invoice; a person may rename it.
    name: str = Field(max_length=200)
    # Its own expense account when one was learned (None: the dossier's default).
    expense_account: str | None = Field(default=None, max_length=10)
    created_at: datetime = instant(default=True)


class JournalSettings(SQLModel, table=True):
    """A dossier's choices for its purchase journal; a dossier without a row has the defaults."""

    __tablename__ = "journal_settings"
    dossier_id: str = Field(foreign_key="dossiers.id", primary_key=True, max_length=36)
    expense_account: str = Field(default=DEFAULT_EXPENSE, max_length=10)


class FieldCorrection(SQLModel, table=True):
    """What a person corrected of a document's invoice fields, apart from the fields processing
    wrote: a later reprocessing rewrites those, never these. Its presence also says a person looked
    at the invoice, which closes the document's flags for the journal."""

    __tablename__ = "field_corrections"
    # Deleted with its document (ON DELETE CASCADE): the purge leaves nothing of an invoice it
    # removes, and a correction is what a person said of that invoice. The key is the index the
    # cascade looks up.
    document_id: str = Field(sa_column=sa.Column(sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"),
                                                 primary_key=True))
    # {key: value} in the fields' own shapes (amounts as decimal strings, dates ISO).
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    corrected_by: str | None = Field(default=None, max_length=36)
    corrected_at: datetime = instant(default=True)
