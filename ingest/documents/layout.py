"""Words where they stand on the page: what layout-aware reading works from.

A text PDF's words come from its text layer (pypdfium2), a scan's from the OCR engine's word
boxes; both are given in the same frame so that what reads them does not care which: PDF points
(1/72 inch), origin at the top left of the page, y growing downwards.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """One word and its box; ``confidence`` is the OCR engine's (0–1), None for a text layer."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float | None = None

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class PageWords:
    """A page's words in reading order as found (not yet grouped into lines), and its size."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]
