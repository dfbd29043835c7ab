"""The two ways to run Tesseract on one page image: in this process (tesserocr) or as a command.

In-process, an engine (``PyTessBaseAPI``) costs a language model's load, about a third of a second:
one is kept per process, thread and language set, made on first use and reused for every page after.
A worker's pool forks its children: an engine made before the fork is not used after it (the key
holds the process id), so each child loads its own. The command is the fallback where tesserocr
is not installed: a child process per page, text only (no word boxes).

Either way a page has a time limit: past it the page's text is empty and ``timed_out`` is set.
"""

from __future__ import annotations

import io
import os
import subprocess
import threading
from dataclasses import dataclass
from typing import Any

from PIL import Image

from ingest.documents.layout import PageWords, Word

# Where Debian (5, then 4) and source builds put the language data; TESSDATA_PREFIX comes first.
_TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                  "/usr/share/tessdata", "/usr/local/share/tessdata")


class EngineUnavailable(RuntimeError):
    """The engine cannot start; the message says why."""


@dataclass(frozen=True)
class PageRead:
    """What one page gave: its text, its words (PDF points, top left), or the time limit."""

    text: str
    words: PageWords | None = None
    timed_out: bool = False


def tesserocr_importable() -> bool:
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return True


def tessdata_dir(configured: str | None) -> str | None:
    """The language data folder: the configured one, else the first that exists. tesserocr's wheel
    bundles the library but no data, and its built-in path is not where Debian puts it."""
    candidates = [configured] if configured else [os.environ.get("TESSDATA_PREFIX", ""), *_TESSDATA_DIRS]
    return next((c for c in candidates if c and os.path.isdir(c)), None)


def tesserocr_languages(tessdata: str | None) -> set[str]:
    import tesserocr

    folder = tessdata_dir(tessdata)
    if folder is None:
        return set()
    _, languages = tesserocr.get_languages(folder.rstrip("/") + "/")
    return set(languages)


_ENGINES: dict[tuple[int, int, str, str | None], Any] = {}


def _engine(languages: str, tessdata: str | None) -> Any:
    """This thread's engine for ``languages``, made on first use (and again in a forked child)."""
    import tesserocr

    key = (os.getpid(), threading.get_ident(), languages, tessdata)
    api = _ENGINES.get(key)
    if api is None:
        if any(k[0] != key[0] for k in _ENGINES):
            _ENGINES.clear()  # inherited from the parent: its engines are not ours to use
        folder = tessdata_dir(tessdata)
        if folder is None:
            raise EngineUnavailable("no Tesseract language data folder was found")
        try:
            api = tesserocr.PyTessBaseAPI(path=folder.rstrip("/") + "/", lang=languages)
        except RuntimeError as exc:
            raise EngineUnavailable(f"tesserocr could not load {languages}: {exc}") from None
        _ENGINES[key] = api
    return api


def read_in_process(image: Image.Image, dpi: float, languages: str, psm: int, timeout: float,
                    tessdata: str | None = None) -> PageRead:
    """One page through tesserocr, ``dpi`` the image's resolution (word boxes are converted by it)."""
    api = _engine(languages, tessdata)
    api.SetPageSegMode(psm)
    api.SetImage(image)
    api.SetSourceResolution(round(dpi))
    if not api.Recognize(timeout=max(1, round(timeout * 1000))):
        api.Clear()
        return PageRead("", None, timed_out=True)
    text, words = _text(api), _words(api, dpi)
    api.Clear()
    points = 72 / dpi
    return PageRead(text, PageWords(0, image.width * points, image.height * points, words))


def _text(api: Any) -> str:
    try:
        return str(api.GetUTF8Text())
    except RuntimeError:  # tesserocr's way of saying a page has no text at all
        return ""


def _words(api: Any, dpi: float) -> tuple[Word, ...]:
    """The recognised words with their boxes, from pixels at ``dpi`` to PDF points."""
    from tesserocr import RIL, iterate_level

    points = 72 / dpi
    found = []
    iterator = api.GetIterator()
    if iterator is None:
        return ()
    for item in iterate_level(iterator, RIL.WORD):
        try:
            text = (item.GetUTF8Text(RIL.WORD) or "").strip()
        except RuntimeError:  # an empty block: tesserocr raises rather than return ""
            continue
        box = item.BoundingBox(RIL.WORD)
        if not text or box is None:
            continue
        x0, y0, x1, y1 = box
        found.append(Word(text, x0 * points, y0 * points, x1 * points, y1 * points,
                          round(item.Confidence(RIL.WORD) / 100, 4)))
    return tuple(found)


def read_with_command(image: Image.Image, dpi: float, languages: str, psm: int, timeout: float,
                      command: str) -> PageRead:
    """One page through the ``tesseract`` command (text only)."""
    png = io.BytesIO()
    image.save(png, format="PNG", compress_level=1)  # a fast write: the child reads it once
    args = [command, "stdin", "stdout", "-l", languages, "--psm", str(psm), "--dpi", str(round(dpi))]
    try:
        done = subprocess.run(args, input=png.getvalue(), capture_output=True, timeout=timeout, check=False)
    except OSError as exc:
        raise EngineUnavailable(f"{command} could not start: {exc.strerror}") from None
    except subprocess.TimeoutExpired:
        return PageRead("", None, timed_out=True)
    # An unreadable image is not the engine's absence: the page reads as blank.
    return PageRead(done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else "")
