"""Processing latency and OCR time, as histograms made at scrape time from the documents finished
in the last hour (`WINDOW`), at most `MAX_DOCUMENTS` of them, newest first.

Why a window and not counters since the start: the figures come from the database (every process
reports the same), and the nightly purge deletes documents, so a count over every row would go down
as well as up, and reading every document at each scrape would cost more as the history grows.
Over a window the histogram says "the documents finished in the last hour": read it as it is,
`histogram_quantile(0.95, sum by (le, flow) (bordereau_processing_latency_seconds_bucket))`, not
through `rate()`. The bound keeps a scrape to one range of the `finished_at` index: under a load of
more than `MAX_DOCUMENTS` an hour the window holds the newest ones only.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import timedelta

from prometheus_client.core import HistogramMetricFamily
from sqlalchemy.engine import Engine

from ingest.platform.columns import utcnow
from ingest.processing.status import Finished, recently_finished

WINDOW = timedelta(hours=1)
MAX_DOCUMENTS = 10_000
# Seconds from receipt to a final state: an idle service finishes a daily document in seconds, a
# busy one in minutes, an archive's documents in hours; the daily flow's commitment is 48 hours,
# with buckets either side of it and at its half, where a batch starts to be at risk.
LATENCY_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0, 12 * 3600.0, 24 * 3600.0,
                   36 * 3600.0, 48 * 3600.0, 72 * 3600.0)
# Seconds of OCR per page: Tesseract reads a clean A4 page in one to a few seconds; a page stops
# at the per-page limit (BORDEREAU_OCR_PAGE_TIMEOUT, 60 s by default).
OCR_BUCKETS = (0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0)


def cumulative_buckets(values: Iterable[float], bounds: Sequence[float]) -> tuple[list[tuple[str, float]], float]:
    """Prometheus buckets of `values` (cumulative counts per upper bound, then +Inf) and their sum."""
    counts = [0] * (len(bounds) + 1)
    total = 0.0
    for value in values:
        total += value
        counts[bisect_left(bounds, value)] += 1  # the first bound >= value; len(bounds) for +Inf
    buckets, running = [], 0
    for bound, count in zip((*(_le(b) for b in bounds), "+Inf"), counts, strict=True):
        running += count
        buckets.append((bound, float(running)))
    return buckets, total


def _le(bound: float) -> str:
    return str(int(bound)) if bound == int(bound) else str(bound)


def latency_families(engine: Engine) -> Iterator[HistogramMetricFamily]:
    finished = recently_finished(engine, utcnow() - WINDOW, MAX_DOCUMENTS)
    yield _histogram("bordereau_processing_latency_seconds",
                     "Seconds from receipt to a final state, of the documents finished in the last hour",
                     finished, lambda d: d.seconds, LATENCY_BUCKETS)
    with_ocr = [d for d in finished if d.ocr_seconds is not None and d.ocr_pages]
    yield _histogram("bordereau_ocr_seconds_per_page",
                     "OCR seconds per page of each document OCR'd among those finished in the last hour",
                     with_ocr, lambda d: (d.ocr_seconds or 0.0) / (d.ocr_pages or 1), OCR_BUCKETS)


def _histogram(name: str, help_text: str, finished: list[Finished], value: Callable[[Finished], float],
               bounds: Sequence[float]) -> HistogramMetricFamily:
    """One series per (flow, kind) present in the window."""
    grouped: dict[tuple[str, str], list[float]] = defaultdict(list)
    for doc in finished:
        grouped[(doc.flow, doc.kind)].append(value(doc))
    family = HistogramMetricFamily(name, help_text, labels=["flow", "kind"])
    for labels, values in sorted(grouped.items()):
        buckets, total = cumulative_buckets(values, bounds)
        family.add_metric(list(labels), buckets, total)
    return family
