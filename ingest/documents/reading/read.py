"""What layout-aware reading adds to the text rules: candidates from labelled places, in the text
rules' own shape, so that one choice (the best score, the totals that add up) takes both into account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from ingest.documents.candidate import Candidate
from ingest.documents.layout import PageWords
from ingest.documents.reading.candidates import AMOUNTS, READ_CEILING, candidates
from ingest.documents.reading.lines import Line, page_lines
from ingest.documents.reading.parties import seller_vat


def layout_lines(pages: Sequence[PageWords]) -> list[Line]:
    return [line for page in pages for line in page_lines(page)]


def layout_candidates(lines: list[Line], *, month_first: bool,
                      source: str = "text") -> dict[str, list[Candidate[str] | Candidate[Decimal]]]:
    """Per field, the values labels point to as `Candidate`s: ISO strings for dates, strings for
    identifiers, decimals for amounts; `line` counts the layout's lines over all pages."""
    numbering = {(line.page, line.index): number for number, line in enumerate(lines)}
    out: dict[str, list[Candidate[str] | Candidate[Decimal]]] = {}
    for field, found in candidates(lines, month_first=month_first).items():
        for item in found:
            line, score = numbering[(item.page, item.line)], min(item.score, READ_CEILING[source])
            if field in AMOUNTS and isinstance(item.value, Decimal):
                out.setdefault(field, []).append(Candidate(item.value, score, line))
            elif isinstance(item.value, date):
                out.setdefault(field, []).append(Candidate(item.value.isoformat(), score, line))
            elif isinstance(item.value, str):
                out.setdefault(field, []).append(Candidate(item.value, score, line))
    vat = seller_vat(lines)
    if vat:
        out["supplier_vat"] = [Candidate(c.value, min(c.score, READ_CEILING[source]), c.line) for c in vat]
    return out
