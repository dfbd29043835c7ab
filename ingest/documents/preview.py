"""Page previews: one page of a PDF or a scan as a PNG about 900 pixels wide.

PDFs are drawn by PDFium (pypdfium2), scans decoded by Pillow under processing's own guards
(`ingest.documents.images.page_image`: only the sniffed decoder, the pixel limit, Pillow's
decompression-bomb guard). The files come from clients, so drawing runs in a child process
(`draw_preview` runs ``python -m ingest.documents.preview``): PDFium is C code, cannot be interrupted,
and may not be called from two threads at once, so a hostile page must not hang, crash or wait on the
process that serves pages. The child has a wall-clock limit, a CPU limit and an address-space cap,
and at most `DRAWING_SLOTS` run at a time per process.

The cost is bounded whatever the file declares: the scale keeps the long side within `MAX_SIDE`
pixels (a page declared five metres tall is drawn small, not huge). Scans are never enlarged.

Only the first `PREVIEW_PAGES` pages get a preview, under fixed derivative names
(``preview-1.png`` …), so the purge knows every name a document can have without listing the store.
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import threading
from pathlib import Path

from PIL import Image

from ingest.documents.images import page_image
from ingest.documents.limits import Limits
from ingest.documents.reasons import DocumentRejected
from ingest.documents.sniff import Kind

PREVIEW_PAGES = 5
WIDTH = 900
MAX_SIDE = 2000
DRAW_SECONDS = 30.0
DRAWING_SLOTS = 2
CHILD_MEMORY_BYTES = 2 * 1024**3
PAGED_KINDS = frozenset({Kind.pdf, Kind.jpeg, Kind.png, Kind.tiff})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The child's exit status when the page cannot be drawn; its reason is the last line of stderr.
CANNOT_DRAW = 3

_SLOTS = threading.BoundedSemaphore(DRAWING_SLOTS)


class CannotDraw(Exception):
    """This page cannot be drawn: damaged, protected, past the last page, or too slow to draw."""


class DrawingBusy(Exception):
    """Every drawing slot of this process stayed taken while we waited: try again shortly."""


def preview_name(page: int) -> str:
    """The derivative name of page `page`'s preview (pages count from 1)."""
    return f"preview-{page}.png"


def previewable_pages(pages: int | None) -> int:
    """How many pages of a document of `pages` pages have a preview (0 while the count is unknown)."""
    return min(pages or 0, PREVIEW_PAGES)


def preview_names(pages: int | None) -> list[str]:
    """Every preview name a document of `pages` pages can have, drawn or not."""
    return [preview_name(n) for n in range(1, previewable_pages(pages) + 1)]


def draw_preview(path: Path, kind: Kind, page: int, limits: Limits, *, timeout: float = DRAW_SECONDS,
                 wait: float = DRAW_SECONDS) -> bytes:
    """The PNG of page `page` (from 1) of the file at `path`, drawn in a child process.

    Raises CannotDraw when the file has no such page or cannot be drawn within `timeout` seconds,
    DrawingBusy when no drawing slot frees up within `wait` seconds."""
    if kind not in PAGED_KINDS:
        raise CannotDraw(f"a {kind} file has no pages to draw")
    if not _SLOTS.acquire(timeout=wait):
        raise DrawingBusy(f"{DRAWING_SLOTS} pages are being drawn already")
    try:
        done = subprocess.run(
            [sys.executable, "-m", __name__, str(path), str(kind), str(page), str(limits.max_image_pixels),
             str(int(timeout) + 1)],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise CannotDraw(f"drawing the page took more than {timeout:g} seconds") from None
    finally:
        _SLOTS.release()
    if done.returncode == 0 and done.stdout.startswith(PNG_SIGNATURE):
        return done.stdout
    said = done.stderr.decode(errors="replace").strip().splitlines()
    if done.returncode == CANNOT_DRAW and said:
        raise CannotDraw(said[-1])
    raise CannotDraw(f"the drawing process stopped (exit status {done.returncode})")


def render_page(path: Path, kind: Kind, page: int, limits: Limits) -> bytes:
    """The PNG of page `page` (from 1), drawn in this process: the child's work (`draw_preview`)."""
    if kind is Kind.pdf:
        image = _pdf_page(path, page)
    elif kind in PAGED_KINDS:
        try:
            image = page_image(path, kind, page, limits)
        except DocumentRejected as exc:
            raise CannotDraw(exc.message) from exc
        image.thumbnail((WIDTH, MAX_SIDE))  # keeps the proportions; never enlarges
    else:
        raise CannotDraw(f"a {kind} file has no pages to draw")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def pdf_scale(width: float, height: float) -> float:
    """Pixels per PDF point so that the page is `WIDTH` pixels wide, or less when that would make
    its long side exceed `MAX_SIDE`. (A hair under, as PDFium rounds sizes up.)"""
    if width <= 0 or height <= 0:
        raise CannotDraw(f"the page has no area ({width:g} × {height:g} points)")
    return min((WIDTH - 0.01) / width, (MAX_SIDE - 0.01) / max(width, height))


def _pdf_page(path: Path, page: int) -> Image.Image:
    import pypdfium2 as pdfium  # the child's import: a process that only asks for previews never loads PDFium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise CannotDraw(f"the PDF cannot be opened ({exc})") from exc
    try:
        if not 1 <= page <= len(pdf):
            raise CannotDraw(f"the PDF has no page {page}")
        sheet = pdf[page - 1]
        width, height = sheet.get_size()
        try:
            drawn: Image.Image = sheet.render(scale=pdf_scale(width, height)).to_pil()
            return drawn.convert("RGB")
        except pdfium.PdfiumError as exc:
            raise CannotDraw(f"the page cannot be drawn ({exc})") from exc
    finally:
        pdf.close()


def _cap_resources(cpu_seconds: int) -> None:
    """The child's own limits, set before it reads anything of the file."""
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))


def main(argv: list[str]) -> int:
    """``python -m ingest.documents.preview PATH KIND PAGE MAX_PIXELS CPU_SECONDS``: the PNG on stdout."""
    path, kind, page, max_pixels, cpu_seconds = argv
    _cap_resources(int(cpu_seconds))
    try:
        png = render_page(Path(path), Kind(kind), int(page), Limits(max_image_pixels=int(max_pixels)))
    except CannotDraw as exc:
        print(str(exc).replace("\n", " "), file=sys.stderr)
        return CANNOT_DRAW
    except MemoryError:
        print("drawing the page needs more memory than a preview may take", file=sys.stderr)
        return CANNOT_DRAW
    sys.stdout.buffer.write(png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
