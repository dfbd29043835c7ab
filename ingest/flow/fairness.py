"""The bulk dispatcher's pure core: which pending bulk documents go to the workers next.

docs/contract.md §6: bulk work never delays daily flow, and one client's archive never starves another's.
The dispatcher keeps only a shallow *pipe* of bulk documents at the broker: each round tops it up to
its target (`room`), and the target is what the bulk workers get through in about two dispatch
intervals at their measured rate (`pipe_target`), so they never run dry between rounds and the
broker never holds a whole archive. A newcomer's documents go out in the first round after they
arrive, behind at most the pipe's target: about two intervals of work, not millions of documents.

Within a window the order is round-robin across accounts, and within an account round-robin across
its dossiers, each dossier oldest first (by batch receipt, then document order). Shares are counted
in documents, the unit the dispatcher sends.

Why the caller passes per-dossier queues and a `Cursor` rather than one flat list: a window never
takes more than `window` documents from a dossier, so the caller loads only that many oldest ids
per dossier (an indexed query), however large the archive; and the cursor, which remembers the
last account served and the last dossier served in each account, carries the rotation from one call
to the next. Without it every call would start again at the first account and first dossier, and
a window smaller than the number of accounts would serve the same accounts forever.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

# account id -> dossier id -> that dossier's pending document ids, oldest first.
Queues = Mapping[str, Mapping[str, Sequence[str]]]


@dataclass(frozen=True)
class Cursor:
    """Where the round-robin stopped: the last account served and, per account, its last dossier.

    Plain strings only, so the dispatcher can keep it as JSON between runs.
    """

    account: str | None = None
    dossiers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    """One pending bulk document, as the dispatcher reads it from the database."""

    account_id: str
    dossier_id: str
    batch_id: str
    document_id: str
    received_at: datetime  # the batch's receipt
    sequence: int  # the document's position in its batch


def group_pending(pending: Iterable[Pending]) -> dict[str, dict[str, list[str]]]:
    """Per-(account, dossier) queues, each oldest first: by batch receipt, then document order.

    The batch id breaks ties between batches received at the same instant, so the order is total
    and the same on every run.
    """
    ordered = sorted(pending, key=lambda p: (p.received_at, p.batch_id, p.sequence))
    queues: dict[str, dict[str, list[str]]] = {}
    for item in ordered:
        queues.setdefault(item.account_id, {}).setdefault(item.dossier_id, []).append(
            item.document_id
        )
    return queues


# Rounds of work the pipe holds: one to last until the next round, one in case that round is late.
PIPE_ROUNDS = 2.0
# The pipe's size before the bulk rate is known (no bulk work lately): a first round that small is
# measured within seconds, and the next rounds are sized from it.
MIN_PIPE = 10


def pipe_target(rate: float | None, interval: float, ceiling: int) -> int:
    """How many bulk documents to keep in flight: `PIPE_ROUNDS` dispatch intervals of work at the
    measured `rate` (documents per second), at least `MIN_PIPE`, at most `ceiling` (the configured
    window). An unknown rate gives `MIN_PIPE`."""
    if interval <= 0 or ceiling < 1:
        raise ValueError("interval must be > 0 and ceiling >= 1")
    if rate is None or rate <= 0:
        return min(MIN_PIPE, ceiling)
    return max(min(MIN_PIPE, ceiling), min(ceiling, math.ceil(rate * interval * PIPE_ROUNDS)))


def room(in_flight: int, target: int) -> int:
    """How many documents a round may send: what tops the pipe up to `target`.

    `in_flight` counts bulk documents sent and not finished (queued or running).
    """
    if in_flight < 0 or target < 1:
        raise ValueError("in_flight must be >= 0 and target >= 1")
    return max(0, target - in_flight)


def next_window(
    queues: Queues, window: int, cursor: Cursor | None = None
) -> tuple[list[str], Cursor]:
    """The next `window` document ids to dispatch, and the cursor to pass to the next call.

    Every account with pending work is served once per round, in account-id order starting after
    `cursor.account`; a call that ends mid-round resumes the round at the next call.
    """
    if window < 0:
        raise ValueError(f"window must be >= 0, not {window}")
    cursor = cursor or Cursor()
    accounts = [account for account in sorted(queues) if _has_work(queues[account])]
    feeds = {
        account: _AccountFeed(queues[account], cursor.dossiers.get(account))
        for account in accounts
    }
    turn = deque(_rotate(accounts, cursor.account))
    picked: list[str] = []
    last_account = cursor.account
    while turn and len(picked) < window:
        account = turn.popleft()
        picked.append(feeds[account].take())
        last_account = account
        if feeds[account].has_work():
            turn.append(account)
    # Accounts without pending work are dropped from the cursor: a returning account simply
    # starts at its first dossier again, and the cursor stays as small as the active set.
    dossiers = {
        account: feed.last_dossier
        for account, feed in feeds.items()
        if feed.last_dossier is not None
    }
    return picked, Cursor(last_account, dossiers)


class _AccountFeed:
    """One account's dossiers, served round-robin, each dossier's queue read in order."""

    def __init__(self, dossiers: Mapping[str, Sequence[str]], last_dossier: str | None) -> None:
        self._queues = dossiers
        self._positions = {dossier: 0 for dossier, queue in dossiers.items() if queue}
        self._turn = deque(_rotate(sorted(self._positions), last_dossier))
        self.last_dossier = last_dossier

    def has_work(self) -> bool:
        return bool(self._turn)

    def take(self) -> str:
        dossier = self._turn.popleft()
        position = self._positions[dossier]
        self._positions[dossier] = position + 1
        if position + 1 < len(self._queues[dossier]):
            self._turn.append(dossier)
        self.last_dossier = dossier
        return self._queues[dossier][position]


def _has_work(dossiers: Mapping[str, Sequence[str]]) -> bool:
    return any(len(queue) > 0 for queue in dossiers.values())


def _rotate(ordered: list[str], last: str | None) -> list[str]:
    """`ordered` starting just after `last`, which may itself have left the list since."""
    if last is None:
        return ordered
    start = bisect.bisect_right(ordered, last)
    return ordered[start:] + ordered[:start]
