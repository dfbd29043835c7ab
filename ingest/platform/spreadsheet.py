"""CSV cells a spreadsheet opens as text, never as a formula.

Accountants open our CSV files (statements, export manifests) in a spreadsheet, which runs a cell
that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula:
a file named ``=HYPERLINK(...)`` would become a live link, or worse. Text that could come from a
client goes through `text_cell`, which makes such a cell start with an apostrophe, the
spreadsheets' own mark for "this is text"; numbers the service writes itself are left as they are.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value
