"""A text PDF page as if printed and scanned: the input of the OCR tests and of bench_ocr.

Deterministic: the same page, the same settings and the same seed give the same bytes, so a
benchmark's score moves only when the OCR does. What it does, in the order a desk scanner would:
render at the printer's resolution (grey), tilt the sheet a little, soften the focus, wash the
contrast out (grey paper, grey toner), add sensor noise and a few specks, resample to the scanner's
resolution and save as a mid-quality JPEG. Pure Pillow: the noise comes from a seeded byte stream.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageFilter


@dataclass(frozen=True)
class Degradation:
    """How bad the scan is; the defaults are a cheap office scanner on a fair day."""

    print_dpi: int = 300
    scan_dpi: int = 200
    max_skew: float = 1.5  # degrees, either way
    blur: float = 0.8  # Gaussian radius in printed pixels
    paper: int = 235  # the white of the paper after scanning
    toner: int = 40  # the black of the toner
    noise: float = 0.08  # share of random grey mixed into every pixel
    specks: float = 0.0004  # share of pixels turned to dust
    jpeg_quality: int = 65


def render_grey(pdf: Path, page: int, dpi: int) -> Image.Image:
    """Page ``page`` (from 1) of ``pdf`` as a grey image at ``dpi``."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        bitmap = document[page - 1].render(scale=dpi / 72, grayscale=True)
        return bitmap.to_pil().convert("L")
    finally:
        document.close()


def degrade(image: Image.Image, seed: int, how: Degradation = Degradation()) -> Image.Image:
    """``image`` (grey, at ``how.print_dpi``) printed and scanned; returned at ``how.scan_dpi``."""
    rng = random.Random(seed)
    angle = rng.uniform(-how.max_skew, how.max_skew)
    tilted = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    soft = tilted.filter(ImageFilter.GaussianBlur(how.blur))
    # Ink and paper move towards each other: point() maps 0..255 onto toner..paper.
    washed = soft.point(lambda v: how.toner + v * (how.paper - how.toner) // 255)
    noisy = Image.blend(washed, _random_grey(washed.size, rng), how.noise)
    dusty = _specks(noisy, rng, how.specks)
    width, height = dusty.size
    scale = how.scan_dpi / how.print_dpi
    return dusty.resize((round(width * scale), round(height * scale)), Image.Resampling.BILINEAR)


def scanned_page(pdf: Path, page: int = 1, seed: int = 0, how: Degradation = Degradation()) -> bytes:
    """The JPEG a scanner would give of page ``page`` of ``pdf``, its resolution recorded."""
    scan = degrade(render_grey(pdf, page, how.print_dpi), seed, how)
    out = io.BytesIO()
    scan.save(out, format="JPEG", quality=how.jpeg_quality, dpi=(how.scan_dpi, how.scan_dpi))
    return out.getvalue()


def scanned_pdf(pdf: Path, page: int = 1, seed: int = 0, how: Degradation = Degradation()) -> bytes:
    """That scan wrapped in a one-page PDF without a text layer, as scanners that make PDFs do."""
    scan = Image.open(io.BytesIO(scanned_page(pdf, page, seed, how)))
    out = io.BytesIO()
    scan.save(out, format="PDF", resolution=how.scan_dpi)
    return out.getvalue()


def _random_grey(size: tuple[int, int], rng: random.Random) -> Image.Image:
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))


def _specks(image: Image.Image, rng: random.Random, share: float) -> Image.Image:
    """Dust: a few pixels set to black, placed by the seeded generator."""
    dusty = image.copy()
    width, height = dusty.size
    for _ in range(int(width * height * share)):
        dusty.putpixel((rng.randrange(width), rng.randrange(height)), 0)
    return dusty
