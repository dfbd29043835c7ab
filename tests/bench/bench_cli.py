"""How fast the command line answers, against Typer itself, in the same run.

    .venv/bin/python -m tests.bench.bench_cli [--runs 9]

Prints one JSON object: the median wall time of each command over `--runs` runs, interleaved, and
its ratio to two baselines: importing Typer (`python -c "import typer"`), and a one-command Typer
app of ten lines doing the same thing (its help, or running its command). The second is the part no
command of ours can remove: Typer builds its commands through pydantic and renders help with rich
when it runs, not when it is imported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HELLO = '''import typer
app = typer.Typer()
@app.command()
def hello(name: str = typer.Option("world", "--name", help="Who to greet.")) -> None:
    """Greet someone."""
    typer.echo(f"hello {name}")
@app.command()
def other() -> None:
    """Another command, so that the app has a command list."""
if __name__ == "__main__":
    app()
'''
DEADLINE = ["contract", "deadline", "--criticality", "2", "--from", "2026-12-01T10:00:00+01:00"]


def _seconds(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        py, cli = sys.executable, [sys.executable, "-m", "cli.main"]
        cases = {"import_typer": [py, "-c", "import typer"], "typer_app_help": [py, str(hello), "--help"],
                 "typer_app_command": [py, str(hello), "hello"], "bordereau_help": [*cli, "--help"],
                 "bordereau_contract_deadline": [*cli, *DEADLINE]}
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, args in cases.items():
                times[name].append(_seconds(args))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(json.dumps({
        "runs": runs, "median_ms": {name: round(value * 1000) for name, value in median.items()},
        "ratio_to_import_typer": {"help": round(median["bordereau_help"] / median["import_typer"], 2),
                                  "contract_deadline": round(median["bordereau_contract_deadline"]
                                                             / median["import_typer"], 2)},
        "ratio_to_a_typer_app": {"help": round(median["bordereau_help"] / median["typer_app_help"], 2),
                                 "contract_deadline": round(median["bordereau_contract_deadline"]
                                                            / median["typer_app_command"], 2)},
    }, indent=2))


if __name__ == "__main__":
    main()
