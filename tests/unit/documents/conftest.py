"""Documents generated on the fly: PDFs with fpdf2 (and pypdf for attachments), scans with Pillow."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfWriter

MakePdf = Callable[..., Path]


@pytest.fixture
def make_pdf(tmp_path: Path) -> MakePdf:
    """Write a PDF with one page per item: its text, or a blank page for None."""

    def make(
        pages: Sequence[str | None] = ("Facture n° F-2024-001",),
        name: str = "doc.pdf",
        user_password: str | None = None,
        owner_password: str = "owner",
    ) -> Path:
        pdf = FPDF()
        pdf.set_font("Helvetica", size=12)
        for text in pages:
            pdf.add_page()
            if text is not None:
                pdf.cell(text=text)
        if user_password is not None:
            pdf.set_encryption(owner_password=owner_password, user_password=user_password)
        path = tmp_path / name
        path.write_bytes(bytes(pdf.output()))
        return path

    return make


@pytest.fixture
def attach(tmp_path: Path) -> Callable[[Path, dict[str, bytes]], Path]:
    """Copy a PDF with files attached through the EmbeddedFiles name tree."""

    def attach_files(source: Path, files: dict[str, bytes]) -> Path:
        writer = PdfWriter(clone_from=source)
        for name, data in files.items():
            writer.add_attachment(name, data)
        path = tmp_path / f"attached-{source.name}"
        with path.open("wb") as out:
            writer.write(out)
        return path

    return attach_files


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, bytes], Path]:
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write
