"""Documents that wait for what they need, instead of failing for it.

A fault of the environment (the object store or the database unreachable) is not the document's,
nor a crash: processing gives its lease back with the attempt not counted (`ingest.processing.lease`)
and the task tries again, waiting longer each time (`backoff`), for up to the retry horizon
(``BORDEREAU_TRANSIENT_RETRY_HORIZON``, 30 minutes: longer than an ordinary outage). Past it, a
document is set waiting (`queued`, its `reason` saying for what) and a periodic job hands it out again
once what it waits for answers (`requeue_waiting`). A database away for longer cannot even record
that: the task keeps trying at the longest interval instead, which is the same wait.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ingest.platform.errors import Code
from ingest.platform.models import Document, DocumentState
from ingest.processing.requeue import requeue

FIRST_BACKOFF_S = 2.0
# Under RabbitMQ's 30-minute consumer timeout, which also bounds a retry's countdown.
MAX_BACKOFF_S = 600.0


class Waiting(Code):
    """Why a ``queued`` document waits (its ``reason`` while queued); each goes on by itself."""

    ocr_unavailable = "ocr_unavailable", "The document needs OCR, which is unavailable here; it waits for it."
    waiting_for_store = ("waiting_for_store", "The object store stayed unreachable past the retries; the document "
                         "waits for it.")


def backoff(retries: int, rng: Callable[[], float] = random.random) -> float:
    """Seconds before try `retries` + 1: doubling from 2 s up to 10 minutes, the upper half of it
    drawn at random so that documents that failed together do not all come back together."""
    ceiling: float = min(FIRST_BACKOFF_S * 2 ** retries, MAX_BACKOFF_S)
    return ceiling / 2 + rng() * ceiling / 2


def retries_within(horizon: float) -> int:
    """How many retries `backoff` spaces over at least `horizon` seconds (counting their shortest
    waits, half of each ceiling), so that an outage shorter than the horizon fails nothing."""
    retries, waited = 0, 0.0
    while waited < horizon:
        waited += min(FIRST_BACKOFF_S * 2 ** retries, MAX_BACKOFF_S) / 2
        retries += 1
    return retries


def set_waiting(engine: Engine, document_id: str, why: Waiting, message: str) -> bool:
    """Mark a document that is back in the queue as waiting for `why` (not one that someone else has
    taken meanwhile, nor one already final)."""
    with Session(engine) as session:
        done = session.execute(sa.update(Document).where(col(Document.id) == document_id,
                                                         col(Document.state) == DocumentState.queued.value)
                               .values(reason=why.value, message=message[:1000]))
        session.commit()
    return bool(getattr(done, "rowcount", 0))


def requeue_waiting(engine: Engine, why: Waiting, available: Callable[[], bool], limit: int = 1000) -> int:
    """Hand out again the documents waiting for `why`, when `available()` says it answers now.

    The messages go out first, then the reason is cleared: a crash in between only means the next
    run sends them again, which the lease makes harmless."""
    waiting = sa.and_(col(Document.state) == DocumentState.queued.value, col(Document.reason) == why.value)
    with Session(engine) as session:
        ids = list(session.execute(sa.select(col(Document.id)).where(waiting).limit(limit)).scalars())
    if not ids or not available():
        return 0
    count = requeue(engine, col(Document.id).in_(ids), waiting, limit=limit)
    with Session(engine) as session:
        session.execute(sa.update(Document).where(col(Document.id).in_(ids), waiting).values(reason=None, message=None))
        session.commit()
    return count
