"""``bordereau export journal``: a dossier's purchase journal for a period, as a FEC or a CSV file.

A client of the service, like ``upload``: it asks the API with the account's key (so it sees only
the account's dossiers) and writes the streamed answer to a file named as the service names it
(``{SIREN}FEC{to}.txt`` for a FEC). The file appears only once complete: it is written beside
under a temporary name and renamed, so an interrupted download leaves no half journal behind.

Exit codes: 0 written; 1 the service refused (its sentence is printed); 2 bad arguments or an
unreachable service.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import typer

from cli.errors import die
from cli.login import DEFAULT_API_URL, NOT_SIGNED_IN, key_in_effect, sentence

if TYPE_CHECKING:  # loaded by the command itself: `bordereau --help` stays fast
    import httpx

export_app = typer.Typer(no_args_is_help=True, help="Take a dossier's books out of the service.")
FORMATS = ("fec", "csv")


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        die(f"{option} {value!r}: expected a date as YYYY-MM-DD", 2)


def http_client(api_url: str) -> httpx.Client:
    """The client the command talks through (a test hands its own)."""
    import httpx

    return httpx.Client(base_url=api_url, timeout=httpx.Timeout(300, connect=10))


def attachment_name(disposition: str | None, fallback: str) -> str:
    """The file name a ``Content-Disposition`` gives (its UTF-8 form first), folder parts dropped."""
    found = re.search(r"filename\*=UTF-8''([^;]+)", disposition or "") or re.search(r'filename="([^"]+)"',
                                                                                     disposition or "")
    name = unquote(found.group(1)) if found else fallback
    return Path(name.replace("\\", "/")).name or fallback


def _target(output: Path | None, name: str) -> Path:
    if output is None:
        return Path.cwd() / name
    return output / name if output.is_dir() else output


@export_app.command("journal")
def journal(dossier: str = typer.Option(..., "--dossier", help="Dossier id"),
            start: str = typer.Option(..., "--from", help="First invoice date of the period (YYYY-MM-DD)"),
            end: str = typer.Option(..., "--to", help="Last invoice date of the period, included (YYYY-MM-DD)"),
            fmt: str = typer.Option("fec", "--format", help="fec (the tax administration's layout) or csv"),
            output: Path | None = typer.Option(None, "--output", "-o",
                                               help="A file, or a folder for the service's file name "
                                                    "(default: that name in the current folder)"),
            api_url: str | None = typer.Option(None, envvar="BORDEREAU_API_URL",
                                               help=f"The service (default: the one signed in to, else "
                                                    f"{DEFAULT_API_URL})"),
            api_key: str | None = typer.Option(None, envvar="BORDEREAU_API_KEY",
                                               help="Bearer key of your account (default: the one "
                                                    "`bordereau login` stored)")) -> None:
    """Write a dossier's purchase journal (entries held for review are left out: see the API's /review)."""
    if fmt not in FORMATS:
        die(f"--format {fmt!r}: expected fec or csv", 2)
    params = {"from": _day(start, "--from").isoformat(), "to": _day(end, "--to").isoformat(), "format": fmt}
    key = key_in_effect(api_key, api_url)
    if key is None:
        die(NOT_SIGNED_IN, 2)
    client = http_client(key.api_url)
    try:
        written = _download(client, f"/v1/dossiers/{dossier}/journal", params, key.api_key, output)
    finally:
        client.close()
    typer.echo(str(written))


def _download(client: httpx.Client, path: str, params: dict[str, str], api_key: str, output: Path | None) -> Path:
    import httpx

    try:
        with client.stream("GET", path, params=params, headers={"Authorization": f"Bearer {api_key}"}) as resp:
            if resp.status_code != 200:
                resp.read()
                die(sentence(resp), 1)
            target = _target(output, attachment_name(resp.headers.get("content-disposition"), "journal.txt"))
            partial = target.with_name(f".{target.name}.part")
            with partial.open("wb") as out:
                for chunk in resp.iter_bytes():
                    out.write(chunk)
    except httpx.TransportError as exc:
        die(f"cannot reach the service at {str(client.base_url).rstrip('/')} ({exc or type(exc).__name__}).", 2)
    os.replace(partial, target)
    return target
