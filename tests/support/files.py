"""Test documents made on the fly: text PDFs, scans, archives."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from fpdf import FPDF
from PIL import Image, ImageDraw

_FIXED_DATE = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def text_pdf(text: str = "Facture F-2026-001\nTotal TTC 120,00 EUR", pages: int = 1) -> bytes:
    pdf = FPDF()
    # fpdf2 stamps the time of the call: the same text must give the same bytes (an idempotent
    # replay sends the same file), even when two calls fall either side of a second.
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_font("helvetica", size=12)
    for n in range(pages):
        pdf.add_page()
        for line in text.splitlines():
            pdf.cell(0, 8, f"{line}" + (f" (page {n + 1})" if pages > 1 else ""), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scan(fmt: str = "JPEG", size: tuple[int, int] = (400, 300)) -> bytes:
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).text((20, 20), "FACTURE 42 - TOTAL 99,90 EUR", fill="black")
    out = io.BytesIO()
    img.save(out, format=fmt)
    return out.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()
