"""Intake runs in threads of its own: uploads never take the threads of the pool that serves reads
(under load, a client that only listed its batches waited 8 s behind 40 uploads: bench_load)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import anyio
import anyio.from_thread
import anyio.to_thread

from api.uploads import UploadGate
from ingest.platform.settings import Settings


def test_intake_borrows_no_thread_of_the_shared_pool_and_no_more_than_its_own() -> None:
    gate = UploadGate.from_settings(Settings(intake_threads=2))
    inside = threading.Semaphore(0)
    release = threading.Event()
    seen: list[tuple[int, int]] = []

    def intake() -> None:
        shared = anyio.from_thread.run_sync(lambda: anyio.to_thread.current_default_thread_limiter().borrowed_tokens)
        seen.append((shared, int(gate.intake.borrowed_tokens)))
        inside.release()
        release.wait(10)

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(5):
                group.start_soon(gate.run, intake)
            await anyio.to_thread.run_sync(lambda: [inside.acquire(timeout=10) for _ in range(2)])
            await anyio.sleep(0.2)
            running = len(seen)  # five uploads asked; two are in intake, three wait for a thread
            release.set()
        assert running == 2

    # A thread of its own: in a run with the browser tests, Playwright holds an event loop in this one.
    errors: list[BaseException] = []
    runner = threading.Thread(target=lambda: _catching(errors, lambda: anyio.run(main)))
    runner.start()
    runner.join(30)
    if errors:
        raise errors[0]
    assert len(seen) == 5
    assert all(shared <= 1 for shared, _ in seen)  # at most the test's own waiting thread: none of intake's
    assert max(own for _, own in seen) <= 2


def _catching(errors: list[BaseException], fn: Callable[[], object]) -> None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
        errors.append(exc)

