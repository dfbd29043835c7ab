"""Naming a process so that another process of the same host can tell, later, whether it still runs.

A name is ``host:pid:start``, the start being the process's start time in clock ticks since boot
(Linux's ``/proc/<pid>/stat``): a pid reused by a new process (a restarted container's worker is
often pid 7 again) has another start, and a zombie (ended, not yet reaped: in a container whose
first process reaps nothing, a killed worker's pool children stay so) has ended, so neither is
taken for alive. Where ``/proc``
is missing the name is ``host:pid`` and a reused pid passes for the old process, which only makes
a wait longer (the lease lapses, beat's sweep runs), never shortens one.
"""

from __future__ import annotations

import os
import socket
from functools import cache


def stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (the first is the state, field 3
    of the line), None where they cannot be read (gone, or no ``/proc``)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # The command name (field 2) may hold spaces and parentheses: count from its end.
            return stat.read().rsplit(b")", 1)[1].decode().split()
    except OSError:
        return None


def _stat(pid: int) -> tuple[str, str] | None:
    """The state and start time of process `pid` (fields 3 and 22 of the line)."""
    fields = stat_fields(pid)
    return (fields[0], fields[19]) if fields else None


def _start_of(pid: int) -> str | None:
    stat = _stat(pid)
    return stat[1] if stat else None


@cache
def _named(pid: int) -> str:
    start = _start_of(pid)
    return f"{socket.gethostname()}:{pid}" + (f":{start}" if start else "")


def this_process() -> str:
    """This process's name (computed once per process: a forked child gets its own)."""
    return _named(os.getpid())


def gone(name: str | None) -> bool:
    """True when `name` is a process of this host that no longer runs. A process of another host,
    or a name that cannot be read, is never said to be gone."""
    if not name:
        return False
    host, _, rest = name.partition(":")
    pid, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process: it exists
        pass
    stat = _stat(int(pid))
    if stat is None:
        return False
    # A zombie has ended: its parent died too (a worker killed with its pool) and nothing reaped it.
    return stat[0] == "Z" or (bool(start) and stat[1] != start)
