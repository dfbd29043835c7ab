"""ETAs and the 48-hour commitment: the periodic use case that keeps every open batch current.

`recompute` reads, in a few grouped queries, the measured throughput (recent documents'
processing times per kind, older ones for a kind the recent window lacks, weighted by age:
`ingest.flow.eta.estimate_throughput`) and the unfinished work per
account, dossier and batch; then gives each open bulk batch its `eta` under the fair schedule
(`ingest.flow.eta.bulk_eta`) and each open daily batch its expected finish (`ingest.flow.eta.daily_eta`,
kept in the same `eta` column) and its `sla_state`; with each ETA, its basis (`eta_basis`) and,
when that is not the flow's own measurements, a range (`eta_earliest`, `eta_latest`). Batches whose
documents are all final get their `finished_at`; a daily batch past due records its late documents in
`sla_breaches`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ingest.flow.classification import SlaState
from ingest.flow.eta import (
    KINDS,
    EtaBasis,
    Throughput,
    Work,
    bulk_eta,
    busy_seconds,
    daily_eta,
    estimate_throughput,
    eta_range,
    weakest,
)
from ingest.flow.tables import SlaBreach
from ingest.platform.columns import utcnow
from ingest.platform.models import Batch, Document, DocumentState, Flow
from ingest.processing.presence import live_concurrency

# Recent completions of each flow read to measure its throughput: a minute of a busy pool of
# text PDFs, hours of scans. Fewer (400 were tried) follow the daily bursts and the database's
# housekeeping from one ETA to the next: bench_flow's estimate at 10 % of an archive ranged from
# -2 % to +19 % between two runs.
SAMPLE_DOCUMENTS = 2000
MIN_CAPACITY_SAMPLES = 20  # fewer than this: use the live pool, or the configured concurrency
# A flow with fewer completions of its own than this is costed on the other flow's: the same
# documents on the same kind of workers, but not the same load, and its pool's capacity scaled to the
# flow's own pool (`measure`). In bench_flow, one process in each pool, an archive then ran at 0.82
# to 1.04 of the rate daily work had shown alone on one machine (first estimates -22 % to +14 %
# off), and the first estimates were -3 % to -6 % off on another; no fixed correction fitted every
# run, so none is applied. With two daily processes and one bulk, the scaled first estimate was
# +31 % off (-34 % unscaled): on a shared host a process's time per document also depends on how
# many processes share its CPUs, which nothing here knows. The flow's own figures replace the
# borrowed ones after its first 20 documents.
MIN_OWN_SAMPLES = 20
IDLE_GAP_S = 2.0  # a pause longer than this between documents is idle time, not overhead
IMAGE_KINDS = ("jpeg", "png", "tiff")
UNFINISHED = [DocumentState.received.value, DocumentState.queued.value, DocumentState.processing.value]


def eta_kind(kind: str, text_chars: int | None, flavour: str | None) -> str:
    """The ETA model's kind of a processed document: e-invoice, text PDF or scan."""
    if kind == "xml" or flavour:
        return "einvoice"
    if kind in IMAGE_KINDS or not text_chars:
        return "scan"
    return "text_pdf"


@dataclass(frozen=True)
class Sample:
    kind: str
    flow: str
    started_at: datetime
    finished_at: datetime
    # Older than the flow's recent window, read for a kind the window holds too few of: it costs
    # that kind, and says nothing of today's pool (capacity) or mix (share of scans).
    history: bool = False

    @property
    def seconds(self) -> float:
        return max(0.0, (self.finished_at - self.started_at).total_seconds())


@dataclass
class Measured:
    """Each flow's per-kind costs, capacity (worker-seconds per second) and share of scans among its
    PDFs; and what each stands on (`EtaBasis`: per kind, and for the capacity)."""

    throughput: dict[str, Throughput]
    capacity: dict[str, float]
    scan_share_of_pdfs: dict[str, float]
    cost_basis: dict[str, dict[str, EtaBasis]] = field(default_factory=dict)
    capacity_basis: dict[str, EtaBasis] = field(default_factory=dict)

    def basis(self, flow: str, kinds: Iterable[str]) -> EtaBasis:
        """The basis of an estimate for documents of these kinds in the flow, at its pool's pace."""
        costs = self.cost_basis.get(flow, {})
        parts = [costs.get(k, EtaBasis.none) for k in kinds]
        return weakest([*parts, self.capacity_basis.get(flow, EtaBasis.none)])


