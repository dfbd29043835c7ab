"""The table of French public holidays is the ``holidays`` library's answer, every year of it."""

from __future__ import annotations

from datetime import date

from ingest.contract.holiday_table import FIRST_YEAR, LAST_YEAR, french_public_holidays, from_library


def test_every_year_of_the_table_is_what_the_library_says() -> None:
    differing = [year for year in range(FIRST_YEAR, LAST_YEAR + 1)
                 if french_public_holidays(year) != from_library(year)]
    assert differing == [], "run .venv/bin/python -m ingest.contract.holiday_table"


def test_a_year_outside_the_table_asks_the_library() -> None:
    assert date(1990, 7, 14) in french_public_holidays(1990)
    assert date(2026, 5, 25) in french_public_holidays(2026)  # Whit Monday
