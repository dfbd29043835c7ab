"""CPU time spent by the processes of a benchmark, read from /proc (Linux).

Throughput on a shared two-core machine swings by a third from one run to the
next; the CPU seconds each component spends per document barely move, so they
say where the time goes and whether a change saved any.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")

# Servers the benchmarks talk to, recognised by their process name.
SERVERS = {"postgres": "postgresql", "beam.smp": "rabbitmq", "weed": "seaweedfs"}


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, name, CPU seconds used so far)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        name = raw[raw.index("(") + 1: raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        # After the name: state, ppid, ..., utime and stime are the 12th and 13th; then cutime and
        # cstime, the CPU of children that ended and were waited for (an OCR command, a PostgreSQL
        # backend), which would be missed otherwise.
        found[int(entry.name)] = (int(fields[1]), name, sum(int(f) for f in fields[11:15]) / _TICKS)
    return found


def _descendants(roots: Sequence[int], procs: Mapping[int, tuple[int, str, float]]) -> set[int]:
    family, grew = set(roots), True
    while grew:
        children = {pid for pid, (ppid, _, _) in procs.items() if ppid in family} - family
        family |= children
        grew = bool(children)
    return family


def snapshot(components: Mapping[str, Sequence[int]]) -> dict[str, float]:
    """CPU seconds so far of each named group of processes (with their children) and of
    each server in `SERVERS`. Take one before and one after, and subtract."""
    procs = _processes()
    totals: dict[str, float] = defaultdict(float)
    for component, roots in components.items():
        for pid in _descendants(roots, procs):
            totals[component] += procs[pid][2]
    for _, name, seconds in procs.values():
        if name in SERVERS:
            totals[SERVERS[name]] += seconds
    return dict(totals)


def per_item_ms(before: Mapping[str, float], after: Mapping[str, float], items: int) -> dict[str, float]:
    """Milliseconds of CPU per item for each component between two snapshots, and the total.

    A process that ended between the snapshots counts through its parent, once the parent waited for it.
    """
    spent = {k: max(0.0, after.get(k, 0.0) - before.get(k, 0.0)) for k in after}
    spent["total"] = sum(spent.values())
    return {k: round(1000 * v / items, 2) for k, v in spent.items()}
