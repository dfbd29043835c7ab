"""Scanned images (JPEG, PNG, TIFF) read with Pillow: size, pages, and a PNG fit for OCR.

Pillow only reads the header when an image is opened; pixels are decoded on load. So the
pixel limit is checked on the header first, and Pillow's own decompression-bomb guard is set
from the same limit as a second line for anything that slips past.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from ingest.documents.limits import Limits
from ingest.documents.reasons import DocumentRejected, Reason
from ingest.documents.sniff import Kind

# Only the decoder matching the sniffed kind may open the file: no format guessing.
_PILLOW_FORMATS = {Kind.jpeg: "JPEG", Kind.png: "PNG", Kind.tiff: "TIFF"}
_GREY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
_WIDE_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N", "F"})


@dataclass(frozen=True)
class ImageFacts:
    """What a readable image says; `normalised` holds one PNG per page.

    Width and height are those of the first page once upright, as in its PNG.
    """

    pages: int
    width: int
    height: int
    normalised: list[bytes]


def header_pixels(path: Path, kind: Kind, limits: Limits) -> tuple[int, int]:
    """Width and height of the first page from the header alone; rejects too many pixels.

    An image Pillow cannot identify is not judged here (0, 0): processing will say why.
    """
    try:
        with _opened(path, kind, limits) as image:
            _check_pixels(image, limits)
            return image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return (0, 0)


def read_image(path: Path, kind: Kind, limits: Limits) -> ImageFacts:
    """Decode every page and normalise it; raise DocumentRejected when that is not possible."""
    try:
        with _opened(path, kind, limits) as image:
            pages = _page_count(image, limits)
            # Encode each page as soon as it is decoded: a long TIFF never sits in memory whole.
            first = _normalised_page(image, 0, limits)
            width, height = first.size
            normalised = [_png(first)]
            normalised += [_png(_normalised_page(image, page, limits)) for page in range(1, pages)]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise DocumentRejected(
            Reason.damaged, f"The image is damaged and cannot be read ({exc})."
        ) from exc
    return ImageFacts(pages=pages, width=width, height=height, normalised=normalised)


def page_image(path: Path, kind: Kind, page: int, limits: Limits) -> Image.Image:
    """Page `page` (from 1) upright in 8-bit, decoded under the same guards as `read_image`, for
    a caller that needs one page (a preview) rather than every page encoded.

    Raises DocumentRejected when the image cannot be read or has no such page."""
    try:
        with _opened(path, kind, limits) as image:
            if not 1 <= page <= getattr(image, "n_frames", 1):
                raise DocumentRejected(Reason.damaged, f"The image has no page {page}.")
            # The converted page is a new image: it outlives the file it came from.
            return _normalised_page(image, page - 1, limits)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise DocumentRejected(
            Reason.damaged, f"The image is damaged and cannot be read ({exc})."
        ) from exc


@contextmanager
def _opened(path: Path, kind: Kind, limits: Limits) -> Iterator[Image.Image]:
    """Open with only the sniffed decoder and Pillow's bomb guard turned into our reason."""
    # Pillow reads its guard from a module global: ours holds while the image is in
    # use and the previous value comes back after, so other Pillow users in the
    # process (or a later call with other limits) are not left with ours.
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        with warnings.catch_warnings():
            # Pillow warns between 1x and 2x its limit and raises above; both mean the
            # same to us, so the warning is made an error and caught below.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[_PILLOW_FORMATS[kind]]) as image:
                yield image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DocumentRejected(
            Reason.too_many_pixels,
            f"The image has more than {limits.max_image_pixels:,} pixels, the limit ({exc}).",
        ) from exc
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _check_pixels(image: Image.Image, limits: Limits) -> None:
    width, height = image.size
    if width * height > limits.max_image_pixels:
        raise DocumentRejected(
            Reason.too_many_pixels,
            f"The image is {width} × {height} = {width * height:,} pixels; "
            f"the limit is {limits.max_image_pixels:,}.",
        )


def _page_count(image: Image.Image, limits: Limits) -> int:
    pages = getattr(image, "n_frames", 1)
    if pages > limits.max_pages:
        raise DocumentRejected(
            Reason.too_many_pages, f"The image has {pages} pages; the limit is {limits.max_pages}."
        )
    return pages


def _normalised_page(image: Image.Image, page: int, limits: Limits) -> Image.Image:
    """One page upright (EXIF orientation applied), in 8-bit greyscale or RGB."""
    image.seek(page)
    _check_pixels(image, limits)  # each TIFF page has its own size
    image.load()
    upright = ImageOps.exif_transpose(image) or image
    return _eight_bit(upright)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _eight_bit(image: Image.Image) -> Image.Image:
    """Greyscale stays greyscale, everything else becomes RGB; transparency goes on white."""
    if image.mode in _WIDE_MODES:
        # 16-bit and float scans: scale into 0-255 rather than clip at 255.
        return image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    if image.mode in _GREY_MODES:
        return _on_white(image.convert("LA"), "L") if "A" in image.mode else image.convert("L")
    if image.mode in ("RGBA", "PA", "RGBa", "La") or "transparency" in image.info:
        return _on_white(image.convert("RGBA"), "RGB")
    return image.convert("RGB")


def _on_white(image: Image.Image, mode: str) -> Image.Image:
    rgba = image.convert("RGBA")
    background = Image.new("RGB", image.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background.convert(mode)
