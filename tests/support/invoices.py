"""Generated French invoices: the same facts as a text PDF (fpdf2) or as a scan (Pillow).

The scan is drawn with a TrueType font (DejaVu Sans, installed with fontconfig) large
enough for OCR at 300 dpi, so recognition is tested on the real engine.
"""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# The facts every generated invoice states; amounts add up (1234.56 + 246.91 = 1481.47).
EXPECTED = {
    "invoice_number": "F2026-0042", "supplier_siren": "732829320", "supplier_vat": "FR44732829320",
    "currency": "EUR", "total_excl_tax": "1234.56", "total_tax": "246.91", "total_incl_tax": "1481.47",
}  # fmt: skip


def invoice_lines(day: str = "12/03/2026", money: str = "fr", number: str = "F2026-0042",
                  total: str | None = None) -> list[str]:
    fmt = {
        "fr": lambda v: f"{v:,.2f}".replace(",", " ").replace(".", ",") + " €",
        "de": lambda v: f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " EUR",
    }[money]
    return [
        "Scierie Dupont SAS - 12 rue des Pins - 88000 Epinal",
        "SIREN : 732 829 320 - TVA intracommunautaire : FR44732829320",
        f"FACTURE N° {number}",
        f"Date de facture : {day}",
        "Client : Menuiserie Martin SARL",
        f"Total HT : {fmt(1234.56)}",
        f"TVA 20 % : {fmt(246.91)}",
        f"Total TTC : {total or fmt(1481.47)}",
    ]


def text_invoice_pdf(lines: list[str] | None = None) -> bytes:
    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.set_font("dejavu", size=11)
    pdf.add_page()
    for line in lines or invoice_lines():
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_invoice_png(lines: list[str] | None = None, *, fmt: str = "PNG") -> bytes:
    """An A4-ish page at 150 dpi with 28-pixel text: what a desk scanner gives."""
    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), 32)
    for n, line in enumerate(lines or invoice_lines()):
        draw.text((90, 120 + n * 56), line, fill=0, font=font)
    out = io.BytesIO()
    img.save(out, format=fmt, dpi=(150, 150))
    return out.getvalue()


def scanned_invoice_pdf(lines: list[str] | None = None) -> bytes:
    """The scan wrapped in a PDF page with no text layer."""
    img = Image.open(io.BytesIO(scanned_invoice_png(lines)))
    out = io.BytesIO()
    img.convert("RGB").save(out, format="PDF", resolution=150)
    return out.getvalue()
