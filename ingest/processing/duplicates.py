"""Duplicates inside a dossier: the same bytes, or the same supplier's invoice number and total.

A duplicate is ``processed`` with ``duplicate_of`` = the original's id and a
``duplicate`` flag, and is not counted. The decision is taken inside the
transaction that finishes the document, after locking what could match it
(`lock_matches`), so that of two copies finishing at once, the one that commits
first is the original and the other one sees it. The original is the earliest
received of the processed, non-duplicate matches.

The locks are PostgreSQL advisory locks on (dossier, bytes) and (dossier, invoice
key), not on the dossier row: documents that cannot match each other finish in
parallel, which is most of them, since a batch is mostly one dossier. Each
finisher takes its (at most two) locks in ascending order, so two never wait on
each other in a cycle. On SQLite the document's UPDATE, issued first, already
holds the database's single write lock.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from sqlmodel import SQLModel

from ingest.documents.fields import Field
from ingest.documents.understand import NoticeCode, flag
from ingest.platform.models import Document, DocumentState

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


# Statements run for every finished document are built once (see `ingest.processing.lease`). The select
# list is evaluated left to right: the locks are taken in the order of the parameters.
_LOCKS = {n: sa.select(*(sa.func.pg_advisory_xact_lock(sa.bindparam(f"k{i}", type_=sa.BigInteger))
                         for i in range(n))) for n in (1, 2)}


def lock_matches(conn: Connection, dossier_id: str, sha256: str, invoice_key: str | None) -> None:
    """Serialise the finishing transactions that could match this document (see above)."""
    if conn.dialect.name != "postgresql":
        return
    keys = sorted({_lock_key(dossier_id, "sha256", sha256)}
                  | ({_lock_key(dossier_id, "invoice", invoice_key)} if invoice_key else set()))
    conn.execute(_LOCKS[len(keys)], {f"k{i}": key for i, key in enumerate(keys)})


def _lock_key(dossier_id: str, what: str, value: str) -> int:
    """A signed 64-bit advisory lock key; a collision only serialises two unrelated finishers."""
    digest = hashlib.blake2b(f"{dossier_id}|{what}|{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# The predicate of the partial indexes that hold originals only (migration 0009), written out
# literally: with a bound parameter for the state, a prepared statement's generic plan cannot
# prove it matches and walks every copy of the file through the plain sha256 index instead.
_IS_ORIGINAL = sa.text(f"documents.state = '{DocumentState.processed.value}' AND documents.duplicate_of IS NULL")


def _original_query(by_invoice_key: bool) -> sa.Select[Any]:
    docs = SQLModel.metadata.tables[Document.__tablename__]
    same = docs.c.sha256 == sa.bindparam("sha256")
    if by_invoice_key:
        same = sa.or_(same, docs.c.invoice_key == sa.bindparam("invoice_key"))
    return (sa.select(docs.c.id, docs.c.filename, docs.c.sha256)
            .where(docs.c.dossier_id == sa.bindparam("dossier_id"), docs.c.id != sa.bindparam("document_id"),
                   _IS_ORIGINAL, same)
            .order_by(docs.c.received_at, docs.c.id).limit(1))


_ORIGINAL = {by_key: _original_query(by_key) for by_key in (False, True)}


def find_original(conn: Connection, dossier_id: str, document_id: str, sha256: str,
                  invoice_key: str | None) -> Row[Any] | None:
    """The earliest received processed, non-duplicate document of the dossier that
    this one repeats (same bytes, or same invoice key): its id, filename and sha256;
    None when this one is the first."""
    params = {"dossier_id": dossier_id, "document_id": document_id, "sha256": sha256}
    if invoice_key:
        params["invoice_key"] = invoice_key
    return conn.execute(_ORIGINAL[bool(invoice_key)], params).first()


def duplicate_values(sha256: str, flags: list[dict[str, Any]], original: Row[Any]) -> dict[str, Any]:
    """The columns that point a document at its original and say why, in words a client can check."""
    if original.sha256 == sha256:
        why = "the same file (identical bytes)"
    else:
        why = "the same supplier's invoice with the same number and total incl. tax"
    notice = flag(NoticeCode.DUPLICATE,
                  f"This is {why} as document {original.id} ({original.filename}), already "
                  "processed in this dossier; it is not counted.")
    return {"duplicate_of": original.id, "flags": [*(flags or []), notice]}
