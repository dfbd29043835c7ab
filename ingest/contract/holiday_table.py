"""The French public holidays of 2000–2099, as the ``holidays`` library lists them, kept in a file.

Importing that library loads the modules of its two hundred countries (a fifth of a second), which
every process and command computing a business day used to pay to read eleven dates a year. The
file (``public_holidays_fr.txt``, one ISO date a line) is the library's answer written once;
``tests/unit/contract/test_holiday_table.py`` checks that it still is, and a year outside the
table asks the library. After an upgrade of the library that changes a date, write it again:

    .venv/bin/python -m ingest.contract.holiday_table
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

FIRST_YEAR, LAST_YEAR = 2000, 2099
TABLE = Path(__file__).with_name("public_holidays_fr.txt")


def from_library(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("FR", years=year).keys())


@cache
def _table() -> dict[int, frozenset[date]]:
    by_year: dict[int, set[date]] = {}
    for line in TABLE.read_text().split():
        day = date.fromisoformat(line)
        by_year.setdefault(day.year, set()).add(day)
    return {year: frozenset(days) for year, days in by_year.items()}


def french_public_holidays(year: int) -> frozenset[date]:
    if FIRST_YEAR <= year <= LAST_YEAR:
        return _table()[year]
    return from_library(year)


def write() -> None:
    days = sorted(day for year in range(FIRST_YEAR, LAST_YEAR + 1) for day in from_library(year))
    TABLE.write_text("".join(f"{day.isoformat()}\n" for day in days))


if __name__ == "__main__":
    write()