def _kind_is(kind: str) -> sa.ColumnElement[bool]:
    """SQL for `eta_kind(...) == kind`."""
    einvoice = sa.or_(col(Document.kind) == "xml", col(Document.einvoice_flavour).is_not(None))
    scan = sa.or_(col(Document.kind).in_(IMAGE_KINDS), sa.func.coalesce(col(Document.text_chars), 0) == 0)
    if kind == "einvoice":
        return einvoice
    if kind == "scan":
        return sa.and_(sa.not_(einvoice), scan)
    return sa.and_(sa.not_(einvoice), sa.not_(scan))


def recent_samples(session: Session, flow: str, limit: int = SAMPLE_DOCUMENTS, *, kind: str | None = None,
                   before: datetime | None = None) -> list[Sample]:
    """The flow's last `limit` processed documents (of one ETA kind, finished before a time), oldest first."""
    stmt = (sa.select(col(Document.kind), col(Document.text_chars), col(Document.einvoice_flavour), col(Batch.flow),
                      col(Document.started_at), col(Document.finished_at))
            .join(Batch, col(Batch.id) == Document.batch_id)
            .where(col(Document.state) == DocumentState.processed, col(Batch.flow) == flow,
                   col(Document.finished_at).is_not(None), col(Document.started_at).is_not(None))
            .order_by(col(Document.finished_at).desc()).limit(limit))
    if kind is not None:
        stmt = stmt.where(_kind_is(kind))
    if before is not None:
        stmt = stmt.where(col(Document.finished_at) < before)
    rows = session.execute(stmt).all()
    # The query already leaves out rows without both times: the test only narrows their types.
    return [Sample(eta_kind(k, chars, flav), f, start, end, history=kind is not None)
            for k, chars, flav, f, start, end in rows if start is not None and end is not None][::-1]


def flow_samples(session: Session, flow: str, waiting: Iterable[str] | None = None) -> list[Sample]:
    """The flow's recent window, and for each kind it holds fewer than `MIN_OWN_SAMPLES` of, that
    kind's last documents before it: an archive of scans last week still costs today's scans when
    text PDFs filled the window since.

    `waiting`: the sniffed kinds of the flow's unfinished documents; only the ETA kinds they are
    costed as are read further back (each such read may walk the flow's whole history: a kind
    nothing waits for is not worth it). None: every kind."""
    recent = recent_samples(session, flow)
    if len(recent) < SAMPLE_DOCUMENTS:
        return recent  # the window holds the flow's whole history
    held = Counter(s.kind for s in recent)
    needed = set(KINDS) if waiting is None else _needed_kinds(set(waiting), held)
    older = [s for kind in KINDS if kind in needed and held[kind] < MIN_OWN_SAMPLES
             for s in recent_samples(session, flow, kind=kind, before=recent[0].finished_at)]
    return older + recent


def _needed_kinds(waiting: set[str], held: Counter[str]) -> set[str]:
    """The ETA kinds unfinished documents of these sniffed kinds are costed as (`cost_kinds`): a
    PDF as a scan only when the window holds scans (its share of them is the window's)."""
    needed = set()
    if "xml" in waiting:
        needed.add("einvoice")
    if waiting & set(IMAGE_KINDS):
        needed.add("scan")
    if waiting - {"xml", *IMAGE_KINDS}:
        needed |= {"text_pdf", "scan"} if held["scan"] else {"text_pdf"}
    return needed


def waiting_kinds(work: Unfinished) -> dict[str, set[str]]:
    """Each flow's sniffed kinds of unfinished documents."""
    out: dict[str, set[str]] = defaultdict(set)
    for batch_id, kind, _ in work.counts:
        if batch_id in work.batches:
            out[work.batches[batch_id].flow].add(kind)
    return out


