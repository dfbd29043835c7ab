"""PDF documents read with pypdf: pages, encryption, text layer and the embedded e-invoice.

pypdf is pure Python and tolerant: on hostile input it may log, raise any exception type,
or spin for a long time. Every read here therefore runs under a wall-clock budget, with
pypdf's own logging kept out of the service logs, and every failure becomes our reason.
"""

from __future__ import annotations

import ctypes
import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError
from pypdf.generic import ArrayObject, DictionaryObject, EmbeddedFile

from ingest.documents.limits import Limits
from ingest.documents.reasons import DocumentRejected, Reason

T = TypeVar("T")

# Attachment names that carry a structured invoice, in order of preference.
EINVOICE_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")


@dataclass(frozen=True)
class PdfFacts:
    """What a readable PDF says."""

    pages: int
    encrypted: bool
    page_texts: list[str]
    einvoice_filename: str | None
    einvoice_xml: bytes | None


def read_pdf(path: Path, limits: Limits) -> PdfFacts:
    """Read a PDF fully; raise DocumentRejected (damaged, encrypted, too_many_pages, too_complex)."""
    return _bounded(path, limits, lambda: _read(path, limits))


def declared_page_count(path: Path, limits: Limits) -> int | None:
    """The page count the PDF declares, or None when it cannot be had cheaply.

    For the upload-time check: a damaged or password-protected file is not judged here
    (None), it is left to processing, which says precisely what is wrong.
    """
    try:
        return _bounded(path, limits, lambda: _declared_count(path))
    except DocumentRejected:
        return None


def _bounded(path: Path, limits: Limits, work: Callable[[], T]) -> T:
    """Run pypdf work under the time budget, turning every failure into a rejection."""
    _keep_pypdf_logs_quiet()
    try:
        with _time_budget(limits.max_parse_seconds):
            return work()
    except _OutOfTime:
        raise DocumentRejected(
            Reason.too_complex,
            f"The PDF could not be read within {limits.max_parse_seconds:g} seconds.",
        ) from None
    except (DocumentRejected, DependencyError):
        # DependencyError means our installation lacks a crypto library: not the file's fault.
        raise
    except Exception as exc:  # a parser fed hostile bytes can raise anything
        raise DocumentRejected(
            Reason.damaged, f"The PDF is damaged and cannot be read ({type(exc).__name__}: {exc})."
        ) from exc


class _OutOfTime(BaseException):
    """The reading thread's budget is spent.

    A BaseException, like KeyboardInterrupt, so that pypdf's own broad ``except Exception``
    recovery code cannot swallow it.
    """


@contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """Interrupt the calling thread with _OutOfTime once `seconds` have passed.

    The watchdog raises the exception asynchronously in this thread (CPython's
    PyThreadState_SetAsyncExc), which works in any thread, unlike SIGALRM, so the API's
    worker threads and Celery's processes are equally protected. pypdf is pure Python,
    so the exception is delivered at its next bytecode even inside a runaway loop.
    """
    budget = _WATCHDOG.arm(seconds)
    try:
        yield
    finally:
        _WATCHDOG.disarm(budget)


@dataclass
class _Budget:
    thread_id: int
    active: bool = True
    fired: bool = False


class _Watchdog:
    """One thread that expires every budget of the process, soonest first.

    A timer thread per read cost more than reading a one-page PDF (starting a thread
    waits for it to run). Budgets are kept in a heap by deadline; a finished one stays
    there, inactive, until it reaches the top. After a fork the child starts afresh:
    the parent's thread does not exist there and its lock may have been held.
    """

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Budget]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float) -> _Budget:
        budget = _Budget(threading.get_ident())
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pdf-watchdog", daemon=True)
                self._thread.start()
            heapq.heappush(self._heap, (time.monotonic() + seconds, next(self._order), budget))
            self._cond.notify()
        return budget

    def disarm(self, budget: _Budget) -> None:
        with self._cond:
            budget.active = False
            if budget.fired:
                _raise_in_thread(budget.thread_id, None)  # drop it if not yet delivered

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and not self._heap[0][2].active:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                deadline, _, budget = self._heap[0]
                if (delay := deadline - time.monotonic()) > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
                budget.fired = True
                _raise_in_thread(budget.thread_id, _OutOfTime)


_WATCHDOG = _Watchdog()


