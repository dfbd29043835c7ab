"""``bordereau upload``: send files and folders in batches, optionally wait.

Each batch carries an Idempotency-Key made once for it, so a batch re-sent
after a network error is never recorded twice. Exit codes: 0 when every file was
accepted (and, with --wait, processed); 1 when some were rejected or failed;
2 for bad arguments or an unreachable server.

The key is --api-key (or BORDEREAU_API_KEY) when given, else the one ``bordereau login`` stored,
which goes to the service it was made on unless --api-url says otherwise; with neither, exit 2.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cli.errors import die
from cli.login import DEFAULT_API_URL, NOT_SIGNED_IN, key_in_effect

if TYPE_CHECKING:  # loaded by the command itself: `bordereau --help` stays fast
    import httpx
    from rich.console import Console
    from rich.progress import Progress

FINAL = ("processed", "rejected", "failed")


def collect(paths: list[Path]) -> list[Path]:
    """Files named, and files under folders named (hidden ones skipped), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file()
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            found.append(path)
        else:
            die(f"{path}: no such file or folder", 2)
    return found


def chunked(files: list[Path], size: int) -> Iterator[list[Path]]:
    for i in range(0, len(files), size):
        yield files[i:i + size]


# Answers worth sending the same batch again for (under its key): 408 too slow, 429 busy, 503 away.
RETRIED = frozenset({408, 429, 503})
SEND_ATTEMPTS = 10


def _post_batch(client: httpx.Client, files: list[Path], dossier: str, flow: str | None,
                total: int) -> dict[str, Any]:
    import httpx

    key = str(uuid.uuid4())
    # The whole upload's size: the server classifies each batch as part of it.
    data = {"dossier_id": dossier, "upload_total": str(total), **({"flow": flow} if flow else {})}
    for attempt in range(SEND_ATTEMPTS):
        with ExitStack() as stack:
            parts = [("files", (f.name, stack.enter_context(f.open("rb")))) for f in files]
            try:
                resp = client.post("/v1/batches", data=data, files=parts, headers={"Idempotency-Key": key})
            except httpx.TransportError as exc:
                if attempt == SEND_ATTEMPTS - 1:
                    die(f"cannot reach the server: {exc}", 2)
                time.sleep(min(2 ** attempt, 30))
                continue
        if resp.status_code in RETRIED and attempt < SEND_ATTEMPTS - 1:
            # Busy, slow, or the store or database away: the same key again, when the server says.
            time.sleep(float(resp.headers.get("Retry-After") or min(2 ** attempt, 30)))
            continue
        if resp.status_code != 202:
            die(_problem(resp), 2)
        answer: dict[str, Any] = resp.json()
        return answer
    die("the server stayed unavailable", 2)


def _problem(resp: httpx.Response) -> str:
    try:
        body = resp.json()
        return f"{body.get('code', resp.status_code)}: {body.get('detail', resp.text)}"
    except ValueError:
        return f"HTTP {resp.status_code}: {resp.text[:200]}"


def _wait(client: httpx.Client, batch_ids: list[str], total: int, progress: Progress) -> list[dict[str, Any]]:
    task = progress.add_task("processing", total=total)
    while True:
        batches = [client.get(f"/v1/batches/{b}").raise_for_status().json() for b in batch_ids]
        done = sum(b["counts"].get(s, 0) for b in batches for s in FINAL)
        progress.update(task, completed=done)
        if all(b["state"] == "done" for b in batches):
            return batches
        time.sleep(1.0)


def when(batch: dict[str, Any]) -> str:
    """The batch's promise in words: due time and expected finish (daily) or ETA (bulk)."""
    if batch.get("finished_at"):
        return f"finished {_at(batch['finished_at'])}" + (f" ({batch['sla_state']})" if batch.get("sla_state") else "")
    if batch.get("flow") == "daily":
        text = f"due {_at(batch['due_at'])}" if batch.get("due_at") else "no due time"
        if batch.get("eta"):
            text += f", expected {_at(batch['eta'])}"
        return text + (f" ({batch['sla_state']})" if batch.get("sla_state") else "")
    if batch.get("eta_earliest") and batch.get("eta_latest"):
        return (f"ETA between {_at(batch['eta_earliest'])} and {_at(batch['eta_latest'])}, "
                f"{BASES.get(batch.get('eta_basis') or '', 'an estimate')} (computed {_at(batch['eta_computed_at'])})")
    if batch.get("eta"):
        return f"ETA {_at(batch['eta'])} (computed {_at(batch['eta_computed_at'])})"
    return "ETA not yet computed"


