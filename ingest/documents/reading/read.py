"""What layout-aware reading adds to the text rules: candidates from labelled places, in the text
rules' own shape, so that one choice (the best score, the totals that add up) takes both into account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from ingest.documents.fields.lines import Candidate
from ingest.documents.layout import PageWords
from ingest.documents.reading.candidates import AMOUNTS, candidates
from ingest.documents.reading.lines import Line, page_lines
from ingest.documents.reading.parties import seller_vat


def layout_lines(pages: Sequence[PageWords]) -> list[Line]:
    return [line for page in pages for line in page_lines(page)]


def layout_candidates(lines: list[Line], *, month_first: bool) -> dict[str, list[Candidate[str] | Candidate[Decimal]]]:
    """Per field, the values labels point to as `Candidate`s: ISO strings for dates, strings for
    identifiers, decimals for amounts; `line` counts the layout's lines over all pages."""
    numbering = {(line.page, line.index): number for number, line in enumerate(lines)}
    out: dict[str, list[Candidate[str] | Candidate[Decimal]]] = {}
    for field, found in candidates(lines, month_first=month_first).items():
        for item in found:
            line = numbering[(item.page, item.line)]
            if field in AMOUNTS and isinstance(item.value, Decimal):
                out.setdefault(field, []).append(Candidate(item.value, item.score, line))
            elif isinstance(item.value, date):
                out.setdefault(field, []).append(Candidate(item.value.isoformat(), item.score, line))
            elif isinstance(item.value, str):
                out.setdefault(field, []).append(Candidate(item.value, item.score, line))
    vat = seller_vat(lines)
    if vat:
        out["supplier_vat"] = list(vat)
    return out
