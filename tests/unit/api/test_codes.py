"""The README's list of codes is the code's: generated from the enums, and kept in step."""

from __future__ import annotations

from pathlib import Path

from api.codes import PROBLEM_CODES, markdown
from api.problems import STATUS

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_lists_exactly_the_codes_of_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    listed = text.split("<!-- codes:begin -->\n", 1)[1].split("<!-- codes:end -->", 1)[0]
    assert listed == markdown(), "run `.venv/bin/python -m api.codes` and paste its output into the README"


def test_every_code_has_a_meaning_and_a_code_shared_by_two_wings_one_status() -> None:
    statuses: dict[str, set[int]] = {}
    for enum in PROBLEM_CODES:
        for code in enum:
            assert getattr(code, "meaning", ""), f"{enum.__name__}.{code.name} says nothing"
            statuses.setdefault(code.value, set()).add(STATUS.get(code, 422))
    assert {code: found for code, found in statuses.items() if len(found) > 1} == {}
