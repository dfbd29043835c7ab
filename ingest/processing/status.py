"""Where documents stand, counted: what ``/metrics`` exports of processing."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from ingest.platform.models import Document


def documents_by_state_and_kind(engine: Engine) -> dict[tuple[str, str], int]:
    with Session(engine) as session:
        rows = session.exec(select(Document.state, Document.kind, func.count())
                            .group_by(Document.state, Document.kind)).all()
    return {(state, kind): int(n) for state, kind, n in rows}