def _raise_in_thread(thread_id: int, exc_type: type[BaseException] | None) -> None:
    """Schedule exc_type in the thread (None clears a scheduled one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc_type) if exc_type else None
    )


def _keep_pypdf_logs_quiet() -> None:
    """pypdf logs each robustness fix it applies to a file at warning level; for us the
    outcome (read, or rejected with a reason) is what matters, so only critical lines pass."""
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)


def _open(path: Path) -> tuple[PdfReader, bool]:
    """Open and, when it is protected, try the empty password (owner-only protection)."""
    reader = PdfReader(path, strict=False)
    encrypted = reader.is_encrypted
    if encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise DocumentRejected(
            Reason.encrypted, "The PDF is protected by a password; send it without one."
        )
    return reader, encrypted


def _declared_count(path: Path) -> int | None:
    reader, _ = _open(path)
    pages = reader.root_object["/Pages"].get_object()
    count = pages.get("/Count") if isinstance(pages, DictionaryObject) else None
    return int(count) if isinstance(count, int) and count >= 0 else None


def _read(path: Path, limits: Limits) -> PdfFacts:
    reader, encrypted = _open(path)
    pages = len(reader.pages)
    if pages == 0:
        raise DocumentRejected(Reason.damaged, "The PDF has no pages.")
    if pages > limits.max_pages:
        raise DocumentRejected(
            Reason.too_many_pages, f"The PDF has {pages} pages; the limit is {limits.max_pages}."
        )
    found = find_einvoice(reader, limits.max_file_bytes)
    return PdfFacts(
        pages=pages,
        encrypted=encrypted,
        page_texts=[_page_text(reader, index) for index in range(pages)],
        einvoice_filename=found[0] if found else None,
        einvoice_xml=found[1] if found else None,
    )


def _page_text(reader: PdfReader, index: int) -> str:
    """The text layer of one page; "" when the page has none or it cannot be decoded.

    One broken content stream should not sink an otherwise readable invoice: the page is
    then treated like a scan, which OCR can still read.
    """
    try:
        return reader.pages[index].extract_text() or ""
    except Exception:  # noqa: BLE001 - same reason as in _bounded
        return ""


def find_einvoice(reader: PdfReader, max_bytes: int) -> tuple[str, bytes] | None:
    """The embedded e-invoice XML as (name as stored, bytes), or None.

    Looks in the EmbeddedFiles name tree, then in the catalog's Associated Files (/AF),
    which PDF/A-3 invoices must fill and some writers fill alone. Names compare
    case-insensitively; XML larger than max_bytes is ignored.
    """
    by_name: dict[str, tuple[str, Callable[[], bytes]]] = {}
    for name, load in [*_name_tree_files(reader), *_associated_files(reader)]:
        by_name.setdefault(name.lower(), (name, load))
    for wanted in EINVOICE_NAMES:
        if wanted in by_name:
            name, load = by_name[wanted]
            data = load()
            if 0 < len(data) <= max_bytes:
                return name, data
    return None


def _name_tree_files(reader: PdfReader) -> Iterator[tuple[str, Callable[[], bytes]]]:
    for entry in reader.attachment_list:
        names = {entry.name, *_filespec_names(entry.pdf_object)}
        for name in names:
            yield name, partial(_attachment_data, entry)


def _associated_files(reader: PdfReader) -> Iterator[tuple[str, Callable[[], bytes]]]:
    associated = reader.root_object.get("/AF")
    associated = associated.get_object() if associated is not None else None
    if not isinstance(associated, ArrayObject):
        return
    for item in associated:
        spec = item.get_object()
        if not isinstance(spec, DictionaryObject):
            continue
        for name in _filespec_names(spec):
            yield name, partial(_filespec_data, spec)


def _attachment_data(entry: EmbeddedFile) -> bytes:
    return entry.content


def _filespec_names(spec: DictionaryObject) -> list[str]:
    return [str(spec[key]) for key in ("/UF", "/F") if isinstance(spec.get(key), str)]


def _filespec_data(spec: DictionaryObject) -> bytes:
    streams = spec.get("/EF")
    streams = streams.get_object() if streams is not None else None
    if not isinstance(streams, DictionaryObject):
        return b""
    stream = streams.get("/UF", streams.get("/F"))
    return stream.get_object().get_data() if stream is not None else b""
