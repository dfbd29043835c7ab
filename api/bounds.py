"""The ranges every parameter and body field keeps to: out of range is a 422 with a code, never a
500 from a database that refuses the value.

- Ids in paths and queries: 1 to 64 letters, digits, ``_`` or ``-`` (every id the service hands
  out is a UUID or a number). A NUL byte, which PostgreSQL refuses in any text, cannot get through.
- Offsets: at most `MAX_OFFSET`, well inside a 64-bit integer.
- Text in bodies: stripped, and refused when it holds a control character (line breaks and tabs
  allowed where a text may span lines).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, AwareDatetime, StringConstraints

MAX_OFFSET = 1_000_000_000
# Years an instant may name: wide enough for any invoice or window, narrow enough that moving it
# between time zones never overflows.
FIRST_YEAR, LAST_YEAR = 2000, 2999
# Amounts and counts are stored as 32-bit integers: bounded well inside them.
MAX_COUNT = 10_000_000
MAX_CENTS = 1_000_000_000
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

IdPath = Annotated[str, Path(pattern=ID_PATTERN, description="an id the service gave")]
IdQuery = Annotated[str | None, Query(pattern=ID_PATTERN)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
OperatorsAccount = Annotated[str | None, Query(pattern=ID_PATTERN, description="Operators only: the account")]


def _no_control(value: str, allowed: str = "") -> str:
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
        raise ValueError("control characters (such as NUL or escape codes) are not allowed")
    return value


def _one_line(value: str) -> str:
    return _no_control(value)


def _lines(value: str) -> str:
    return _no_control(value, "\n\r\t")


def _stripped(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


# A name (of a dossier, say): one line, 1 to 200 characters once stripped.
Name = Annotated[str, _stripped(1, 200), AfterValidator(_one_line)]
# An e-mail address as typed: one line, 3 to 320 characters once stripped (its form is checked, and
# it is lower-cased, by ingest.accounts.users.valid_email).
Email = Annotated[str, _stripped(3, 320), AfterValidator(_one_line)]
# Texts that may span lines: a note (up to 2,000 characters), a long text (up to 20,000), and a
# long text that must say something.
Note = Annotated[str, _stripped(0, 2_000), AfterValidator(_lines)]
LongText = Annotated[str, _stripped(0, 20_000), AfterValidator(_lines)]
RequiredText = Annotated[str, _stripped(1, 20_000), AfterValidator(_lines)]


def _plausible(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"the year must be from {FIRST_YEAR} to {LAST_YEAR}")
    return value


# An instant with its UTC offset, within the years above.
Instant = Annotated[AwareDatetime, AfterValidator(_plausible)]


def _plausible_day(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"the year must be from {FIRST_YEAR} to {LAST_YEAR}")
    return value


# A calendar day (YYYY-MM-DD), within the years above.
Day = Annotated[date, AfterValidator(_plausible_day)]