def samples_by_flow(session: Session, waiting: Mapping[str, set[str]] | None = None) -> dict[str, list[Sample]]:
    return {flow.value: flow_samples(session, flow.value, None if waiting is None else waiting.get(flow.value, set()))
            for flow in Flow}


def measured_capacity(samples: list[Sample]) -> float | None:
    """A pool's capacity as it ran: the documents' worker time over the time the pool was busy
    (worker-seconds per second; at most its concurrency).

    Busy time is the union of the documents' intervals, short pauses between them included,
    long idle periods left out (`ingest.flow.eta.busy_seconds`). None when too few samples to say.
    """
    if len(samples) < MIN_CAPACITY_SAMPLES:
        return None
    busy = busy_seconds(((s.started_at, s.finished_at) for s in samples), IDLE_GAP_S)
    if busy <= 0:
        return None
    return max(sum(s.seconds for s in samples) / busy, 0.05)


def measure(samples: Mapping[str, list[Sample]], fallback_concurrency: int,
            concurrency: Mapping[str, int] | None = None, now: datetime | None = None) -> Measured:
    """Each flow's model from its own samples; a kind it has fewer than `MIN_OWN_SAMPLES` of is
    costed on both flows' samples of that kind (borrowed), or its prior (none); so is its pace when
    its recent window is that short. Costs are weighted by age at `now` (`HALF_LIFE_S`).

    `concurrency`: the live pool processes of each flow (`ingest.processing.presence.live_concurrency`).
    A borrowed capacity is scaled by them, since the other flow's pool is not this one's; a flow with
    nothing measured gets its concurrency. `fallback_concurrency` stands in for an unknown one.
    """
    fallback = max(1, fallback_concurrency)
    concurrency = concurrency or {}
    everything = [s for flow_samples in samples.values() for s in flow_samples]
    m = Measured({}, {}, {})
    for flow in (Flow.daily.value, Flow.bulk.value):
        own = samples.get(flow, [])
        throughput, m.cost_basis[flow] = _costs(own, everything, now)
        m.throughput[flow] = throughput
        window = [s for s in own if not s.history]
        borrowed = len(window) < MIN_OWN_SAMPLES
        basis = [s for s in everything if not s.history] if borrowed else window
        measured = measured_capacity(basis)
        if measured is not None and borrowed and _knows_concurrency(basis, flow, concurrency):
            measured = measured / _lender_concurrency(basis, concurrency) * concurrency[flow]
        m.capacity[flow] = measured or float(concurrency.get(flow) or fallback)
        m.capacity_basis[flow] = (EtaBasis.none if measured is None
                                  else EtaBasis.borrowed if borrowed else EtaBasis.measured)
        m.scan_share_of_pdfs[flow] = _scan_share(basis)
    return m


def _costs(own: list[Sample], everything: list[Sample], now: datetime | None) -> tuple[Throughput, dict[str, EtaBasis]]:
    """Per kind: the flow's own samples when it has enough of them, else both flows' (or the prior)."""
    chosen: list[Sample] = []
    basis: dict[str, EtaBasis] = {}
    for kind in KINDS:
        mine = [s for s in own if s.kind == kind]
        if len(mine) >= MIN_OWN_SAMPLES:
            chosen += mine
            basis[kind] = EtaBasis.measured
            continue
        anyone = [s for s in everything if s.kind == kind]
        chosen += anyone
        basis[kind] = EtaBasis.borrowed if anyone else EtaBasis.none
    newest = now or max((s.finished_at for s in chosen), default=None)
    return estimate_throughput([(s.kind, s.seconds, _age(s, newest)) for s in chosen]), basis


def _age(sample: Sample, now: datetime | None) -> float:
    return (now - sample.finished_at).total_seconds() if now is not None else 0.0


def _knows_concurrency(basis: list[Sample], flow: str, concurrency: Mapping[str, int]) -> bool:
    return concurrency.get(flow, 0) > 0 and all(concurrency.get(s.flow, 0) > 0 for s in basis)


