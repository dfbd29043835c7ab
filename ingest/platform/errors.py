"""The one family of domain errors: a request refused for a reason its caller can act on.

Each carries a stable `code` (a member of a wing's `Code` enum, which clients match on) and a
`message` (a sentence that says what to do). No transport status: the API maps codes to HTTP
statuses in one table (``api/problems.py``), the command line prints the message and exits
non-zero. Each wing subclasses it once, so that its callers can catch its refusals alone.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Code(StrEnum):
    """A stable code and what it means in one line, declared ``name = "value", "meaning"``: the
    meaning is what the README's list of codes says (``python -m api.codes``); the error's own
    message says more, with the figures of the case."""

    meaning: str

    def __new__(cls, value: str, meaning: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member


class DomainError(Exception):
    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
