import json
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.contract import contract_app
from ingest.contract.availability import working_hours

app = typer.Typer()
app.add_typer(contract_app, name="contract")
runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["contract", *args])


@pytest.mark.parametrize(
    ("criticality", "qualified_at", "printed"),
    [
        ("1", "2026-12-24T16:50:00+01:00", "2026-12-29T15:50:00+01:00"),
        ("2", "2026-12-24T16:50:00+01:00", "2027-01-05T16:50:00+01:00"),
        ("1", "2026-03-27T15:00:00Z", "2026-03-31T15:30:00+02:00"),  # 16:00 in Paris
        ("2", "2026-11-28T10:00:00+01:00", "2026-12-08T09:00:00+01:00"),
        ("3", "2026-12-24T16:50:00+01:00", "none"),
    ],
)
def test_deadline(criticality: str, qualified_at: str, printed: str) -> None:
    result = run("deadline", "--criticality", criticality, "--from", qualified_at)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == printed + "\n"


@pytest.mark.parametrize(
    ("criticality", "qualified_at", "reason"),
    [
        ("4", "2026-12-24T16:50:00+01:00", "--criticality must be 1, 2 or 3"),
        ("one", "2026-12-24T16:50:00+01:00", "--criticality must be 1, 2 or 3"),
        ("1", "2026-12-24T16:50:00", "--from has no UTC offset: 2026-12-24T16:50:00"),
        ("1", "Christmas Eve", "--from is not an ISO 8601 date-time"),
    ],
)
def test_deadline_refuses_bad_input(criticality: str, qualified_at: str, reason: str) -> None:
    result = run("deadline", "--criticality", criticality, "--from", qualified_at)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert reason in result.stderr
    assert result.stderr.count("\n") == 1


def june_probes(tmp_path: Path, ko_hours: int) -> Path:
    """June 2026, both probes every 3 minutes; ui fails in the first ``ko_hours`` hours."""
    lines = ["probe,at,status,latency_ms"]
    for index, start in enumerate(working_hours(2026, 6)):
        for step in range(20):
            at = (start + timedelta(minutes=3 * step, seconds=20)).isoformat()
            lines.append(f"api,{at},200,310.5")
            lines.append(f"ui,{at},," if index < ko_hours else f"ui,{at},200,85")
    path = tmp_path / "probes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("ko_hours", "percent_text", "credit"),
    [(0, "100.00", 0), (3, "98.48", 0), (4, "97.98", 10)],
)
def test_availability(tmp_path: Path, ko_hours: int, percent_text: str, credit: int) -> None:
    probes = june_probes(tmp_path, ko_hours)
    result = run("availability", "--month", "2026-06", "--probes", str(probes))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") == 1  # one line
    assert f'"availability_percent": {percent_text},' in result.stdout  # two decimals, a number
    report = json.loads(result.stdout)
    assert report["month"] == "2026-06"
    assert (report["counted_hours"], report["ko_hours"], report["credit_percent"]) == (
        198, ko_hours, credit,
    )
    expected_list = ["2026-06-01T09:00:00+02:00", "2026-06-01T10:00:00+02:00",
                     "2026-06-01T11:00:00+02:00", "2026-06-01T12:00:00+02:00"][:ko_hours]
    assert report["ko_hours_list"] == expected_list


def test_availability_with_maintenance(tmp_path: Path) -> None:
    maintenance = tmp_path / "maintenance.csv"
    maintenance.write_text(
        "start,end,kind\n"
        "2026-06-01T09:00:00+02:00,2026-06-01T11:00:00+02:00,scheduled\n"  # covers 2 KO hours
        "2026-06-01T11:00:00+02:00,2026-06-01T12:00:00+02:00,urgent\n",  # excuses nothing
        encoding="utf-8",
    )
    probes = june_probes(tmp_path, 4)
    result = run("availability", "--month", "2026-06", "--probes", str(probes),
                 "--maintenance", str(maintenance))
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["counted_hours"], report["ko_hours"]) == (196, 2)
    assert report["ko_hours_list"] == ["2026-06-01T11:00:00+02:00", "2026-06-01T12:00:00+02:00"]
    assert report["availability_percent"] == 98.98


def test_malformed_probes_file(tmp_path: Path) -> None:
    probes = tmp_path / "probes.csv"
    probes.write_text(
        "probe,at,status,latency_ms\napi,2026-06-03T10:00:00+02:00,200,5\n"
        "ui,2026-06-03T10:00:00,200,5\n",
        encoding="utf-8",
    )
    result = run("availability", "--month", "2026-06", "--probes", str(probes))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "line 3: 'at' has no UTC offset: 2026-06-03T10:00:00" in result.stderr
    assert result.stderr.count("\n") == 1


def test_malformed_maintenance_file(tmp_path: Path) -> None:
    maintenance = tmp_path / "maintenance.csv"
    maintenance.write_text("start,end\n2026-06-03T10:00:00Z,soon\n", encoding="utf-8")
    result = run("availability", "--month", "2026-06", "--probes", str(june_probes(tmp_path, 0)),
                 "--maintenance", str(maintenance))
    assert result.exit_code == 2
    assert "line 2: 'end' is not an ISO 8601 date-time: 'soon'" in result.stderr


@pytest.mark.parametrize("month", ["2026-13", "June"])
def test_bad_month(tmp_path: Path, month: str) -> None:
    result = run("availability", "--month", month, "--probes", str(june_probes(tmp_path, 0)))
    assert result.exit_code == 2
    assert "month" in result.stderr


def test_missing_file(tmp_path: Path) -> None:
    result = run("availability", "--month", "2026-06", "--probes", str(tmp_path / "absent.csv"))
    assert result.exit_code == 2
    assert "cannot read the probes file" in result.stderr
