"""Idempotency keys: an upload sent again under the same key gets the first one's batch, once.

A key belongs to an account and lives `KEY_TTL` (a day) from its batch's receipt; after that it may
name a new upload. The batch keeps the *fingerprint* of the request that created it: the dossier,
the flow asked for, the upload's total, and each file's name, SHA-256 and size. The same key with
another fingerprint is a client reusing a key for a different upload, and is refused
(``idempotency_key_reused``) rather than answered with a batch that holds none of its files.

Two requests racing under one key both spool and store their files (content-addressed: the same
bytes land on the same key), then meet at the batch's unique (account, key): the loser rolls back
and answers with the winner's batch, so every one of them gets the same answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from ingest.accounts.principal import Principal
from ingest.intake.batches import Receipt, load_receipt
from ingest.intake.errors import IntakeCode, IntakeError
from ingest.platform.models import Batch
from ingest.platform.spool import Spooled

KEY_TTL = timedelta(days=1)


def fingerprint(dossier_id: str, flow: str | None, upload_total: int | None,
                parts: Sequence[tuple[str, Spooled]]) -> str:
    """What makes two uploads the same request: the same dossier, flow, total and files."""
    files = sorted((name, spooled.sha256, spooled.size) for name, spooled in parts)
    canonical = json.dumps([dossier_id, flow or "", upload_total or 0, files], ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay(session: Session, principal: Principal, key: str | None, print_: str | None, now: datetime,
           ttl: timedelta = KEY_TTL) -> Receipt | None:
    """The batch this key already created (live, within `ttl`), or None. The same key with another
    request raises `reused`."""
    if not key or principal.account_id is None:
        return None
    batch = session.exec(select(Batch).where(Batch.account_id == principal.account_id,
                                             Batch.idempotency_key == key,
                                             col(Batch.received_at) >= now - ttl)).first()
    if batch is None:
        return None
    if batch.request_fingerprint is not None and print_ is not None and batch.request_fingerprint != print_:
        raise IntakeError(IntakeCode.idempotency_key_reused, f"The Idempotency-Key {key!r} was used for another "
                          "upload (other files, dossier or flow) within the last day: use a new key for a new upload.")
    return load_receipt(session, batch, replayed=True)


def free_expired(session: Session, account_id: str, key: str, now: datetime, ttl: timedelta) -> None:
    """Let an expired key name a new upload: its old batch keeps no key (flushes, no commit)."""
    session.execute(update(Batch).where(col(Batch.account_id) == account_id, col(Batch.idempotency_key) == key,
                                        col(Batch.received_at) < now - ttl).values(idempotency_key=None))
