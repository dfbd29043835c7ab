"""The one family of domain errors: a request refused for a reason its caller can act on.

Each carries a stable `code` (a wing's enum value, which clients match on) and a `message` (a
sentence that says what to do). No transport status: the API maps codes to HTTP statuses in one
table (``api/problems.py``), the command line prints the message and exits non-zero. Each wing
subclasses it once, so that its callers can catch its refusals alone.
"""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    def __init__(self, code: StrEnum, message: str) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
