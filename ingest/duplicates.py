"""Duplicates inside a dossier: the same bytes, or the same supplier's invoice number and total.

A duplicate is ``processed`` with ``duplicate_of`` = the original's id and a
``duplicate`` flag, and is not counted. The decision is taken inside the
transaction that finishes the document, after locking the dossier row (``SELECT …
FOR UPDATE`` on PostgreSQL; on SQLite the document's UPDATE, issued first, already
holds the database's single write lock), so finishers of one dossier are serialised:
of two copies finishing at once, the one that commits first is the original and the
other one sees it. The original is the earliest received of the processed,
non-duplicate matches.
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from sqlmodel import Session

from ingest.documents.fields import Field
from ingest.documents.understand import NoticeCode, flag
from ingest.models import Document, DocumentState, Dossier

_FR_VAT = re.compile(r"^FR[0-9A-Z]{2}(\d{9})$")


def supplier_key(fields: dict[str, Field]) -> str | None:
    """One spelling per supplier: the SIREN (also read out of a French VAT number),
    else the VAT number, else the name folded to lower-case letters and digits."""
    for key in ("supplier_siren", "supplier_siret"):
        found = fields.get(key)
        if found is not None and isinstance(found.value, str):
            return f"siren:{found.value[:9]}"
    vat = fields.get("supplier_vat")
    if vat is not None and isinstance(vat.value, str):
        match = _FR_VAT.match(vat.value.upper())
        return f"siren:{match.group(1)}" if match else f"vat:{vat.value.upper()}"
    name = fields.get("supplier_name")
    if name is not None and isinstance(name.value, str):
        folded = unicodedata.normalize("NFKD", name.value).encode("ascii", "ignore").decode().lower()
        letters = re.sub(r"[^a-z0-9]+", "", folded)
        return f"name:{letters}" if letters else None
    return None


def invoice_key(fields: dict[str, Field]) -> str | None:
    """``supplier|number|total incl. tax``, or None unless all three are known."""
    supplier = supplier_key(fields)
    number, total = fields.get("invoice_number"), fields.get("total_incl_tax")
    if supplier is None or number is None or total is None:
        return None
    compact_number = re.sub(r"\s+", "", str(number.value)).upper()
    return f"{supplier}|{compact_number}|{total.value}"[:300]


def lock_dossier(session: Session, dossier_id: str) -> None:
    """Serialise the finishing transactions of one dossier (a no-op clause on SQLite)."""
    session.execute(sa.select(Dossier.id).where(Dossier.id == dossier_id).with_for_update())


def find_original(session: Session, doc: Document) -> Document | None:
    """The earliest received processed, non-duplicate document of the dossier that
    ``doc`` repeats (same bytes, or same invoice key); None when it is the first."""
    same = Document.sha256 == doc.sha256
    if doc.invoice_key:
        same = sa.or_(same, Document.invoice_key == doc.invoice_key)
    stmt = (sa.select(Document)
            .where(Document.dossier_id == doc.dossier_id, Document.id != doc.id,
                   Document.state == DocumentState.processed, Document.duplicate_of.is_(None),  # type: ignore[union-attr]
                   same)
            .order_by(Document.received_at, Document.id).limit(1))
    return session.execute(stmt).scalars().first()


def mark_duplicate(doc: Document, original: Document) -> None:
    """Point ``doc`` at its original and say why, in words a client can check."""
    if original.sha256 == doc.sha256:
        why = "the same file (identical bytes)"
    else:
        why = "the same supplier's invoice with the same number and total incl. tax"
    doc.duplicate_of = original.id
    doc.flags = [*(doc.flags or []), flag(NoticeCode.DUPLICATE,
                 f"This is {why} as document {original.id} ({original.filename}), already "
                 "processed in this dossier; it is not counted.")]
