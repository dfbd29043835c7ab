import io
from pathlib import Path

import pytest
from PIL import Image

from ingest.documents.analyse import analyse, precheck
from ingest.documents.limits import Limits
from ingest.documents.reasons import DocumentRejected, Reason
from ingest.documents.sniff import Kind

from .builders import image_bytes

EXIF_ORIENTATION = 0x0112


def two_tone(size: tuple[int, int] = (40, 20), mode: str = "RGB") -> Image.Image:
    """Left half black, right half white: orientation changes are visible."""
    image = Image.new(mode, size, "white")
    image.paste("black" if mode != "I;16" else 0, (0, 0, size[0] // 2, size[1]))
    return image


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    image.load()
    return image


def test_png_is_measured_and_normalised(write_file) -> None:
    path = write_file("scan.png", image_bytes(two_tone(), "PNG"))
    facts = analyse(path, Kind.png, Limits())
    assert (facts.kind, facts.pages, facts.width, facts.height) == (Kind.png, 1, 40, 20)
    assert facts.page_texts == [] and facts.text_chars == 0 and facts.einvoice_xml is None
    assert list(facts.derivatives) == ["normalised.png"]
    png = decoded(facts.derivatives["normalised.png"])
    assert (png.mode, png.size) == ("RGB", (40, 20))
    assert png.getpixel((0, 0)) == (0, 0, 0) and png.getpixel((39, 0)) == (255, 255, 255)


def test_jpeg_exif_orientation_is_applied(write_file) -> None:
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6  # stored sideways: view rotated 90° clockwise
    path = write_file("photo.jpg", image_bytes(two_tone(), "JPEG", exif=exif, quality=95))
    facts = analyse(path, Kind.jpeg, Limits())
    assert (facts.width, facts.height) == (20, 40)
    png = decoded(facts.derivatives["normalised.png"])
    assert png.size == (20, 40)
    # The stored left (black) half ends up on top once turned clockwise.
    assert png.getpixel((10, 2))[0] < 40 and png.getpixel((10, 37))[0] > 215


def test_greyscale_stays_greyscale(write_file) -> None:
    path = write_file("grey.jpg", image_bytes(two_tone(mode="L"), "JPEG"))
    assert decoded(analyse(path, Kind.jpeg, Limits()).derivatives["normalised.png"]).mode == "L"


def test_transparency_is_flattened_on_white(write_file) -> None:
    image = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    path = write_file("clear.png", image_bytes(image, "PNG"))
    png = decoded(analyse(path, Kind.png, Limits()).derivatives["normalised.png"])
    assert png.mode == "RGB" and png.getpixel((5, 5)) == (255, 255, 255)


def test_sixteen_bit_greyscale_is_scaled_not_clipped(write_file) -> None:
    image = Image.new("I;16", (8, 8), 32768)
    path = write_file("deep.png", image_bytes(image, "PNG"))
    png = decoded(analyse(path, Kind.png, Limits()).derivatives["normalised.png"])
    assert png.mode == "L" and 120 <= png.getpixel((0, 0)) <= 135


def multi_page_tiff(sizes: list[tuple[int, int]]) -> bytes:
    pages = [two_tone(size) for size in sizes]
    return image_bytes(pages[0], "TIFF", save_all=True, append_images=pages[1:])


def test_multi_page_tiff_has_a_png_per_page(write_file) -> None:
    path = write_file("scan.tiff", multi_page_tiff([(30, 20), (20, 30), (10, 10)]))
    facts = analyse(path, Kind.tiff, Limits())
    assert facts.pages == 3
    assert list(facts.derivatives) == ["normalised.png", "normalised-2.png", "normalised-3.png"]
    assert decoded(facts.derivatives["normalised-2.png"]).size == (20, 30)


def test_tiff_with_too_many_pages(write_file) -> None:
    path = write_file("scan.tiff", multi_page_tiff([(10, 10)] * 3))
    with pytest.raises(DocumentRejected) as caught:
        analyse(path, Kind.tiff, Limits(max_pages=2))
    assert caught.value.reason is Reason.too_many_pages
    assert caught.value.message == "The image has 3 pages; the limit is 2."


def test_a_later_tiff_page_over_the_pixel_limit(write_file) -> None:
    path = write_file("scan.tiff", multi_page_tiff([(10, 10), (30, 30)]))
    precheck(path, Kind.tiff, path.stat().st_size, Limits(max_image_pixels=400))
    with pytest.raises(DocumentRejected) as caught:
        analyse(path, Kind.tiff, Limits(max_image_pixels=400))
    assert caught.value.reason is Reason.too_many_pixels
    assert "30 × 30 = 900 pixels" in caught.value.message


@pytest.mark.parametrize("side", [12, 30])  # 144 px: Pillow warns; 900 px: Pillow refuses
def test_too_many_pixels(write_file, side: int) -> None:
    path = write_file("big.png", image_bytes(two_tone((side, side)), "PNG"))
    limits = Limits(max_image_pixels=100)
    for check in (
        lambda: precheck(path, Kind.png, path.stat().st_size, limits),
        lambda: analyse(path, Kind.png, limits),
    ):
        with pytest.raises(DocumentRejected) as caught:
            check()
        assert caught.value.reason is Reason.too_many_pixels
        assert "100" in caught.value.message


def test_exactly_at_the_pixel_limit_is_accepted(write_file) -> None:
    path = write_file("edge.png", image_bytes(two_tone((10, 10)), "PNG"))
    precheck(path, Kind.png, path.stat().st_size, Limits(max_image_pixels=100))
    assert analyse(path, Kind.png, Limits(max_image_pixels=100)).width == 10


def test_truncated_jpeg_passes_precheck_and_is_damaged(write_file) -> None:
    whole = image_bytes(Image.effect_noise((64, 64), 50).convert("RGB"), "JPEG")
    path = write_file("cut.jpg", whole[: len(whole) // 2])
    precheck(path, Kind.jpeg, path.stat().st_size, Limits())
    with pytest.raises(DocumentRejected) as caught:
        analyse(path, Kind.jpeg, Limits())
    assert caught.value.reason is Reason.damaged


def test_only_the_sniffed_decoder_is_used(write_file) -> None:
    # PNG bytes claimed as a JPEG must not be decoded by the PNG plugin.
    path = write_file("liar.jpg", image_bytes(two_tone(), "PNG"))
    with pytest.raises(DocumentRejected) as caught:
        analyse(Path(path), Kind.jpeg, Limits())
    assert caught.value.reason is Reason.damaged


def test_pillow_guard_is_restored_after_use(tmp_path: Path) -> None:
    """Our limit must not leak into other Pillow users of the process."""
    from PIL import Image as PILImage

    from ingest.documents.images import read_image

    before = PILImage.MAX_IMAGE_PIXELS
    path = tmp_path / "small.png"
    PILImage.new("L", (40, 30), 255).save(path)
    read_image(path, Kind.png, Limits(max_image_pixels=5_000))
    assert PILImage.MAX_IMAGE_PIXELS == before
