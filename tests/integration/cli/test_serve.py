"""What a new user does first, on the embedded defaults: ``bordereau serve``,
create an account, upload a folder with ``--wait``, stop, start again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.integration.conftest import REPO, wait_for
from tests.support.files import scan, text_pdf
from tests.support.services import free_port


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDEREAU_")}
    env["BORDEREAU_DATA_DIR"] = str(data)
    return env


def _bordereau(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port)], env=env,
                                cwd=REPO, stdout=out, stderr=out)

    def up() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, 60, what=f"serve to answer; log:\n{log.read_text(errors='replace')[-3000:]}")
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(60)


def test_serve_upload_wait_stop_and_resume(tmp_path: Path) -> None:
    data, port, log = tmp_path / "data", free_port(), tmp_path / "serve.log"
    env = _env(data)
    serve = _start(env, port, log)
    try:
        created = _bordereau(env, "operator", "create-account", "--name", "Cabinet Martin", "--kind", "firm",
                             "--admin-email", "admin@martin.test")
        assert created.returncode == 0, created.stderr
        account = json.loads(created.stdout)
        assert set(account) >= {"account_id", "api_key"}
        headers = {"Authorization": f"Bearer {account['api_key']}"}
        dossier = httpx.post(f"http://127.0.0.1:{port}/v1/dossiers", json={"name": "SAS Lebrun"},
                             headers=headers).json()["id"]
        folder = tmp_path / "invoices"
        (folder / "march").mkdir(parents=True)
        (folder / "f1.pdf").write_bytes(text_pdf("Facture 1"))
        (folder / "march" / "f2.pdf").write_bytes(text_pdf("Facture 2"))
        (folder / "march" / "scan.jpg").write_bytes(scan("JPEG"))
        (folder / ".hidden.pdf").write_bytes(text_pdf("ignored"))
        env_client = {**env, "BORDEREAU_API_KEY": account["api_key"],
                      "BORDEREAU_API_URL": f"http://127.0.0.1:{port}"}
        upload = _bordereau(env_client, "upload", str(folder), "--dossier", dossier, "--wait")
        assert upload.returncode == 0, upload.stdout + upload.stderr
        batch_id = upload.stdout.split()[0]
        batch = httpx.get(f"http://127.0.0.1:{port}/v1/batches/{batch_id}", headers=headers).json()
        assert batch["state"] == "done" and batch["counts"]["processed"] == 3
    finally:
        code = _stop(serve)
    assert code == 0, log.read_text(errors="replace")[-3000:]
    assert (data / "bordereau.sqlite3").exists() and (data / "objects").is_dir()

    # Work left unfinished (as after a crash) is handed out again at the next start.
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{data / 'bordereau.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE documents SET state='processing', lease_token='x', leased_by='gone:1' "
                             "WHERE filename='f1.pdf'"))
    engine.dispose()
    serve = _start(env, port, log)
    try:
        doc = next(d for d in batch["documents"] if d["filename"] == "f1.pdf")
        wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/v1/documents/{doc['id']}",
                                   headers=headers).json()["attempts"] == 2, 60, what="resumed processing")
    finally:
        assert _stop(serve) == 0
