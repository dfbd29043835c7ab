"""The FEC and CSV lines of entries, checked as the tax administration's test tool checks a FEC."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from ingest.journal.entries import Entry, Invoice, Supplier, book
from ingest.journal.layouts import (
    csv_filename,
    csv_header,
    csv_lines,
    fec_amount,
    fec_filename,
    fec_header,
    fec_lines,
    one_line,
)
from tests.unit.journal.fec_checks import check_fec, check_filename
from tests.unit.journal.invoices import invoice_fields

SUPPLIER = Supplier("401732829320", "Scierie\tDupont\nSAS")


def entry(day: str = "2026-03-12", **kwargs: str) -> Entry:
    booking = book(Invoice("doc-1", invoice_fields(issue_date=day, **kwargs)), SUPPLIER, "607000")
    assert booking.entry is not None
    return booking.entry


def fec(*entries: Entry) -> str:
    return fec_header() + "".join(fec_lines(e, n, date(2026, 12, 1)) for n, e in enumerate(entries, start=1))


def test_a_fec_of_entries_passes_every_check() -> None:
    rows = [("20.00", "81.90", "16.38"), ("5.50", "543.00", "29.87")]
    text = fec(entry("2026-01-02"), entry("2026-01-02", document_type="credit_note"),
               entry("2026-02-01", excl="624.90", tax="46.25", incl="671.15", rows=rows))
    assert check_fec(text) == []
    lines = text.split("\r\n")
    assert lines[0].split("\t")[:3] == ["JournalCode", "JournalLib", "EcritureNum"]
    first = lines[1].split("\t")
    assert first[:5] == ["HA", "Journal des achats", "1", "20260102", "607000"]
    assert (first[11], first[12], first[15]) == ("100,00", "0,00", "20261201")
    supplier = lines[3].split("\t")
    assert (supplier[6], supplier[7]) == ("401732829320", "Scierie Dupont SAS")  # tab and break made spaces


@pytest.mark.parametrize(("broken", "problem"), [
    (lambda t: t.replace("JournalLib\t", "JournalLabel\t", 1), "header"),
    (lambda t: t.replace("\t100,00\t", "\t100.00\t", 1), "comma decimal"),
    (lambda t: t.replace("20260102", "2026-01-02", 1), "YYYYMMDD"),
    (lambda t: t.replace("\t0,00\t120,00\t", "\t0,00\t120,01\t", 1), "debit"),
    (lambda t: t.replace("HA\tJournal des achats\t2\t", "HA\tJournal des achats\t3\t"), "without a gap"),
    (lambda t: t.replace("\tF-1\t", "\t\t", 1), "PieceRef is empty"),
    (lambda t: t.replace("\t401732829320\tScierie Dupont SAS\t", "\t401732829320\t\t", 1), "auxiliary"),
    (lambda t: t.replace("HA\tJournal des achats\t1\t", "HA|Journal des achats|1\t", 1), "fields"),
])  # fmt: skip
def test_the_checker_finds_what_the_tool_refuses(broken: object, problem: str) -> None:
    text = fec(entry("2026-01-02"), entry("2026-01-03"))
    assert check_fec(text) == []
    found = check_fec(broken(text))  # type: ignore[operator]
    assert any(problem in p for p in found), found


def test_the_checker_refuses_dates_going_back() -> None:
    assert "entry dates go back as the numbers go on" in check_fec(fec(entry("2026-01-03"), entry("2026-01-02")))


def test_file_names_and_amounts() -> None:
    assert fec_filename("732829320", date(2026, 12, 31)) == "732829320FEC20261231.txt"
    assert check_filename(fec_filename("732829320", date(2026, 12, 31))) == []
    assert check_filename("732829320FEC2026.txt") != []
    assert [fec_amount(c) for c in (0, 5, 123456, -1050)] == ["0,00", "0,05", "1234,56", "-10,50"]
    assert csv_filename("d", date(2026, 1, 1), date(2026, 12, 31)) == "journal-achats-d-20260101-20261231.csv"
    assert one_line("a\tb\r\nc ") == "a b c"


def test_the_csv_is_for_a_french_spreadsheet() -> None:
    text = csv_header() + csv_lines(entry(number="=HYPERLINK(1)"), 1)
    assert text.startswith("\ufeffjournal;ecriture;date;")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [(r["compte"], r["debit"], r["credit"]) for r in rows] == [("607000", "100,00", "0,00"),
                                                                      ("445660", "20,00", "0,00"),
                                                                      ("401000", "0,00", "120,00")]
    assert rows[0]["date"] == "12/03/2026" and rows[0]["compte_par_defaut"] == "oui"
    assert rows[0]["piece"] == "'=HYPERLINK(1)"  # text, never a formula
    assert rows[0]["autoliquidation"] == rows[0]["avoir"] == "non" and rows[0]["document_id"] == "doc-1"
