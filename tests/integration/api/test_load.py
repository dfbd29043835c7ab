"""Many clients at once, slow clients and racing clients, against a real API process (uvicorn) with a
small database pool, so that a connection held too long shows at once: no answer is a 5xx, and no
client's behaviour costs another one anything."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, func, select

from ingest.platform.models import Batch
from tests.integration.conftest import ApiProcess, Firm, Stack, wait_for
from tests.support.files import text_pdf

# Two connections in the pool, none more, and a short wait for one: a request that held a
# connection while its client sent a body would starve every other request within seconds.
TIGHT_POOL = {"BORDEREAU_DB_POOL_SIZE": "2", "BORDEREAU_DB_MAX_OVERFLOW": "0", "BORDEREAU_DB_POOL_TIMEOUT": "2"}


@pytest.fixture(scope="module")
def api(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    """One API process per stack for the module's tests (starting one takes seconds); each test
    uploads as accounts of its own, and waits until its own requests are answered."""
    env = {**TIGHT_POOL, "BORDEREAU_UPLOAD_MIN_RATE": "2000", "BORDEREAU_UPLOAD_GRACE": "1",
           "BORDEREAU_MAX_CONCURRENT_UPLOADS_PER_ACCOUNT": "32", "BORDEREAU_MAX_CONCURRENT_UPLOADS": "32"}
    server = ApiProcess(stack, tmp_path_factory.mktemp("load-api") / "api.log", env).start()
    yield server
    server.stop()


def _upload(url: str, firm: Firm, files: list[tuple[str, bytes]], key: str | None = None) -> httpx.Response:
    headers = {**firm.headers, **({"Idempotency-Key": key} if key else {})}
    with httpx.Client(timeout=60) as http:
        return http.post(f"{url}/v1/batches", data={"dossier_id": firm.dossier_id},
                         files=[("files", f) for f in files], headers=headers)


def _at_once(count: int, call: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(call, range(count)))


def test_sixteen_uploads_at_once_are_all_answered(api: ApiProcess, firm: Firm,
                                                  firm_factory: Callable[..., Firm]) -> None:
    """16 uploads at once used to answer 500 after 30 s: each held a database connection for its
    whole request, body included."""
    firms = [firm, firm_factory("Cabinet Martin")]
    answers = _at_once(16, lambda i: _upload(api.url, firms[i % 2], [(f"f{i}.pdf", text_pdf(f"Invoice {i}"))]))
    assert sorted({a.status_code for a in answers}) == [202], [a.text[:200] for a in answers if a.status_code != 202]


def test_uploads_over_an_accounts_share_are_told_to_come_back(stack: Stack, tmp_path: Path, firm: Firm) -> None:
    server = ApiProcess(stack, tmp_path / "api.log", {"BORDEREAU_MAX_CONCURRENT_UPLOADS_PER_ACCOUNT": "2",
                                                      "BORDEREAU_UPLOAD_GRACE": "30"}).start()
    try:
        with _trickling(server, firm, count=2):
            refused = _upload(server.url, firm, [("late.pdf", text_pdf())])
        assert refused.status_code == 429 and refused.json()["code"] == "too_many_uploads"
        assert int(refused.headers["Retry-After"]) > 0
        # Once those two have hung up, their places are free again.
        wait_for(lambda: _upload(server.url, firm, [("later.pdf", text_pdf())]).status_code == 202, 20,
                 what="the account's upload places to come free")
    finally:
        server.stop()


def test_slow_senders_are_cut_and_cost_no_one_else_anything(api: ApiProcess, firm: Firm, stack: Stack) -> None:
    """Uploads that trickle their body (a byte a second) used to hold every database connection: every
    other client's request answered 500 after 30 s and /readyz said the database was down."""
    with _trickling(api, firm, count=4) as trickles:
        with httpx.Client(timeout=30) as http:
            for _ in range(5):
                assert http.get(f"{api.url}/v1/batches", headers=firm.headers).status_code == 200
            ready = http.get(f"{api.url}/readyz")
            assert ready.json()["checks"]["database"] == "ok", ready.text
        answers = [t.answer() for t in trickles]
    assert all(a.startswith("HTTP/1.1 408") and "upload_too_slow" in a for a in answers), answers
    leftovers = list((stack.settings.resolved_data_dir() / "tmp").glob("upload-*"))
    assert leftovers == []  # what the slow uploads had spooled is gone


def test_uploads_racing_under_one_key_make_one_batch(api: ApiProcess, firm: Firm, stack: Stack) -> None:
    """20 uploads at once under one Idempotency-Key used to make one batch and answer 500 to most of
    the others (a unique violation outside the code that handled it)."""
    key = f"race-{uuid.uuid4().hex}"
    files = [("a.pdf", text_pdf("Invoice A")), ("b.pdf", text_pdf("Invoice B"))]
    answers = _at_once(20, lambda _: _upload(api.url, firm, files, key))
    assert {a.status_code for a in answers} == {202}, [a.text[:200] for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    with Session(stack.engine) as session:
        made = session.exec(select(func.count()).select_from(Batch).where(Batch.idempotency_key == key)).one()
    assert made == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 19


class _Trickle(threading.Thread):
    """An upload whose body comes a byte a second, on a raw socket."""

    def __init__(self, url: str, firm: Firm) -> None:
        super().__init__(daemon=True)
        self.port = int(url.rsplit(":", 1)[1])
        self.firm, self.stop_sending = firm, threading.Event()
        self.received = b""

    def run(self) -> None:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"dossier_id\"\r\n\r\n{self.firm.dossier_id}"
                f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"slow.pdf\"\r\n"
                f"Content-Type: application/pdf\r\n\r\n").encode() + text_pdf() * 20
        head = (f"POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: {self.firm.headers['Authorization']}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body) + 100}\r\n\r\n")
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as sock:
            sock.sendall(head.encode() + body[:200])
            sock.settimeout(1.0)
            for byte in body[200:]:
                if self.stop_sending.is_set():
                    return  # hang up
                try:
                    self.received += sock.recv(4096)
                    break  # answered: the server has given up on this body
                except TimeoutError:
                    sock.sendall(bytes([byte]))
                except OSError:
                    break
            sock.settimeout(10)
            try:
                while chunk := sock.recv(4096):
                    self.received += chunk
            except OSError:
                pass

    def answer(self) -> str:
        self.join(60)
        return self.received.decode(errors="replace")


class _trickling:  # noqa: N801  (a context manager, used as a statement)
    def __init__(self, server: ApiProcess, firm: Firm, count: int) -> None:
        self.trickles = [_Trickle(server.url, firm) for _ in range(count)]

    def __enter__(self) -> list[_Trickle]:
        for t in self.trickles:
            t.start()
        time.sleep(0.5)  # their headers are in: each holds its upload place
        return self.trickles

    def __exit__(self, *_: object) -> None:
        for t in self.trickles:
            t.stop_sending.set()