def _lender_concurrency(basis: list[Sample], concurrency: Mapping[str, int]) -> float:
    """The pool the borrowed samples ran on: each flow's concurrency, weighted by its share of them."""
    counts = Counter(s.flow for s in basis)
    return sum(concurrency[f] * n for f, n in counts.items()) / sum(counts.values())


def _scan_share(samples: list[Sample]) -> float:
    pdfs = [s for s in samples if s.kind in ("text_pdf", "scan")]
    return sum(1 for s in pdfs if s.kind == "scan") / len(pdfs) if pdfs else 0.0


def cost_kinds(measured: Measured, flow: str, kind: str) -> tuple[str, ...]:
    """The ETA kinds that cost unfinished documents of a sniffed kind: a PDF is a text PDF or a scan,
    in the flow's measured proportions."""
    if kind == "xml":
        return ("einvoice",)
    if kind in IMAGE_KINDS:
        return ("scan",)
    share = measured.scan_share_of_pdfs[flow]
    return tuple(k for k, part in (("text_pdf", 1 - share), ("scan", share)) if part > 0)


def pending_work(measured: Measured, flow: str, kind: str, count: int) -> Work:
    """The worker time of `count` unfinished documents of a sniffed kind in a flow (PDFs split by
    the share of scans)."""
    costs = measured.throughput[flow].seconds_per_document
    if kind == "xml":
        return Work(count, count * costs["einvoice"])
    if kind in IMAGE_KINDS:
        return Work(count, count * costs["scan"])
    share = measured.scan_share_of_pdfs[flow]
    return Work(count, count * (share * costs["scan"] + (1 - share) * costs["text_pdf"]))


@dataclass
class OpenBatch:
    batch: Batch
    work: Work = field(default_factory=lambda: Work(0, 0.0))
    # The ETA kinds its unfinished documents are costed as (what its ETA's basis depends on).
    kinds: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Unfinished:
    """Every batch not finished, by id, and the unfinished documents as (batch, sniffed kind, count):
    read once per refresh, for the kinds worth measuring and then for the work itself."""

    batches: dict[str, Batch]
    counts: list[tuple[str, str, int]]


def unfinished(session: Session) -> Unfinished:
    batches = session.exec(select(Batch).where(col(Batch.finished_at).is_(None))).all()
    stmt = (select(Document.batch_id, Document.kind, sa.func.count())
            .where(col(Document.state).in_(UNFINISHED))
            .group_by(Document.batch_id, Document.kind))
    return Unfinished({b.id: b for b in batches}, [(b, k, int(n)) for b, k, n in session.exec(stmt).all()])


def open_batches(work: Unfinished, measured: Measured) -> list[OpenBatch]:
    """Every unfinished batch with its unfinished work (all are needed for the schedule)."""
    by_id = {batch_id: OpenBatch(b) for batch_id, b in work.batches.items()}
    for batch_id, kind, count in work.counts:
        if batch_id in by_id:
            o = by_id[batch_id]
            o.work += pending_work(measured, o.batch.flow, kind, count)
            o.kinds.update(cost_kinds(measured, o.batch.flow, kind))
    return sorted(by_id.values(), key=lambda o: (o.batch.received_at, o.batch.id))


def bulk_etas(now: datetime, open_: list[OpenBatch], capacity: float) -> dict[str, datetime]:
    """Each unfinished bulk batch's ETA under the round-robin schedule."""
    bulk = [o for o in open_ if o.batch.flow == Flow.bulk and o.work.documents]
    per_dossier: dict[str, Work] = defaultdict(lambda: Work(0, 0.0))
    per_account: dict[str, Work] = defaultdict(lambda: Work(0, 0.0))
    dossier_account: dict[str, str] = {}
    for o in bulk:
        per_dossier[o.batch.dossier_id] += o.work
        per_account[o.batch.account_id] += o.work
        dossier_account[o.batch.dossier_id] = o.batch.account_id
    etas: dict[str, datetime] = {}
    through: dict[str, Work] = defaultdict(lambda: Work(0, 0.0))
    for o in bulk:  # oldest first: a dossier's older batches go before
        b = o.batch
        through[b.dossier_id] += o.work
        others_here = [w for d, w in per_dossier.items() if d != b.dossier_id and dossier_account[d] == b.account_id]
        other_accounts = [w for a, w in per_account.items() if a != b.account_id]
        etas[b.id] = bulk_eta(now, through[b.dossier_id], others_here, other_accounts, capacity)
    return etas


