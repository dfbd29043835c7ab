"""What the service costs doing nothing: CPU seconds of `bordereau serve`'s processes over a minute
with no upload, against a bare uvicorn serving one route over the same minute, in the same run.

    .venv/bin/python -m tests.bench.bench_idle [--seconds 60]

Prints one JSON object: each side's CPU seconds and share of one core, the ratio, and the serve
side by process (api, each worker and its pool, beat), so that a regression names its process.
Both start on a fresh embedded data folder and are measured after a warm-up (start-up excluded).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from ingest.platform.processes import stat_fields

REPO = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP_S = 20
HELLO_APP = '''async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})
'''


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and of its reaped children: fields 4 and 14–17)."""
    fields = stat_fields(pid)
    return (int(fields[1]), sum(int(f) for f in fields[11:15]) / TICKS) if fields else None


def _tree(root: int) -> dict[int, float]:
    """CPU seconds of `root` and every process under it, by pid."""
    stats = {pid: s for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()) if (s := _stat(pid))}
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _) in stats.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                frontier.append(pid)
    return {pid: stats[pid][1] for pid in found if pid in stats}


def _name(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    words = [a.decode() for a in argv if a]
    if "cli.main" in words:
        rest = words[words.index("cli.main") + 1:]
        return " ".join(rest[:1] + (["bulk"] if "bulk" in rest else []))
    return "pool child" if words and "python" in words[0] else " ".join(words[:2])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _running(args: list[str], url: str, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(args, cwd=REPO, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            raise RuntimeError(f"{args} did not answer on {url}")
        time.sleep(WARM_UP_S)
        yield process
    finally:
        process.terminate()
        process.wait(60)


def _measure(process: subprocess.Popen[bytes], seconds: float) -> dict[str, object]:
    before = _tree(process.pid)
    time.sleep(seconds)
    after = _tree(process.pid)
    by_process: dict[str, float] = {}
    for pid, cpu in after.items():
        name = _name(pid)
        by_process[name] = by_process.get(name, 0.0) + cpu - before.get(pid, 0.0)
    total = sum(by_process.values())
    return {"cpu_s": round(total, 2), "share_of_a_core": round(total / seconds, 4),
            "by_process": {name: round(cpu, 2) for name, cpu in sorted(by_process.items())}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    seconds = parser.parse_args().seconds
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        serve = [sys.executable, "-m", "cli.main", "serve", "--port", str(port)]
        with _running(serve, f"http://127.0.0.1:{port}/healthz", {"BORDEREAU_DATA_DIR": tmp}) as process:
            service = _measure(process, seconds)
        (Path(tmp) / "hello_app.py").write_text(HELLO_APP)
        port = _free_port()
        bare = [sys.executable, "-m", "uvicorn", "--app-dir", tmp, "hello_app:app", "--port", str(port),
                "--log-level", "warning"]
        with _running(bare, f"http://127.0.0.1:{port}/", {}) as process:
            baseline = _measure(process, seconds)
    ratio = service["cpu_s"] / baseline["cpu_s"] if baseline["cpu_s"] else None  # type: ignore[operator]
    print(json.dumps({"seconds": seconds, "serve": service, "bare_uvicorn": baseline,
                      "ratio": round(ratio, 1) if ratio else None}, indent=2))


if __name__ == "__main__":
    main()
