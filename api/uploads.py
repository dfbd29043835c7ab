"""Bounds on upload bodies, so that slow or numerous uploads cost their sender and no one else.

- `UploadGate`: how many bodies one API process reads at once, in all and per account; past either
  bound a request is refused at once with 429 and ``Retry-After`` (before its body is read). Its
  `intake` limiter bounds how many uploads are handed to intake at once (hashing, storing, the
  database): intake runs in threads of its own, so that uploads never take every thread of the
  process's pool, which reads (listing batches, reading a document) need: with 40 uploads in intake
  at once on the shared pool, a client that only lists its batches waited 8 s (bench_load).
- `paced`: a body must arrive within the deadline and keep up a minimum rate after a grace period;
  a trickle is cut with 408 ``upload_too_slow`` (the files it had spooled are deleted by the reader).

Both are per process: a deployment with several API processes admits that many times more. The
database is not involved: an upload holds no connection while its body arrives (``api.deps``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import anyio

from api.problems import ApiCode, Problem
from ingest.platform.settings import Settings

RETRY_AFTER_S = 5
T = TypeVar("T")


@dataclass
class UploadGate:
    total: int
    per_account: int
    intake: anyio.CapacityLimiter
    _open: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadGate:
        return cls(settings.max_concurrent_uploads, settings.max_concurrent_uploads_per_account,
                   anyio.CapacityLimiter(settings.intake_threads))

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` in an intake thread (waiting for one while all are busy)."""
        return await anyio.to_thread.run_sync(partial(fn, *args), limiter=self.intake)

    @contextmanager
    def admit(self, account: str) -> Iterator[None]:
        """Hold one of the process's upload places for `account` while the block runs."""
        if self._open[account] >= self.per_account:
            raise Problem(ApiCode.too_many_uploads, f"Your account already has {self.per_account} uploads in "
                          f"progress on this server; send this one when one of them is answered.",
                          headers={"Retry-After": str(RETRY_AFTER_S)})
        if sum(self._open.values()) >= self.total:
            raise Problem(ApiCode.server_busy, "The server is receiving as many uploads as it takes at once; "
                          f"send this one again in {RETRY_AFTER_S} seconds.",
                          headers={"Retry-After": str(RETRY_AFTER_S)})
        self._open[account] += 1
        try:
            yield
        finally:
            self._open[account] -= 1
            if not self._open[account]:
                del self._open[account]


@dataclass(frozen=True)
class Pace:
    deadline: float  # seconds for the whole body
    min_rate: int  # bytes per second, averaged from the start, once the grace period is over
    grace: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Pace:
        return cls(settings.upload_deadline, settings.upload_min_rate, settings.upload_grace)


async def paced(chunks: AsyncIterator[bytes], pace: Pace) -> AsyncIterator[bytes]:
    """`chunks` as they arrive, cut with 408 when the body runs past the deadline or falls behind the
    minimum rate. A wait for the next chunk is bounded too, so a client that stops sending is cut
    without sending anything more."""
    start, received = time.monotonic(), 0
    iterator = chunks.__aiter__()
    while True:
        behind_at = start + pace.grace + (received / pace.min_rate if pace.min_rate else float("inf"))
        wait = min(start + pace.deadline, behind_at) - time.monotonic()
        try:
            with anyio.fail_after(max(wait, 0)):
                chunk = await iterator.__anext__()
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise _too_slow(pace, received, time.monotonic() - start) from None
        received += len(chunk)
        yield chunk


def _too_slow(pace: Pace, received: int, elapsed: float) -> Problem:
    return Problem(ApiCode.upload_too_slow,
                   f"The upload stopped after {received:,} bytes in {elapsed:.0f} s: a body must arrive within "
                   f"{pace.deadline:.0f} s and at {pace.min_rate:,} bytes a second or more. Nothing was "
                   "recorded; send it again (with the same Idempotency-Key).", headers={"Connection": "close"})
