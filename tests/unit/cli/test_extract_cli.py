"""``bordereau extract`` on local files: one JSON line per file, no server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.extract import extract
from tests.support.invoices import text_invoice_pdf
from tests.unit.documents.test_einvoice import BILLION_LAUGHS

root = typer.Typer()
root.command("extract")(extract)
root.command("noop")(lambda: None)  # two commands: "extract" is then a real sub-command


def run(*args: str) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(root, ["extract", *args])
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_a_text_pdf_and_a_broken_xml_give_one_line_each(tmp_path: Path) -> None:
    pdf, bomb = tmp_path / "f.pdf", tmp_path / "bomb.xml"
    pdf.write_bytes(text_invoice_pdf())
    bomb.write_bytes(BILLION_LAUGHS)
    code, lines = run(str(pdf), str(bomb))
    assert code == 1
    assert lines[0]["file"] == str(pdf) and lines[0]["einvoice"] is None and lines[0]["flags"] == []
    # "FACTURE N° F2026-0042": the value right after its label, read at the ceiling of a reading (0.95).
    assert lines[0]["fields"]["invoice_number"] == {"value": "F2026-0042", "confidence": 0.95, "source": "text"}
    assert lines[1] == {"file": str(bomb),
                        "error": {"reason": "xml_forbidden", "message": lines[1]["error"]["message"]}}


@pytest.mark.corpus
def test_no_einvoice_reads_the_visible_layer(corpus: Path) -> None:
    path = corpus / "correct__FNFE-factur-x-examples__Facture_FR_BASICWL.pdf"
    code, [xml] = run(str(path))
    _, [visible] = run(str(path), "--no-einvoice")
    assert code == 0
    assert xml["einvoice"] == {"flavour": "factur-x", "profile": "BASIC WL"}
    assert {f["source"] for key, f in xml["fields"].items() if key != "line_items"} == {"einvoice"}
    assert xml["fields"]["line_items"]["source"] == "text"  # BASIC WL has no lines: the page's
    assert visible["einvoice"] is None and {f["source"] for f in visible["fields"].values()} == {"text"}
    assert visible["fields"]["invoice_number"]["value"] == xml["fields"]["invoice_number"]["value"]


def test_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(root, ["extract", str(tmp_path / "nope.pdf")])
    assert result.exit_code == 2 and "no such file" in result.stderr
