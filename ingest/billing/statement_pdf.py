"""A statement as a PDF a client can file: one A4 page (more when the lines run over), drawn from a
sheet of texts already written in the reader's language and formats.

The caller (the web application) writes every text, so the page, the CSV and the PDF describe the
same lines with the same words; this module only lays them out. It reads nothing but the font: the
PDF's standard fonts know neither "€" nor most accents in every viewer, so the text is set in DejaVu
Sans, embedded (Debian's ``fonts-dejavu-core``, installed by ``infra/setup`` and the image). A
missing font is said plainly rather than replaced by boxes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

FONT_FOLDER = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
_FAMILY = "DejaVu"
_MARGIN = 18  # mm, on every side of an A4 sheet (210 × 297)
_WIDTH = 210 - 2 * _MARGIN
_COLUMNS = (98, 20, 28, 28)  # description, quantity, unit price, amount (mm; sums to _WIDTH)
_INK, _MUTED, _RULE, _WASH = (27, 31, 36), (74, 85, 96), (190, 198, 206), (238, 241, 244)


class StatementFontMissing(RuntimeError):
    """The PDF's font is not installed on this machine."""


@dataclass(frozen=True)
class SheetLine:
    """One line of the statement, every figure already formatted (``1 234,56 €``)."""

    description: str
    quantity: str
    unit_price: str
    amount: str


@dataclass(frozen=True)
class StatementSheet:
    """What the PDF says, in the reader's language.

    `provider` and `client` are blocks of lines (a name first); `facts` pairs a label with its
    value (period, date of issue, kind); `totals` pairs a label with an amount, the last being the
    statement's total; `footer` may hold ``{page}`` and ``{pages}``.
    """

    lang: str
    title: str
    provider: Sequence[str]
    client_label: str
    client: Sequence[str]
    facts: Sequence[tuple[str, str]]
    headings: tuple[str, str, str, str]
    lines: Sequence[SheetLine]
    totals: Sequence[tuple[str, str]]
    footer: str
    issued_at: datetime
    notes: Sequence[str] = field(default=())


def font_files(folder: Path | None = None) -> tuple[Path, Path]:
    """The regular and bold faces (in `folder`, else Debian's), or why the PDF cannot be made."""
    folder = folder or FONT_FOLDER
    files = (folder / REGULAR, folder / BOLD)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise StatementFontMissing(
            f"Statements as PDF need the DejaVu Sans font, missing here ({', '.join(missing)}): "
            "install it (Debian: apt-get install fonts-dejavu-core).")
    return files


class _Sheet(FPDF):
    """An A4 page with the statement's footer on every page."""

    def __init__(self, footer: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FAMILY, "", 8)
        self.set_text_color(*_MUTED)
        # The total number of pages is known at output: fpdf2 puts it in place of its alias.
        text = self.footer_text.replace("{page}", str(self.page_no())).replace("{pages}", self.str_alias_nb_pages)
        self.cell(0, 5, text, align="C")


def statement_pdf(sheet: StatementSheet, fonts: Path | None = None) -> bytes:
    """The statement as PDF bytes."""
    regular, bold = font_files(fonts)
    pdf = _Sheet(sheet.footer)
    pdf.add_font(_FAMILY, "", str(regular))
    pdf.add_font(_FAMILY, "B", str(bold))
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(sheet.title)
    pdf.set_author(sheet.provider[0] if sheet.provider else "")
    pdf.set_lang(sheet.lang)
    pdf.set_creation_date(sheet.issued_at)
    pdf.add_page()
    _head(pdf, sheet)
    _client_and_facts(pdf, sheet)
    _lines(pdf, sheet)
    _totals(pdf, sheet.totals)
    _notes(pdf, sheet.notes)
    return bytes(pdf.output())


def _head(pdf: FPDF, sheet: StatementSheet) -> None:
    """The provider on the left, the statement's title on the right, a rule under both."""
    top = pdf.get_y()
    pdf.set_text_color(*_INK)
    pdf.set_font(_FAMILY, "B", 16)
    pdf.cell(_WIDTH / 2, 8, sheet.provider[0] if sheet.provider else "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, "", 9)
    pdf.set_text_color(*_MUTED)
    for line in sheet.provider[1:]:
        pdf.cell(_WIDTH / 2, 4.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = pdf.get_y()
    pdf.set_xy(_MARGIN + _WIDTH / 2, top)
    pdf.set_font(_FAMILY, "B", 16)
    pdf.set_text_color(*_INK)
    pdf.cell(_WIDTH / 2, 8, sheet.title, align="R")
    pdf.set_y(max(bottom, top + 8) + 3)
    pdf.set_draw_color(*_RULE)
    pdf.line(_MARGIN, pdf.get_y(), _MARGIN + _WIDTH, pdf.get_y())
    pdf.ln(6)


def _client_and_facts(pdf: FPDF, sheet: StatementSheet) -> None:
    """Who the statement is for, then its period, date and kind as label: value lines."""
    pdf.set_font(_FAMILY, "", 9)
    pdf.set_text_color(*_MUTED)
    pdf.cell(0, 5, sheet.client_label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_INK)
    for n, line in enumerate(sheet.client):
        pdf.set_font(_FAMILY, "B" if n == 0 else "", 12 if n == 0 else 9)
        pdf.multi_cell(_WIDTH, 6 if n == 0 else 4.5, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for label, value in sheet.facts:
        pdf.set_font(_FAMILY, "", 10)
        pdf.set_text_color(*_MUTED)
        pdf.cell(40, 6, label)
        pdf.set_text_color(*_INK)
        pdf.multi_cell(_WIDTH - 40, 6, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)


def _lines(pdf: FPDF, sheet: StatementSheet) -> None:
    """The lines in a table whose headings come back on every page it runs onto."""
    pdf.set_font(_FAMILY, "", 9.5)
    pdf.set_text_color(*_INK)
    pdf.set_draw_color(*_RULE)
    headings = FontFace(family=_FAMILY, emphasis="BOLD", fill_color=_WASH)
    with pdf.table(col_widths=_COLUMNS, width=_WIDTH, text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
                   borders_layout="HORIZONTAL_LINES", headings_style=headings, line_height=5.5,
                   padding=(1.5, 1.5), v_align="TOP") as table:
        table.row(sheet.headings)
        for line in sheet.lines:
            table.row((line.description, line.quantity, line.unit_price, line.amount))
    pdf.ln(3)


def _totals(pdf: FPDF, totals: Sequence[tuple[str, str]]) -> None:
    """Sub-totals, then the total in bold over a rule, aligned under the amounts."""
    label_width, amount_width = 70, _COLUMNS[-1]
    left = _MARGIN + _WIDTH - label_width - amount_width
    for n, (label, amount) in enumerate(totals):
        last = n == len(totals) - 1
        if last:
            pdf.set_draw_color(*_INK)
            pdf.line(left, pdf.get_y(), _MARGIN + _WIDTH, pdf.get_y())
            pdf.ln(1)
        pdf.set_x(left)
        pdf.set_font(_FAMILY, "B" if last else "", 11 if last else 10)
        pdf.cell(label_width, 7, label, align="R")
        pdf.cell(amount_width, 7, amount, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _notes(pdf: FPDF, notes: Sequence[str]) -> None:
    if not notes:
        return
    pdf.ln(6)
    pdf.set_font(_FAMILY, "", 8.5)
    pdf.set_text_color(*_MUTED)
    for note in notes:
        pdf.multi_cell(_WIDTH, 4.5, note, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
