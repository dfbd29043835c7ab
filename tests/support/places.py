"""A place for a benchmark's documents: a new account with one dossier and one batch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from ingest.accounts.lifecycle import create_account
from ingest.accounts.tables import Dossier
from ingest.platform.models import Batch


@dataclass(frozen=True)
class Place:
    account: str
    dossier: str
    batch: str


def new_place(session: Session, firm: str = "Bench firm") -> Place:
    """Made in `session`, flushed, not committed: the caller adds its documents in the same transaction."""
    account = create_account(session, firm, "firm", f"{uuid.uuid4().hex[:8]}@example.test")
    dossier = Dossier(account_id=account.account_id, name="Bench dossier")
    session.add(dossier)
    session.flush()
    batch = Batch(account_id=account.account_id, dossier_id=dossier.id)
    session.add(batch)
    session.flush()
    return Place(account.account_id, dossier.id, batch.id)
