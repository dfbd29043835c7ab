"""A FEC file checked as the tax administration's test tool (Test Compta Demat) checks its format:
the 18 columns of article A47 A-1 of the LPF in their order with a header line, tab-separated; dates
as YYYYMMDD; debits and credits as numbers with a comma before the cents; each entry (EcritureNum)
balanced; entries numbered without a gap, in order, with dates that never go back; no mandatory
column empty; an auxiliary account with its name; a currency with its amount. Written apart from
the code that writes the file, from the article, so that the two can disagree."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

COLUMNS = ["JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
           "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
           "ValidDate", "Montantdevise", "Idevise"]
MANDATORY = ["JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "PieceRef",
             "PieceDate", "EcritureLib", "Debit", "Credit", "ValidDate"]
DATES = ["EcritureDate", "PieceDate", "ValidDate"]
AMOUNT = re.compile(r"^-?\d+(,\d{1,2})?$")
FILENAME = re.compile(r"^\d{9}FEC\d{8}\.txt$")


def _date(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y%m%d") if re.fullmatch(r"\d{8}", text) else None
    except ValueError:
        return None


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def check_filename(name: str) -> list[str]:
    if not FILENAME.match(name) or _date(name[12:20]) is None:
        return [f"file name {name!r} is not SIRENFECYYYYMMDD.txt"]
    return []


def _line_problems(number: int, row: dict[str, str]) -> list[str]:
    problems = [f"line {number}: {column} is empty" for column in MANDATORY if not row[column].strip()]
    problems += [f"line {number}: {column} {row[column]!r} is not a YYYYMMDD date" for column in DATES
                 if row[column] and _date(row[column]) is None]
    if row["DateLet"] and _date(row["DateLet"]) is None:
        problems.append(f"line {number}: DateLet {row['DateLet']!r} is not a date")
    for column in ("Debit", "Credit"):
        if not AMOUNT.match(row[column]):
            problems.append(f"line {number}: {column} {row[column]!r} is not an amount with a comma decimal")
    if bool(row["CompAuxNum"]) != bool(row["CompAuxLib"]):
        problems.append(f"line {number}: an auxiliary account needs both its number and its name")
    if bool(row["Montantdevise"]) != bool(row["Idevise"]):
        problems.append(f"line {number}: an amount in a currency needs both the amount and the currency")
    return problems


def check_fec(text: str) -> list[str]:
    """Every problem found, in the order of the file (an empty list: the file passes)."""
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return ["the file is empty"]
    header = lines[0].lstrip("\ufeff").split("\t")
    if header != COLUMNS:
        return [f"header {header} is not the 18 columns of A47 A-1 in their order"]
    problems: list[str] = []
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    order: list[tuple[str, str, str]] = []  # (EcritureNum, EcritureDate, JournalCode) as they come
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            problems.append(f"line {number}: {len(cells)} fields, not {len(COLUMNS)}")
            continue
        row = dict(zip(COLUMNS, cells, strict=True))
        found = _line_problems(number, row)
        problems += found
        if found:
            continue
        totals[row["EcritureNum"]][0] += _amount(row["Debit"])
        totals[row["EcritureNum"]][1] += _amount(row["Credit"])
        if not order or order[-1][0] != row["EcritureNum"]:
            order.append((row["EcritureNum"], row["EcritureDate"], row["JournalCode"]))
    problems += [f"entry {num}: debit {d} ≠ credit {c}" for num, (d, c) in totals.items() if d != c]
    return problems + _sequence(order)


def _sequence(order: list[tuple[str, str, str]]) -> list[str]:
    """Each entry's lines together, numbers following on without a gap, dates never going back."""
    problems: list[str] = []
    numbers = [num for num, _, _ in order]
    if len(set(numbers)) != len(numbers):
        problems.append("an entry's lines are not together (an EcritureNum comes back after another)")
    if not all(num.isdigit() for num in numbers) or [int(n) for n in numbers if n.isdigit()] != list(
            range(1, len(numbers) + 1)):
        problems.append(f"entry numbers are not 1…{len(numbers)} without a gap")
    dates = [day for _, day, _ in order]
    if any(later < earlier for earlier, later in zip(dates, dates[1:], strict=False)):
        problems.append("entry dates go back as the numbers go on")
    return problems