def daily_etas(now: datetime, open_: list[OpenBatch], capacity: float) -> dict[str, datetime]:
    """Each unfinished daily batch's expected finish: first come, first served, ahead of bulk."""
    ahead, out = 0.0, {}
    for o in open_:
        if o.batch.flow == Flow.daily and o.work.documents:
            out[o.batch.id] = daily_eta(now, o.work.seconds, ahead, capacity)
            ahead += o.work.seconds
    return out


def sla_state(now: datetime, due_at: datetime, expected: datetime | None, finished_at: datetime | None,
              margin: timedelta) -> SlaState:
    """A daily batch's standing against its due time (see `SlaState`)."""
    if finished_at is not None:
        return SlaState.met if finished_at <= due_at else SlaState.breached
    if now > due_at:
        return SlaState.breached
    if (expected is not None and expected > due_at) or due_at - now < margin:
        return SlaState.at_risk
    return SlaState.on_track


def record_breach(session: Session, batch: Batch) -> int:
    """Late documents of a breached daily batch (unfinished at due time), once per batch."""
    assert batch.due_at is not None
    if session.exec(select(SlaBreach.document_id).where(SlaBreach.batch_id == batch.id).limit(1)).first():
        return 0
    late = session.exec(select(Document.id).where(
        Document.batch_id == batch.id,
        sa.or_(col(Document.finished_at).is_(None), col(Document.finished_at) > batch.due_at))).all()
    session.add_all(SlaBreach(batch_id=batch.id, document_id=d, account_id=batch.account_id,
                              due_at=batch.due_at) for d in late)
    return len(late)


@dataclass(frozen=True)
class Recomputed:
    open_batches: int
    finished: int
    breached_documents: int


def recompute(engine: Engine, *, margin: timedelta, fallback_concurrency: int, now: datetime | None = None,
              only: Iterable[str] | None = None) -> Recomputed:
    """Refresh ETAs, finish times and SLA states of open batches (all, or those in `only`)."""
    now = now or utcnow()
    wanted = set(only) if only is not None else None
    with Session(engine, expire_on_commit=False) as session:
        # Who is up is a question about the present, whatever `now` the ETAs are computed at.
        concurrency = live_concurrency(session.connection(), utcnow())
        work = unfinished(session)
        measured = measure(samples_by_flow(session, waiting_kinds(work)), fallback_concurrency, concurrency, now)
        open_ = open_batches(work, measured)
        etas = bulk_etas(now, open_, measured.capacity[Flow.bulk.value])
        etas.update(daily_etas(now, open_, measured.capacity[Flow.daily.value]))
        finished = breached = 0
        for o in open_:
            if wanted is not None and o.batch.id not in wanted:
                continue
            basis = measured.basis(o.batch.flow, o.kinds)
            f, b = _refresh_one(session, o, etas.get(o.batch.id), basis, now, margin)
            finished, breached = finished + f, breached + b
        session.commit()
    return Recomputed(len(open_), finished, breached)


def _refresh_one(session: Session, o: OpenBatch, eta: datetime | None, basis: EtaBasis, now: datetime,
                 margin: timedelta) -> tuple[int, int]:
    b, finished = o.batch, 0
    if not o.work.documents:
        last = session.exec(select(sa.func.max(col(Document.finished_at)))
                            .where(Document.batch_id == b.id)).one()
        b.finished_at, finished = last or b.received_at, 1
    elif eta is not None:
        b.eta, b.eta_computed_at, b.eta_basis = eta, now, basis.value
        b.eta_earliest, b.eta_latest = eta_range(now, eta, basis) or (None, None)
    breached = 0
    if b.flow == Flow.daily and b.due_at is not None:
        b.sla_state = sla_state(now, b.due_at, b.eta, b.finished_at, margin).value
        if b.sla_state == SlaState.breached:
            breached = record_breach(session, b)
    session.add(b)
    return finished, breached
