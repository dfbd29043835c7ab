"""When a batch will be done: measured throughput, fair shares of the bulk capacity, ETAs.

Work is counted in worker-seconds; capacity in worker-seconds per second (a pool of 8 workers
that bulk has to itself has a capacity of 8). Daily batches go first (docs/contract.md §6: bulk never
delays daily flow), so the capacity handed to `bulk_eta` is what daily work leaves over.

Bulk is dispatched round-robin (`ingest.flow.fairness`): every active account gets one document per
round, and within an account every dossier in turn. Under that schedule, by the time a queue has
done `n` documents, every other queue has done `min(its own, n)`: a water-filling. Summing the
worker time of that work gives each queue's finish time, exact for round-robin up to the position
inside the last round, with no step-by-step simulation however large the archives.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

KINDS = ("text_pdf", "scan", "einvoice")

# Worker-seconds per document before any of that kind has been measured. Guesses, replaced by
# the first measurement: an e-invoice is an XML parse; a PDF with a text layer
# is text extraction and field matching; a scan is OCR of one or two pages at 300 dpi, the slow
# path by an order of magnitude. Erring slow keeps a first ETA from being broken.
PRIOR_SECONDS = {"einvoice": 0.5, "text_pdf": 2.0, "scan": 20.0}

# Coarse timers can report 0 s; a floor keeps a rate finite.
MIN_SECONDS = 0.001

# A sample counts for at most this many times its kind's median: one document stuck for minutes
# says nothing about the thousands behind it, and would otherwise swing a mean of fast ones.
OUTLIER_CAP = 10.0

# A measurement's weight halves every week: a new archive is costed on the deployment's bulk history,
# the last days counting most (a slower machine, heavier scans), an older archive still better than a
# guess when nothing newer of its kind was processed.
HALF_LIFE_S = 7 * 86400.0


class EtaBasis(StrEnum):
    """What an ETA stands on. `measured`: the flow's own recent documents of every kind it waits for,
    and its own pool's pace. `borrowed`: some of it from the other flow's documents (or too few of its
    own yet), as for a deployment's first archive. `none`: priors, nothing of the kind was measured."""

    measured = "measured"
    borrowed = "borrowed"
    none = "none"


_STRENGTH = {EtaBasis.none: 0, EtaBasis.borrowed: 1, EtaBasis.measured: 2}


def weakest(bases: Iterable[EtaBasis]) -> EtaBasis:
    """The basis of an estimate made of parts: its weakest part's (measured when there is no part)."""
    return min(bases, key=_STRENGTH.__getitem__, default=EtaBasis.measured)


# How far an ETA that is not measured may fall from its point, as factors of the time it gives (the
# range shown: earliest, latest). Borrowed: first archives costed on daily measurements finished
# between 34 % sooner and 31 % later than said (bench_flow, two machines; notes in ingest.flow.sla).
# None: the priors err slow by design, and measured costs came out 2 (scans) to 40 (e-invoices,
# small text PDFs) times lower, so the point is the latest end.
ETA_RANGE = {EtaBasis.borrowed: (0.65, 1.4), EtaBasis.none: (0.05, 1.0)}


def eta_range(now: datetime, eta: datetime, basis: EtaBasis) -> tuple[datetime, datetime] | None:
    """(earliest, latest) around an ETA that is not measured; None for a measured one (a point)."""
    if basis is EtaBasis.measured:
        return None
    low, high = ETA_RANGE[basis]
    ahead = max(eta - now, timedelta(0))
    return now + ahead * low, now + ahead * high


@dataclass(frozen=True)
class Throughput:
    """Worker-seconds per document of each kind. How many workers share the load (the capacity)
    is measured apart: see `ingest.flow.sla.measured_capacity`."""

    seconds_per_document: Mapping[str, float]


