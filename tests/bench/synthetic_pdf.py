"""Drawing a synthetic invoice (`synthetic_facts.Invoice`) as a PDF with fpdf2, its layout drawn from
the same random generator: letterhead, buyer block, title, header fields, line items over one or two
pages, totals, VAT breakdown, payment terms and small print. Returns what each scored value looks like
on the page, for the truth and its tests."""

from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF

from tests.bench.synthetic_facts import (
    Invoice,
    Item,
    MoneyStyle,
    date_shape,
    date_text,
    money,
    money_style,
    spaced_siren,
    vat_printed,
)
from tests.bench.synthetic_words import (
    CREDIT_REFERENCE,
    FRANCHISE,
    LABELS,
    LEGAL,
    MANAGERS,
    PAYMENT,
    PERIOD,
    PLACE_DATE,
    REVERSE_CHARGE,
    THANKS,
    TITLE_NUMBER,
    TITLE_NUMBER_DATE,
)

FONT_DIR = Path("/usr/share/fonts")
# TrueType families (regular, bold), in order of preference: DejaVu's large glyph sets take fpdf2 three
# times longer to load and subset than Liberation's, so DejaVu serves only where Liberation is absent.
TTF_FAMILIES = ((("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
                 ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
                 ("LiberationSansNarrow-Regular.ttf", "LiberationSansNarrow-Bold.ttf")),
                (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
                 ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf")))
CORE_FONTS = ("helvetica", "times")
# fpdf2's core fonts know Latin-1 only.
LATIN1 = str.maketrans({"€": "EUR", "œ": "oe", "Œ": "OE", "–": "-", "—": "-", "’": "'", "…": "...", "·": "-"})
# A fixed creation date: the same seed gives the same bytes.
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
LEFT, RIGHT, BOTTOM = 15.0, 195.0, 262.0   # mm on A4; below BOTTOM is the footer's
# Phone numbers as each country writes them; each # a digit drawn.
PHONES = {"FR": ("0# ## ## ## ##", "+33 # ## ## ## ##", "0#.##.##.##.##"), "BE": ("+32 2 ### ## ##",),
          "DE": ("+49 89 #######", "089 / ### ###-#"), "AT": ("+43 1 ### ####",), "GB": ("+44 20 #### ####",),
          "ES": ("+34 91# ### ###",), "IT": ("+39 02 #### ####",), "NL": ("+31 20 ### ####", "020-#######")}
COUNTRY_NAMES = {"FR": "France", "BE": "Belgique", "DE": "Deutschland", "AT": "Österreich", "GB": "United Kingdom",
                 "ES": "España", "IT": "Italia", "NL": "Nederland"}


@dataclass(frozen=True)
class Font:
    family: str
    unicode: bool


@dataclass
class Pen:
    """The document being drawn and the choices that hold for the whole of it."""

    pdf: FPDF
    font: Font
    size: float
    rng: random.Random
    language: str
    style: MoneyStyle
    shape: str
    sign: int                                  # -1: a credit note printing its amounts negative
    labels: dict[str, str] = field(default_factory=dict)
    look: dict[str, str] = field(default_factory=dict)

    def label(self, key: str) -> str:
        """One wording of `key` for the whole invoice."""
        if key not in self.labels:
            self.labels[key] = self.rng.choice(LABELS[key][self.language])
        return self.labels[key]

    def write(self, x: float, y: float, w: float, h: float, text: str, *, bold: bool = False,
              size: float | None = None, align: str = "L", border: int | str = 0, fill: bool = False,
              clip: bool = False) -> None:
        """One cell of text. Too wide, it is set smaller, never cut (a value must stay whole), unless
        `clip`: an item's description is cut short as invoices do."""
        size, text = size or self.size, self.plain(text)
        self.pdf.set_font(self.font.family, style="B" if bold else "", size=size)
        if clip:
            while len(text) > 3 and self.pdf.get_string_width(text) > w - 1.5:
                text = text[:-2].rstrip() + "."
        while size > 5 and self.pdf.get_string_width(text) > w - 1:
            size -= 0.5
            self.pdf.set_font(self.font.family, style="B" if bold else "", size=size)
        self.pdf.set_xy(x, y)
        self.pdf.cell(w, h, text, border=border, align=align, fill=fill)

    def paragraph(self, y: float, text: str, size: float, align: str = "L") -> float:
        self.pdf.set_font(self.font.family, size=size)
        self.pdf.set_xy(LEFT, y)
        self.pdf.multi_cell(RIGHT - LEFT, size * 0.45, self.plain(text), align=align)
        return self.pdf.get_y()

    def plain(self, text: str) -> str:
        return text if self.font.unicode else text.translate(LATIN1).encode("latin-1", "replace").decode("latin-1")

    def amount(self, value: Decimal, marked: bool = True) -> str:
        return money(value * self.sign, self.style, marked)

    def day(self, value: date) -> str:
        return date_text(value, self.shape, self.language)


class Sheet(FPDF):
    """fpdf2's document with the invoice's small print and page number at the foot of every page."""

    def __init__(self, font: Font, lines: list[str], page_label: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.font_choice, self.foot_lines, self.page_label = font, lines, page_label

    def footer(self) -> None:
        self.set_font(self.font_choice.family, size=6.5)
        self.set_y(-28)
        for line in self.foot_lines:
            self.set_x(LEFT)
            self.multi_cell(RIGHT - LEFT, 3, line, align="C")
        if self.page_label:
            self.set_xy(LEFT, -9)
            self.cell(RIGHT - LEFT, 3, self.page_label.format(n=self.page_no(), total="{nb}"), align="R")


def draw(rng: random.Random, invoice: Invoice) -> tuple[bytes, dict[str, str], dict[str, str]]:
    """The invoice as PDF bytes, each scored value as printed, and the layout's choices."""
    font = choose_font(rng)
    style = money_style(rng, invoice.language, invoice.currency, euro_glyph=font.unicode)
    credit_negative = invoice.credit_note and rng.random() < 0.3
    # The pen first writes only words (the small print must be known before the sheet exists), then draws.
    pen = Pen(FPDF(), font, rng.choice((8.0, 8.5, 9.0, 9.5, 10.0, 10.5)), rng, invoice.language, style,
              date_shape(rng, invoice.language, invoice.currency), -1 if credit_negative else 1)
    pen.look.update(font=font.family, money=money(Decimal("1234.5"), style), date_shape=pen.shape)
    printed: dict[str, str] = {"invoice_number": invoice.number, "currency": style.mark or invoice.currency}
    seller_ids = _seller_ids(pen, invoice, printed)
    small_print = _small_print(pen, invoice, seller_ids["foot"], "supplier_vat" in printed)
    sheet = Sheet(font, [pen.plain(line) for line in small_print],
                  pen.plain(pen.label("page")) if rng.random() < 0.7 else "")
    pen.pdf = sheet
    _fonts(sheet, font)
    sheet.set_creation_date(CREATED)
    sheet.set_auto_page_break(False)
    sheet.set_margins(LEFT, 12, 210 - RIGHT)
    sheet.add_page()
    y = _top(pen, invoice, seller_ids["head"], printed)
    y = _items_table(pen, invoice, y + 6)
    y = _totals(pen, invoice, y + 4, printed)
    _closing(pen, invoice, y + 5)
    return bytes(sheet.output()), printed, pen.look


@functools.cache
def installed_fonts() -> tuple[tuple[str, Path, Path], ...]:
    """The TrueType families present on this machine (none: the core fonts alone are used)."""
    found = {path.name: path for path in FONT_DIR.rglob("*.ttf")} if FONT_DIR.is_dir() else {}
    for families in TTF_FAMILIES:
        present = tuple((regular.removesuffix(".ttf").removesuffix("-Regular"), found[regular], found[bold])
                        for regular, bold in families if regular in found and bold in found)
        if present:
            return present
    return ()


def choose_font(rng: random.Random) -> Font:
    families = installed_fonts()
    if families and rng.random() < 0.5:
        return Font(rng.choice(families)[0], unicode=True)
    return Font(rng.choice(CORE_FONTS), unicode=False)


def _fonts(sheet: FPDF, font: Font) -> None:
    for family, regular, bold in installed_fonts():
        if family == font.family:
            sheet.add_font(family, fname=str(regular))
            sheet.add_font(family, style="B", fname=str(bold))


# The seller's identifiers ---------------------------------------------------------------------------------


def _seller_ids(pen: Pen, invoice: Invoice, printed: dict[str, str]) -> dict[str, list[str]]:
    """Lines naming the seller's VAT number (and SIREN, SIRET) for the letterhead and for the foot."""
    seller, rng = invoice.seller, pen.rng
    where = rng.choice(("head", "foot", "both", "head", "foot"))
    pen.look["seller_vat_at"] = where
    lines: dict[str, list[str]] = {"head": [], "foot": []}
    # Some French invoices print only the SIRET or SIREN; the franchise ones have no VAT number at all.
    prints_vat = seller.vat is not None and not (seller.country == "FR" and rng.random() < 0.08)
    if prints_vat and seller.vat:
        shown = vat_printed(rng, seller.vat)
        printed["supplier_vat"] = shown
        text = f"{pen.label('vat_id')}{_separator(pen)}{shown}"
        for place in ("head", "foot") if where == "both" else (where,):
            lines[place].append(text)
    if seller.siren and seller.siret:
        siret = rng.choice((seller.siret, f"{spaced_siren(seller.siren)} {seller.siret[9:]}"))
        lines["head"].append(f"SIRET{_separator(pen)}{siret}")
        printed["supplier_siren"] = seller.siren
    return lines


def _ascii(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def _separator(pen: Pen) -> str:
    return pen.rng.choice((" : ", " : ", ": ")) if pen.language == "fr" else pen.rng.choice((": ", ": ", " "))


def _small_print(pen: Pen, invoice: Invoice, vat_lines: list[str], vat_shown: bool) -> list[str]:
    seller, rng = invoice.seller, pen.rng
    values = {
        "name": seller.name, "form": _legal_form(seller.name), "siren": seller.siren or "",
        "siren_spaced": spaced_siren(seller.siren or "000000000"), "siret": seller.siret or "",
        "vat_printed": vat_printed(rng, seller.vat) if seller.vat else "", "city": seller.city,
        "postcode": seller.postcode, "street": seller.street,
        "capital": rng.choice(("1 000", "7 500", "10 000", "50 000", "150 000", "1 200 000")).replace(
            " ", " " if seller.country == "FR" else "."),
        "ape": f"{rng.randrange(1000, 9999)}{rng.choice('ABCZ')}", "register": str(rng.randrange(10000, 999999)),
        "manager": rng.choice(MANAGERS), "tax_number": f"{rng.randrange(100, 999)}/{rng.randrange(100, 999)}/"
                                                      f"{rng.randrange(10000, 99999)}",
        "enterprise": _enterprise(seller.vat),
    }
    template = rng.choice(LEGAL[seller.country])
    if not vat_shown:
        template = template.replace(" – N° TVA {vat_printed}", "")
    lines = [template.format(**values)]
    if seller.country == "FR" and "{siren" not in template:
        lines.append(f"SIREN {spaced_siren(seller.siren or '')}")
    lines += vat_lines
    if invoice.iban and rng.random() < 0.5:
        lines.append(f"IBAN {_iban_groups(invoice.iban)} – BIC {invoice.bic}")
    return lines


def _legal_form(name: str) -> str:
    last = name.rsplit(" ", 1)[-1]
    return last if last in ("SAS", "SARL", "SA", "EURL", "SASU") else "SARL"


def _enterprise(vat: str | None) -> str:
    digits = (vat or "BE0000000000")[2:]
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def _iban_groups(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


# The top: letterhead, buyer, title, header fields -----------------------------------------------------------


def _top(pen: Pen, invoice: Invoice, seller_lines: list[str], printed: dict[str, str]) -> float:
    rng = pen.rng
    letterhead = rng.choice(("L", "L", "R", "C"))
    title_top = letterhead == "L" and rng.random() < 0.35
    buyer_at = "L" if letterhead == "R" or title_top else rng.choice(("R", "R", "L"))
    pen.look.update(letterhead=letterhead, title_top=str(title_top), buyer_at=buyer_at)
    y = _letterhead(pen, invoice, seller_lines, letterhead)
    title, header = _title_and_entries(pen, invoice, printed)
    if "place_date" in pen.look and letterhead == "L" and not title_top and rng.random() < 0.5:
        # Above everything in the top right corner, as a letter dates itself.
        pen.write(110, 7, 85, 5, pen.look.pop("place_date"), align="R")
        pen.look["place_date_at"] = "corner"
    if title_top:
        pen.write(110, 14, 85, 10, title, bold=True, size=rng.choice((16, 18, 22)), align="R")
        grid_y = _entries(pen, header, 26, "grid", x=110) if header else 26
        if "place_date" in pen.look:
            pen.write(110, grid_y + 1, 85, 5, pen.look["place_date"], align="R")
            grid_y += 6
        y = max(y, grid_y)
        return _buyer(pen, invoice, LEFT, y + 6, printed)
    # The buyer right of the letterhead, level with it, or lower where a window envelope shows it.
    beside = buyer_at == "R" and letterhead == "L" and rng.random() < 0.25  # never over a centred letterhead
    buyer_y = 16.0 if beside else max(y + 4, 45.0) if buyer_at == "R" else y + 6
    pen.look["buyer_at"] += " beside" if beside else ""
    bottom = _buyer(pen, invoice, 115 if buyer_at == "R" else LEFT, buyer_y, printed, window=not beside)
    y = max(bottom, y) + 8
    if "place_date" in pen.look:
        pen.write(LEFT, y, RIGHT - LEFT, 5, pen.look["place_date"], align=rng.choice(("L", "R")))
        y += 8
    pen.write(LEFT, y, RIGHT - LEFT, 9, title, bold=True, size=rng.choice((13, 14, 16, 18, 20)),
              align=rng.choice(("L", "L", "C", "R")))
    y += 12
    how = rng.choice(("grid", "lines", "row", "columns", "stacked", "table", "far", "below"))
    return _entries(pen, header, y, how) if header else y


def _letterhead(pen: Pen, invoice: Invoice, ids: list[str], align: str) -> float:
    seller, rng = invoice.seller, pen.rng
    x, w = {"L": (LEFT, 95.0), "R": (100.0, 95.0), "C": (LEFT, RIGHT - LEFT)}[align]
    pen.write(x, 14, w, 8, seller.name, bold=True, size=rng.choice((13, 15, 17, 20)), align=align)
    lines = [seller.street, f"{seller.postcode} {seller.city}"]
    if rng.random() < 0.3:
        lines.append(COUNTRY_NAMES[seller.country])
    phone = "".join(rng.choice("123456789") if c == "#" else c for c in rng.choice(PHONES[seller.country]))
    lines.append(f"{pen.label('phone')} {phone}")
    if rng.random() < 0.6:
        lines.append(f"contact@{_ascii(seller.name.split()[0])}.example")
    lines += ids if rng.random() < 0.8 else ids[:1]
    y = 23.0
    for line in lines:
        pen.write(x, y, w, 4, line, size=pen.size - 0.5, align=align)
        y += 4
    return y


def _buyer(pen: Pen, invoice: Invoice, x: float, y: float, printed: dict[str, str], *,
           window: bool = False) -> float:
    """The buyer's address block, under a heading or none; where an envelope's window shows it, sometimes
    under the seller's one-line return address in small type, as letters print it."""
    buyer, rng = invoice.buyer, pen.rng
    lines: list[tuple[str, bool]] = []
    headed = rng.random() < 0.7
    if headed:
        lines.append((pen.label("bill_to"), True))
    lines += [(buyer.name, True), (buyer.street, False), (f"{buyer.postcode} {buyer.city}", False)]
    printed["customer_name"] = buyer.name
    if buyer.country != invoice.seller.country or rng.random() < 0.2:
        lines.append((COUNTRY_NAMES[buyer.country], False))
    if buyer.vat and rng.random() < 0.75:
        lines.append((f"{pen.label('vat_id')}{_separator(pen)}{vat_printed(rng, buyer.vat)}", False))
        printed["customer_vat"] = buyer.vat
    if window and not headed and rng.random() < 0.5:
        seller = invoice.seller
        mark = rng.choice((" · ", " - ", ", ", " | "))
        pen.write(x + 2, y - 4, 85, 3.5, mark.join((seller.name, seller.street, f"{seller.postcode} {seller.city}")),
                  size=6.5)
        pen.look["return_address"] = "yes"
    boxed = rng.random() < 0.25
    top = y
    for text, bold in lines:
        pen.write(x + 2, y, 78, 4.6, text, bold=bold)
        y += 4.6
    if boxed:
        pen.pdf.rect(x, top - 2, 82, y - top + 4)
    return y + (2 if boxed else 0)


def _title_and_entries(pen: Pen, invoice: Invoice, printed: dict[str, str]) -> tuple[str, list[tuple[str, str]]]:
    rng, language = pen.rng, pen.language
    title = pen.label("credit_title" if invoice.credit_note else "title")
    issued = pen.day(invoice.issued)
    printed["issue_date"] = issued
    entries: list[tuple[str, str]] = []
    number_in_title = rng.random() < 0.25
    date_in_title = number_in_title and rng.random() < 0.3
    if number_in_title:
        title = rng.choice(TITLE_NUMBER[language]).format(title=title, number=invoice.number)
        if date_in_title:
            title += TITLE_NUMBER_DATE[language].format(date=issued)
    else:
        entries.append((pen.label("credit_number" if invoice.credit_note else "number"), invoice.number))
    if not date_in_title:
        if rng.random() < 0.12:
            pen.look["place_date"] = PLACE_DATE[language].format(city=invoice.seller.city, date=issued)
        else:
            entries.append((pen.label("date"), issued))
    extras = [("due", pen.day(invoice.due), 0.6), ("customer", invoice.customer_ref, 0.5),
              ("order", invoice.order_ref, 0.4), ("delivery", pen.day(invoice.delivered), 0.3),
              ("delivery_note", _delivery_note(rng, invoice), 0.3),
              ("order_date", pen.day(invoice.issued - timedelta(days=rng.randrange(1, 40))), 0.25),
              ("period", _period(pen, invoice.delivered), 0.25)]
    entries += [(pen.label(key), value) for key, value, odds in extras if rng.random() < odds]
    if not pen.style.mark or rng.random() < 0.1:
        entries.append((pen.label("currency"), invoice.currency))
        printed["currency"] = invoice.currency
    if rng.random() < 0.2:
        rng.shuffle(entries)
    pen.look.update(number_in_title=str(number_in_title), date_in_title=str(date_in_title))
    return title, entries


def _delivery_note(rng: random.Random, invoice: Invoice) -> str:
    """A delivery note's number, shaped like invoice numbers are, so that only its label tells them apart."""
    shape = rng.choice(("LS{n}", "BL{y}-{n}", "{y}/{n}", "{n}", "DN-{n:06d}"))
    return shape.format(n=rng.randrange(1000, 999999), y=invoice.issued.year)


def _period(pen: Pen, day: date) -> str:
    """The month a service was given in, first to last day."""
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return pen.rng.choice(PERIOD[pen.language]).format(start=pen.day(start), end=pen.day(end))


def _entries(pen: Pen, entries: list[tuple[str, str]], y: float, how: str, x: float | None = None) -> float:
    """Header fields: a label/value grid, "label: value" lines, a table row of labels above values,
    labels and values in two columns without rules, each label above its value three abreast, header
    tables of several labels above their values, labels left with their values far right in a column,
    or a label ending with a colon above its value."""
    rng = pen.rng
    pen.look["header"] = how
    if how == "table":
        return _header_tables(pen, entries, y)
    if how == "far":
        left = rng.choice((LEFT, 110.0))
        # The values in a box of their own, often a little off the labels' baselines and in other type.
        drift, size = rng.choice((0.0, 0.0, 0.8, 1.2, 1.6)), pen.size + rng.choice((0.0, 0.0, 1.0, 1.5))
        pen.look["drift"] = str(drift)
        for label, value in entries:
            pen.write(left, y, 45, 5.2, label, bold=rng.random() < 0.3)
            pen.write(RIGHT - 42, y + drift, 42, 5.2, value, align="R", size=size)
            y += 5.6
        return y
    if how == "below":
        left = rng.choice((LEFT, 110.0))
        colon = rng.choice((":", " :", ""))
        for label, value in entries:
            pen.write(left, y, 80, 4.6, label + colon, bold=rng.random() < 0.5, size=pen.size - 0.5)
            pen.write(left, y + 4.4, 80, 4.8, value)
            y += 10.5
        return y
    if how == "stacked":
        for n, (label, value) in enumerate(entries):
            left, top = LEFT + (n % 3) * 60, y + (n // 3) * 11
            pen.write(left, top, 58, 4.5, label, bold=True, size=pen.size - 1)
            pen.write(left, top + 4.5, 58, 5, value)
        return y + 11 * ((len(entries) + 2) // 3)
    if how == "row":
        width = (RIGHT - LEFT) / len(entries)
        fill = rng.random() < 0.5
        pen.pdf.set_fill_color(225, 225, 225)
        for n, (label, value) in enumerate(entries):
            pen.write(LEFT + n * width, y, width, 5.5, label, bold=True, size=pen.size - 1, align="C", border=1,
                      fill=fill)
            pen.write(LEFT + n * width, y + 5.5, width, 6, value, align="C", border=1)
        return y + 12
    left = x if x is not None else rng.choice((LEFT, 115.0))
    border = 1 if how == "grid" and rng.random() < 0.6 else 0
    for label, value in entries:
        if how == "lines":
            pen.write(left, y, RIGHT - left, 5, f"{label}{_separator(pen)}{value}")
        else:
            pen.write(left, y, 38, 5.2, label, bold=rng.random() < 0.5, border=border)
            pen.write(left + 38, y, RIGHT - left - 38 if left > LEFT else 50, 5.2, value, border=border,
                      align="R" if x is not None else "L")
        y += 5.2
    return y


def _header_tables(pen: Pen, entries: list[tuple[str, str]], y: float) -> float:
    """The fields as tables of a row of labels above a row of values, several abreast (with the page's
    number among them), in one or two tables across the page or its right part."""
    rng = pen.rng
    entries = list(entries)
    if rng.random() < 0.6:
        entries.insert(rng.randrange(len(entries) + 1), (pen.label("page_head"), rng.choice(("1", "1/1", "1 / 1"))))
    per_table = rng.choice((3, 4, 5, 6))
    narrow = len(entries) <= 3 and rng.random() < 0.5
    left = 105.0 if narrow else LEFT
    rules = rng.choice(("none", "under", "grid"))
    align = rng.choice(("L", "L", "C"))
    # Packed: each column as wide as its words and a narrow gap, as many programs set them.
    packed = rng.random() < 0.4
    gap = rng.choice((2.0, 2.5, 3.0, 4.0))
    pen.look["packed"] = str(packed)
    for start in range(0, len(entries), per_table):
        chunk = entries[start:start + per_table]
        widths = [(RIGHT - left) / len(chunk)] * len(chunk)
        if packed:
            widths = [max(_width(pen, label, pen.size - 1, True), _width(pen, value, pen.size, False)) + gap
                      for label, value in chunk]
            if sum(widths) > RIGHT - left:
                widths = [(RIGHT - left) / len(chunk)] * len(chunk)
        x = left
        for (label, value), width in zip(chunk, widths, strict=True):
            border: int | str = 1 if rules == "grid" else ("B" if rules == "under" else 0)
            pen.write(x, y, width, 5, label, bold=True, size=pen.size - 1, align="L" if packed else align,
                      border=border)
            pen.write(x, y + 5.5, width, 5.5, value, align="L" if packed else align,
                      border=1 if rules == "grid" else 0)
            x += width
        y += 13
    return y


def _width(pen: Pen, text: str, size: float, bold: bool) -> float:
    pen.pdf.set_font(pen.font.family, style="B" if bold else "", size=size)
    return float(pen.pdf.get_string_width(pen.plain(text)))


# Line items ---------------------------------------------------------------------------------------------------

COLUMN_SETS = (
    (("description", 100), ("quantity", 20), ("unit_price", 30), ("amount", 30)),
    (("reference", 20), ("description", 75), ("quantity", 15), ("unit_price", 25), ("rate", 15), ("amount", 30)),
    (("description", 120), ("quantity", 20), ("amount", 40)),
    (("description", 85), ("quantity", 15), ("unit_price", 27), ("rate", 18), ("amount", 35)),
)


def _items_table(pen: Pen, invoice: Invoice, y: float) -> float:
    rng = pen.rng
    several_rates = len({item.rate for item in invoice.items}) > 1
    choices = [n for n, columns in enumerate(COLUMN_SETS) if not several_rates or any(k == "rate" for k, _ in columns)]
    columns = COLUMN_SETS[rng.choice(choices)]
    rules = rng.choice(("grid", "lines", "none"))
    height = rng.choice((5.0, 5.5, 6.0, 7.0))
    marked = rng.random() < 0.3
    pen.look.update(columns=",".join(key for key, _ in columns), rules=rules, lines=str(len(invoice.items)))
    _column_heads(pen, columns, y, rules)
    y += 7
    for n, item in enumerate(invoice.items):
        if y + height > BOTTOM:
            pen.pdf.add_page()
            pen.look["pages"] = "2"
            y = 20.0
            _column_heads(pen, columns, y, rules)
            y += 7
        x = LEFT
        for key, width in columns:
            text, align = _cell(pen, item, key, n, marked)
            pen.write(x, y, width, height, text, align=align, border=1 if rules == "grid" else 0,
                      clip=key == "description")
            x += width
        if rules == "lines":
            pen.pdf.line(LEFT, y + height, RIGHT, y + height)
        y += height
    return y


def _column_heads(pen: Pen, columns: tuple[tuple[str, int], ...], y: float, rules: str) -> None:
    pen.pdf.set_fill_color(230, 230, 230)
    x = LEFT
    for key, width in columns:
        pen.write(x, y, width, 7, pen.label(key), bold=True, size=pen.size - 0.5,
                  align="L" if key in ("description", "reference") else "R", border=1 if rules == "grid" else "B",
                  fill=rules != "lines")
        x += width


def _cell(pen: Pen, item: Item, key: str, n: int, marked: bool) -> tuple[str, str]:
    if key == "description":
        return item.description, "L"
    if key == "reference":
        return f"{'ABKMPRTX'[n % 8]}{1000 + 37 * n}", "L"
    if key == "quantity":
        return _decimal(item.quantity.normalize(), pen.style.decimal), "R"
    if key == "unit_price":
        return money(item.unit_price, pen.style, marked), "R"
    if key == "rate":
        return f"{_decimal(item.rate, pen.style.decimal)} %", "R"
    return pen.amount(item.amount, marked), "R"


def _decimal(value: Decimal, decimal_sign: str) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", decimal_sign)


# Totals -------------------------------------------------------------------------------------------------------


def _totals(pen: Pen, invoice: Invoice, y: float, printed: dict[str, str]) -> float:
    rng = pen.rng
    rows = _total_rows(pen, invoice, printed)
    breakdown = len(invoice.breakdown) > 1 or rng.random() < 0.3
    need = 7 * len(rows) + (8 + 6 * len(invoice.breakdown) if breakdown else 0)
    if y + need > BOTTOM:
        pen.pdf.add_page()
        pen.look["pages"] = "2"
        y = 20.0
    if breakdown and invoice.exemption is None:
        y = _breakdown_table(pen, invoice, y)
    how = rng.choice(("right", "right", "right", "row"))
    pen.look["totals"] = how
    if how == "row":
        width = (RIGHT - LEFT) / len(rows)
        for n, (label, value, _bold) in enumerate(rows):
            pen.write(LEFT + n * width, y, width, 6, label, bold=True, align="C", border=1)
            pen.write(LEFT + n * width, y + 6, width, 7, value, align="C", border=1)
        return y + 14
    label_align = rng.choice(("L", "R"))
    for label, value, bold in rows:
        pen.write(110, y, 55, 6.5, label, bold=bold, align=label_align)
        pen.write(165, y, 30, 6.5, value, bold=bold, align="R", border="T" if bold and rng.random() < 0.5 else 0)
        y += 6.5
    return y


def _total_rows(pen: Pen, invoice: Invoice, printed: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(label, amount as printed, bold) for each line of the totals block."""
    rng = pen.rng
    marked_all = rng.random() < 0.8
    excl, incl = pen.amount(invoice.excl, marked_all), pen.amount(invoice.incl)
    printed.update(total_excl_tax=excl, total_incl_tax=incl)
    rows = [(pen.label("excl"), excl, False)]
    if invoice.exemption != "franchise":
        tax = pen.amount(invoice.tax, marked_all)
        printed["total_tax"] = tax
        rate = invoice.breakdown[0][0]
        if len(invoice.breakdown) == 1 and invoice.exemption is None and rng.random() < 0.6:
            label = pen.label("tax_at").format(rate=_decimal(rate, pen.style.decimal))
        else:
            label = pen.label("tax")
        rows.append((label, tax, False))
    incl_label = LABELS["incl"][pen.language][0] if invoice.deposit else pen.label("incl")
    rows.append((incl_label, incl, True))
    if invoice.deposit:
        rows.append((pen.label("deposit"), pen.amount(invoice.deposit), False))
        rows.append((pen.label("balance"), pen.amount(invoice.incl - invoice.deposit), True))
    return rows


def _breakdown_table(pen: Pen, invoice: Invoice, y: float) -> float:
    """The VAT per rate: rate, base and tax, left of the page or as lines above the totals."""
    pen.look["breakdown"] = "table"
    heads = (pen.label("rate"), pen.label("base"), pen.label("tax"))
    widths = (22, 32, 30)
    x = LEFT
    for head, width in zip(heads, widths, strict=True):
        pen.write(x, y, width, 5.5, head, bold=True, size=pen.size - 0.5, align="R", border="B")
        x += width
    y += 5.5
    for rate, base, tax in invoice.breakdown:
        cells = (f"{_decimal(rate, pen.style.decimal)} %", pen.amount(base, False), pen.amount(tax, False))
        x = LEFT
        for text, width in zip(cells, widths, strict=True):
            pen.write(x, y, width, 5.5, text, align="R")
            x += width
        y += 5.5
    return y + 3


# After the totals ---------------------------------------------------------------------------------------------


def _closing(pen: Pen, invoice: Invoice, y: float) -> None:
    rng, language = pen.rng, pen.language
    sentences = []
    if invoice.exemption == "reverse_charge":
        sentences.append(REVERSE_CHARGE[language])
    if invoice.exemption == "franchise":
        sentences.append(FRANCHISE)
    if invoice.credit_note:
        original = rng.choice(("F", "FA", "INV-", "RE")) + str(rng.randrange(1000, 99999))
        sentences.append(CREDIT_REFERENCE[language].format(number=original, date=pen.day(invoice.delivered)))
    if rng.random() < 0.5:
        sentences.append(f"{pen.label('due')}{_separator(pen)}{pen.day(invoice.due)}")
    sentences.append(rng.choice(PAYMENT[language]))
    if invoice.iban and rng.random() < 0.6:
        sentences.append(f"{pen.label('iban')} {_iban_groups(invoice.iban)}   BIC {invoice.bic}")
    if rng.random() < 0.4:
        sentences.append(THANKS[language])
    if y + 4 * len(sentences) > BOTTOM:
        pen.pdf.add_page()
        pen.look["pages"] = "2"
        y = 20.0
    for sentence in sentences:
        y = pen.paragraph(y, sentence, pen.size - 1.5) + 1
