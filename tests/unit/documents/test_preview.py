"""Page previews: PDF pages and scans drawn about 900 pixels wide, their cost bounded whatever the
file declares, every failure a CannotDraw with a reason, and the drawing isolated in a child process."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from ingest.documents.limits import Limits
from ingest.documents.preview import (
    MAX_SIDE,
    PREVIEW_PAGES,
    WIDTH,
    CannotDraw,
    draw_preview,
    pdf_scale,
    preview_name,
    preview_names,
    render_page,
)
from ingest.documents.sniff import Kind

from .builders import image_bytes
from .conftest import MakePdf


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    image.load()
    return image


def sized_pdf(tmp_path: Path, width_mm: float, height_mm: float) -> Path:
    pdf = FPDF(format=(width_mm, height_mm))
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.cell(text="Facture")
    path = tmp_path / f"page-{width_mm}x{height_mm}.pdf"
    path.write_bytes(bytes(pdf.output()))
    return path


@pytest.mark.parametrize(("pages", "names"), [
    (None, []), (0, []), (1, ["preview-1.png"]), (3, ["preview-1.png", "preview-2.png", "preview-3.png"]),
    (500, [preview_name(n) for n in range(1, PREVIEW_PAGES + 1)]),
])
def test_the_names_a_document_can_have_follow_from_its_page_count(pages: int | None, names: list[str]) -> None:
    assert preview_names(pages) == names


@pytest.mark.parametrize(("width", "height", "size"), [
    (595.28, 841.89, (WIDTH, 1273)),  # A4 portrait: 900 wide
    (841.89, 595.28, (WIDTH, 637)),  # A4 landscape: 900 wide too
    (14400, 14400, (WIDTH, WIDTH)),  # the largest page PDF allows: drawn small, not 200 inches at 72 dpi
    (1000, 14400, (139, MAX_SIDE)),  # 900 wide would make it 12,960 tall: the long side is capped
    (100, 14400, (14, MAX_SIDE)),  # a strip: capped by its length, not drawn 900 wide
    (10, 10, (WIDTH, WIDTH)),  # a stamp is drawn at the preview's width
])
def test_the_scale_keeps_the_width_and_caps_the_long_side(width: float, height: float, size: tuple[int, int]) -> None:
    scale = pdf_scale(width, height)
    drawn = (-(-width * scale // 1), -(-height * scale // 1))  # PDFium rounds up
    assert drawn == size


def test_a_page_without_area_is_not_drawn() -> None:
    with pytest.raises(CannotDraw, match="no area"):
        pdf_scale(0, 842)


def test_a_pdf_page_is_drawn_900_pixels_wide(make_pdf: MakePdf) -> None:
    path = make_pdf(["Page un", None, "Page trois"])
    first, third = (decoded(render_page(path, Kind.pdf, n, Limits())) for n in (1, 3))
    assert first.size == third.size == (WIDTH, 1273) and first.mode == "RGB"
    blank = decoded(render_page(path, Kind.pdf, 2, Limits()))
    assert blank.getextrema() == ((255, 255),) * 3  # page 2 is blank: white everywhere
    assert first.getextrema()[0][0] < 128  # page 1 has dark text on it


@pytest.mark.parametrize(("width_mm", "height_mm"), [(5000, 5000), (30, 5000)])
def test_a_huge_page_stays_within_the_long_side(tmp_path: Path, width_mm: float, height_mm: float) -> None:
    image = decoded(render_page(sized_pdf(tmp_path, width_mm, height_mm), Kind.pdf, 1, Limits()))
    assert max(image.size) <= MAX_SIDE and image.width <= WIDTH


def test_pdfs_that_cannot_be_drawn_say_why(make_pdf: MakePdf, write_file: Callable[[str, bytes], Path]) -> None:
    with pytest.raises(CannotDraw, match="no page 2"):
        render_page(make_pdf(["Seule page"]), Kind.pdf, 2, Limits())
    with pytest.raises(CannotDraw, match="cannot be opened"):
        render_page(write_file("broken.pdf", b"%PDF-1.7\n1 0 obj <<>> garbage"), Kind.pdf, 1, Limits())
    with pytest.raises(CannotDraw, match="cannot be opened"):
        render_page(make_pdf(["Secret"], user_password="s3cret"), Kind.pdf, 1, Limits())
    with pytest.raises(CannotDraw, match="no pages"):
        render_page(write_file("e.xml", b"<Invoice/>"), Kind.xml, 1, Limits())


def test_a_scan_is_shrunk_to_the_preview_width_never_enlarged(write_file: Callable[[str, bytes], Path]) -> None:
    big = write_file("big.jpg", image_bytes(Image.new("RGB", (2480, 3508), "white"), "JPEG"))
    assert decoded(render_page(big, Kind.jpeg, 1, Limits())).size == (WIDTH, 1273)
    small = write_file("small.png", image_bytes(Image.new("L", (400, 300), 200), "PNG"))
    assert decoded(render_page(small, Kind.png, 1, Limits())).size == (400, 300)
    tall = write_file("tall.png", image_bytes(Image.new("L", (1000, 8000), 255), "PNG"))
    assert decoded(render_page(tall, Kind.png, 1, Limits())).size == (250, MAX_SIDE)


def test_each_page_of_a_tiff_has_its_own_preview(write_file: Callable[[str, bytes], Path]) -> None:
    white, black = Image.new("L", (300, 400), 255), Image.new("L", (300, 400), 0)
    out = io.BytesIO()
    white.save(out, format="TIFF", save_all=True, append_images=[black])
    path = write_file("two.tiff", out.getvalue())
    assert decoded(render_page(path, Kind.tiff, 1, Limits())).getextrema() == (255, 255)
    assert decoded(render_page(path, Kind.tiff, 2, Limits())).getextrema() == (0, 0)
    with pytest.raises(CannotDraw, match="no page 3"):
        render_page(path, Kind.tiff, 3, Limits())


def test_an_image_past_the_pixel_limit_is_not_decoded(write_file: Callable[[str, bytes], Path]) -> None:
    path = write_file("wide.png", image_bytes(Image.new("L", (2000, 1000), 255), "PNG"))
    with pytest.raises(CannotDraw, match="pixels"):
        render_page(path, Kind.png, 1, Limits(max_image_pixels=100_000))
    with pytest.raises(CannotDraw, match="damaged"):
        render_page(write_file("cut.png", image_bytes(Image.new("L", (50, 50)), "PNG")[:60]), Kind.png, 1, Limits())


def test_the_child_process_draws_and_reports(make_pdf: MakePdf, write_file: Callable[[str, bytes], Path]) -> None:
    path = make_pdf(["Facture F-1", "Suite"])
    assert draw_preview(path, Kind.pdf, 2, Limits()) == render_page(path, Kind.pdf, 2, Limits())
    with pytest.raises(CannotDraw, match="no page 3"):  # the child's reason comes back whole
        draw_preview(path, Kind.pdf, 3, Limits())
    with pytest.raises(CannotDraw, match="took more than"):
        draw_preview(path, Kind.pdf, 1, Limits(), timeout=0.001)
