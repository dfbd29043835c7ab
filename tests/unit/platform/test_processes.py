"""Telling whether a named process still runs: dead, reused pid, zombie, another host."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from ingest.platform.processes import gone, stat_fields, this_process


def test_this_process_runs_and_a_finished_one_is_gone() -> None:
    assert not gone(this_process())
    code = "from ingest.platform.processes import this_process; print(this_process())"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert gone(child.stdout.strip())


def test_a_pid_that_now_names_another_process_is_gone() -> None:
    host, pid, start = this_process().split(":")
    assert gone(f"{host}:{pid}:{int(start) + 1}")  # the same pid, started at another time
    assert not gone(f"{host}:{pid}")  # a name without its start time cannot tell


def test_a_zombie_is_gone() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        deadline = time.monotonic() + 10
        while (stat_fields(pid) or ["?"])[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert gone(f"{socket.gethostname()}:{pid}")
    finally:
        os.waitpid(pid, 0)


def test_a_process_of_another_host_or_an_unreadable_name_is_never_gone() -> None:
    assert not gone("elsewhere:1:1")
    assert not gone(f"{socket.gethostname()}:not-a-pid")
    assert not gone(None)
