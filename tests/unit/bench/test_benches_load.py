"""Every benchmark module loads: a benchmark is run by hand, rarely, so a broken import would otherwise
go unseen until someone needs its figures."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCHES = sorted(path.stem for path in (Path(__file__).parents[2] / "bench").glob("bench_*.py"))


def test_there_are_benchmarks_to_load() -> None:
    assert "bench_fields" in BENCHES and "bench_ocr" in BENCHES


@pytest.mark.parametrize("name", BENCHES)
def test_a_benchmark_module_loads_with_its_entry_point(name: str) -> None:
    module = importlib.import_module(f"tests.bench.{name}")
    assert callable(getattr(module, "main", None))