# Why an ETA is a range: its basis (the API's eta_basis) in words.
BASES = {"borrowed": "from the daily flow's pace until this deployment's archives have been measured",
         "none": "nothing measured yet"}


def _at(value: str | None) -> str:
    if not value:
        return "?"
    return datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M")


def describe_flow(batch: dict[str, Any]) -> str:
    """One line per batch: its flow, the rule that set it, and when it will be done."""
    decision = batch.get("flow_decision") or {}
    reason = f"{decision['reason']}: " if decision.get("reason") else ""
    moved = f" (reclassified {_at(batch['reclassified_at'])})" if batch.get("reclassified_at") else ""
    return f"{batch['id'][:8]} {batch['flow']}{moved}: {reason}{decision.get('message', '')}; {when(batch)}"


def _report(batches: list[dict[str, Any]], console: Console) -> int:
    from rich.table import Table

    table = Table("batch", "flow", "documents", "processed", "rejected", "failed", "done", title="bordereau")
    bad = 0
    for b in batches:
        c = b["counts"]
        table.add_row(b["id"][:8], b["flow"], str(len(b["documents"])), str(c.get("processed", 0)),
                      str(c.get("rejected", 0) + len(b["rejected"])), str(c.get("failed", 0)), when(b))
        console.print(describe_flow(b))
        bad += c.get("rejected", 0) + c.get("failed", 0) + len(b["rejected"])
        for r in b["rejected"]:
            console.print(f"[yellow]refused[/] {r['filename']}: {r['reason']}: {r['message']}")
        for d in b["documents"]:
            if d["state"] in ("rejected", "failed"):
                console.print(f"[red]{d['state']}[/] {d['filename']}: {d.get('reason')}: {d.get('message')}")
    console.print(table)
    return 1 if bad else 0


def upload(paths: list[Path] = typer.Argument(..., help="Files and folders to send"),
           dossier: str = typer.Option(..., "--dossier", help="Dossier id the invoices belong to"),
           wait: bool = typer.Option(False, "--wait", help="Follow the documents to their final states"),
           flow: str = typer.Option(None, "--flow", help="Declare the batch 'bulk' (an archive)"),
           batch_size: int = typer.Option(100, "--batch-size", min=1, max=1000),
           api_url: str | None = typer.Option(None, envvar="BORDEREAU_API_URL",
                                              help="The service (default: the one signed in to, else "
                                                   f"{DEFAULT_API_URL})"),
           api_key: str | None = typer.Option(None, envvar="BORDEREAU_API_KEY",
                                              help="Bearer key of your account (default: the one "
                                                   "`bordereau login` stored)")) -> None:
    """Upload invoices (PDF, JPEG, PNG, TIFF, XML e-invoices, ZIP archives)."""
    key = key_in_effect(api_key, api_url)
    if key is None:
        die(NOT_SIGNED_IN, 2)
    files = collect(paths)
    if not files:
        die("no files to upload", 2)
    import httpx
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    headers = {"Authorization": f"Bearer {key.api_key}"}
    with httpx.Client(base_url=key.api_url, headers=headers, timeout=httpx.Timeout(120, connect=10)) as client, \
            Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                     console=console) as progress:
        sending = progress.add_task("uploading", total=len(files))
        answers = []
        for group in chunked(files, batch_size):
            answers.append(_post_batch(client, group, dossier, flow, len(files)))
            progress.advance(sending, len(group))
        if wait:
            for a in answers:  # before the wait: the client sees at once which case it is in
                progress.console.print(describe_flow(a))
            accepted = sum(len(a["documents"]) for a in answers)
            answers = _wait(client, [a["id"] for a in answers], accepted, progress)
    for a in answers:
        typer.echo(a["id"])
    raise typer.Exit(_report(answers, console))