def estimate_throughput(samples: Sequence[tuple[str, float] | tuple[str, float, float]]) -> Throughput:
    """Throughput from completions `(kind, worker-seconds)` or `(kind, worker-seconds, age in seconds)`.

    Each kind's cost is the mean of its samples weighted by age (`HALF_LIFE_S`), each capped at
    `OUTLIER_CAP` times the kind's median; or its prior when none was measured. The caller chooses
    the window (the last thousands of documents of each kind): a mean over that many is steady, and
    still follows a slower machine or heavier scans within minutes.
    """
    by_kind: dict[str, list[tuple[float, float]]] = {kind: [] for kind in KINDS}
    for kind, seconds, *age in samples:
        if kind not in by_kind:
            raise ValueError(f"unknown kind of document {kind!r}; expected one of {KINDS}")
        if seconds < 0:
            raise ValueError(f"a duration cannot be negative: {seconds}")
        weight = 0.5 ** (max(age[0], 0.0) / HALF_LIFE_S) if age else 1.0
        by_kind[kind].append((max(seconds, MIN_SECONDS), weight))
    means = {kind: _capped_mean(values) if values else PRIOR_SECONDS[kind] for kind, values in by_kind.items()}
    return Throughput(means)


def _capped_mean(values: list[tuple[float, float]]) -> float:
    cap = OUTLIER_CAP * statistics.median(v for v, _ in values)
    return sum(min(v, cap) * w for v, w in values) / sum(w for _, w in values)


@dataclass(frozen=True)
class Work:
    """Pending documents and their worker time, in processing order."""

    documents: int
    seconds: float

    @property
    def mean_seconds(self) -> float:
        return self.seconds / self.documents if self.documents else 0.0

    def seconds_for(self, documents: float) -> float:
        """Worker time of the first `documents` of this work, at its mean cost."""
        return self.mean_seconds * min(documents, self.documents)

    def __add__(self, other: Work) -> Work:
        return Work(self.documents + other.documents, self.seconds + other.seconds)


def busy_seconds(intervals: Iterable[tuple[datetime, datetime]], idle_gap: float) -> float:
    """Seconds during which at least one of the (start, end) intervals ran, counting a pause
    shorter than `idle_gap` seconds between them as busy (a broker round trip, a dispatch round:
    real costs per document) and a longer one as idle (a quiet night is not a slow pool)."""
    busy, end = 0.0, None
    for start, finish in sorted(intervals):
        long_pause = end is None or (start - end).total_seconds() > idle_gap
        covered_from = start if long_pause or end is None else end
        if finish > covered_from:
            busy += (finish - covered_from).total_seconds()
            end = finish if end is None else max(end, finish)
    return busy


def bulk_eta(
    now: datetime,
    through_batch: Work,
    other_dossiers: Sequence[Work],
    other_accounts: Sequence[Work],
    capacity: float,
) -> datetime:
    """When a bulk batch will be done under the fair schedule.

    `through_batch`: its dossier's pending work up to and including the batch (older batches of
    the dossier go first). `other_dossiers`: the pending work of its account's other dossiers.
    `other_accounts`: each other account's pending bulk work. `capacity`: what daily leaves over.
    """
    _require_capacity(capacity)
    # Inside the account, dossiers alternate: when ours has done its part, each other dossier
    # has done as much, or all it had.
    mine = through_batch.documents
    account_documents = mine + sum(min(d.documents, mine) for d in other_dossiers)
    account_seconds = through_batch.seconds + sum(d.seconds_for(mine) for d in other_dossiers)
    # Across accounts the same, counted in the account's documents.
    others = sum(a.seconds_for(account_documents) for a in other_accounts)
    return now + timedelta(seconds=(account_seconds + others) / capacity)


def daily_eta(
    now: datetime, own_seconds: float, daily_ahead_seconds: float, capacity: float
) -> datetime:
    """When a daily batch will be done: daily is first come, first served, ahead of all bulk."""
    _require_capacity(capacity)
    if own_seconds < 0 or daily_ahead_seconds < 0:
        raise ValueError("work cannot be negative")
    return now + timedelta(seconds=(daily_ahead_seconds + own_seconds) / capacity)


def _require_capacity(capacity: float) -> None:
    # With no capacity there is no finish time to promise; the caller shows "no ETA" instead.
    if not capacity > 0:
        raise ValueError(f"capacity must be positive, not {capacity}")
