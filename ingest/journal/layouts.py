"""The two layouts of a journal export, line by line: the FEC and a plain CSV.

Pure: entries in, text out. The FEC (Fichier des Écritures Comptables) is the layout of article
A47 A-1 of the Livre des procédures fiscales: 18 columns in a fixed order, a header line naming
them, fields separated by a tab, dates as YYYYMMDD, amounts with a comma before the cents and no
thousands separator, a debit and a credit column on every line. Its file is named
``{SIREN}FEC{closing date YYYYMMDD}.txt``. The text is UTF-8 (accepted by the administration's
test tool besides ISO 8859-15) and lines end with CR LF.

The CSV is for people and spreadsheets: semicolons, dates as DD/MM/YYYY and comma decimals (what a
French spreadsheet opens as numbers and dates), a byte order mark so that it reads the text as
UTF-8, and the marks the FEC cannot carry (default expense account, reverse charge, credit note).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date

from ingest.journal.entries import Entry
from ingest.platform.spreadsheet import text_cell

FEC_COLUMNS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
               "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
               "ValidDate", "Montantdevise", "Idevise")
JOURNAL_CODE, JOURNAL_LABEL = "HA", "Journal des achats"
CSV_COLUMNS = ("journal", "ecriture", "date", "piece", "compte", "libelle_compte", "compte_auxiliaire",
               "libelle_auxiliaire", "libelle", "debit", "credit", "compte_par_defaut", "autoliquidation", "avoir",
               "document_id")
NEWLINE = "\r\n"
BOM = "\ufeff"
_BREAKS = re.compile(r"[\x00-\x1f\x7f]+")  # a tab or a line break inside a value would shift every column


def fec_amount(cents: int) -> str:
    """``1234,56``: a comma before the cents, no thousands separator."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole},{part:02d}"


def fec_date(day: date) -> str:
    return f"{day:%Y%m%d}"


def fec_filename(siren: str, closing: date) -> str:
    return f"{siren}FEC{fec_date(closing)}.txt"


def csv_filename(dossier_id: str, start: date, end: date) -> str:
    return f"journal-achats-{dossier_id}-{start:%Y%m%d}-{end:%Y%m%d}.csv"


def one_line(text: str) -> str:
    # Most cells are plain: isprintable (in C) spares them the expression, which a year's export
    # would otherwise run a million times.
    return text if text.isprintable() else _BREAKS.sub(" ", text).strip()


def fec_header() -> str:
    return "\t".join(FEC_COLUMNS) + NEWLINE


def fec_lines(entry: Entry, number: int, valid: date) -> str:
    """The entry's lines in the FEC, numbered `number`, validated on `valid`."""
    day = fec_date(entry.day)
    out = []
    for line in entry.lines:
        cells = (JOURNAL_CODE, JOURNAL_LABEL, str(number), day, line.account, line.account_label, line.aux,
                 line.aux_label, entry.piece, day, line.label, fec_amount(line.debit), fec_amount(line.credit), "",
                 "", fec_date(valid), "", "")
        out.append("\t".join(one_line(cell) for cell in cells))
    return NEWLINE.join(out) + NEWLINE


def csv_header() -> str:
    return BOM + _csv_rows([CSV_COLUMNS])


def _yes(flag: bool) -> str:
    return "oui" if flag else "non"


def csv_lines(entry: Entry, number: int) -> str:
    rows = [(JOURNAL_CODE, str(number), f"{entry.day:%d/%m/%Y}", _text(entry.piece), line.account,
             line.account_label, _text(line.aux), _text(line.aux_label), _text(line.label), fec_amount(line.debit),
             fec_amount(line.credit), _yes(entry.default_expense), _yes(entry.reverse_charge), _yes(entry.credit_note),
             entry.document_id) for line in entry.lines]
    return _csv_rows(rows)


def _text(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (a supplier names itself)."""
    return text_cell(one_line(value))


def _csv_rows(rows: Iterable[Iterable[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator=NEWLINE).writerows(rows)
    return buffer.getvalue()
