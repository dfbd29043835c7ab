"""A possible value for a field with the confidence it would get, and the choice of the best one: the
shape every reading rule (text rules, layout reading, OCR mending) gives its findings in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class Candidate(Generic[V]):
    """A possible value for a field (a text, or an amount before it is formatted): ``score`` is the
    confidence it would get."""

    value: V
    score: float
    line: int

    def better_than(self, other: Candidate[V] | None) -> bool:
        # Higher score wins; on a tie the earlier line wins (headers come first).
        if other is None:
            return True
        return (self.score, -self.line) > (other.score, -other.line)


def best(candidates: list[Candidate[V]]) -> Candidate[V] | None:
    chosen: Candidate[V] | None = None
    for candidate in candidates:
        if candidate.better_than(chosen):
            chosen = candidate
    return chosen
