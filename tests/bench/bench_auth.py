"""Cost of authentication: password hashing with our Argon2id parameters against pwdlib's defaults,
and what authenticating a request adds to it.

    .venv/bin/python -m tests.bench.bench_auth [--part hash|requests] [--rounds 25] [--requests 400]

Prints one JSON object, one key per part, all figures measured in this run:
- ``hash``: the median milliseconds of one ``hash_password``, one (successful) ``verify_password``
  and one ``verify_nothing`` with the parameters of ``ingest/accounts/passwords.py``, and of one
  hash and one verify with ``PasswordHash.recommended()`` (argon2-cffi's defaults, RFC 9106's
  low-memory profile), timed in alternation so that both see the same load; each side's Argon2
  parameters (memory in MiB) as read back from its hashes; and the ratios recommended / ours.
- ``requests``: the API in this process (FastAPI's test client, the embedded defaults in a
  temporary folder), the median and p99 milliseconds of ``GET /v1/auth/me`` with an API key and with
  a session cookie, and of ``GET /v1/echo``, which needs no credentials, timed in alternation; the
  ratios to the latter. There is no cache of the key or session lookup: each request reads the
  key (or session), its user and account, so that stopping one takes effect on the very next request.

Each part is a function of the parsed arguments returning its figures, listed in ``PARTS``: a part
is added as one more function there (and ``--part`` picks it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi.testclient import TestClient
from pwdlib import PasswordHash

from ingest.accounts.passwords import hash_password, verify_nothing, verify_password

PASSWORD = "correct horse battery staple"
_PARAMETERS = re.compile(r"\$m=(\d+),t=(\d+),p=(\d+)\$")


def _ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return 1000 * (time.perf_counter() - start)


def _parameters(hashed: str) -> dict[str, float]:
    """Argon2's parameters, as its encoded hash states them."""
    found = _PARAMETERS.search(hashed)
    assert found, hashed
    memory_kib, time_cost, parallelism = (int(g) for g in found.groups())
    return {"memory_mib": round(memory_kib / 1024, 1), "time_cost": time_cost, "parallelism": parallelism}


def _median(samples: list[float]) -> float:
    return round(statistics.median(samples), 1)


def bench_hash(args: argparse.Namespace) -> dict[str, Any]:
    recommended = PasswordHash.recommended()
    ours_hashed, their_hashed = hash_password(PASSWORD), recommended.hash(PASSWORD)
    assert verify_password(PASSWORD, ours_hashed) == (True, None) and recommended.verify(PASSWORD, their_hashed)
    verify_nothing(PASSWORD)  # makes its dummy hash once, before it is timed
    times: dict[str, list[float]] = {k: [] for k in ("hash", "verify", "verify_nothing", "rec_hash", "rec_verify")}
    for _ in range(args.rounds):
        times["hash"].append(_ms(lambda: hash_password(PASSWORD)))
        times["rec_hash"].append(_ms(lambda: recommended.hash(PASSWORD)))
        times["verify"].append(_ms(lambda: verify_password(PASSWORD, ours_hashed)))
        times["rec_verify"].append(_ms(lambda: recommended.verify(PASSWORD, their_hashed)))
        times["verify_nothing"].append(_ms(lambda: verify_nothing(PASSWORD)))
    ours = {**_parameters(ours_hashed), "hash_ms": _median(times["hash"]), "verify_ms": _median(times["verify"]),
            "verify_nothing_ms": _median(times["verify_nothing"])}
    theirs = {**_parameters(their_hashed), "hash_ms": _median(times["rec_hash"]),
              "verify_ms": _median(times["rec_verify"])}
    return {"rounds": args.rounds, "cpus": os.cpu_count(), "ours": ours, "recommended": theirs,
            "ratio_hash": round(theirs["hash_ms"] / ours["hash_ms"], 2),
            "ratio_verify": round(theirs["verify_ms"] / ours["verify_ms"], 2)}


def _p99(samples: list[float]) -> float:
    return round(sorted(samples)[int(0.99 * (len(samples) - 1))], 2)


def bench_requests(args: argparse.Namespace) -> dict[str, Any]:
    import tempfile
    import uuid
    from pathlib import Path

    from sqlmodel import Session

    from api.app import create_app
    from ingest.accounts.lifecycle import create_account
    from ingest.accounts.tables import User
    from ingest.accounts.users import set_initial_password
    from ingest.platform.db import make_engine
    from ingest.platform.settings import Settings

    with tempfile.TemporaryDirectory(prefix="bench-auth-") as tmp:
        # Brakes off, so that the failed sign-ins timed below are all checked.
        settings = Settings(data_dir=Path(tmp), queue_prefix=f"b{uuid.uuid4().hex[:8]}.",
                            login_attempts_per_user=10**9, login_attempts_per_address=10**9,
                            login_lockout_after=10**9)
        with TestClient(create_app(settings)) as client:
            engine = make_engine(settings.effective_database_url())
            with Session(engine) as session:
                new = create_account(session, "Bench", "firm", "bench@bench.test")
                user = session.get(User, new.user_id)
                assert user is not None
                set_initial_password(user, PASSWORD)
                user.password_initial = False
                session.add(user)
                session.commit()
                email = user.email
            engine.dispose()
            signed_in = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
            cookie = f"bordereau_session={signed_in.cookies['bordereau_session']}"
            client.cookies.clear()  # each call below says what it authenticates with
            calls = {"none": lambda: client.get("/v1/echo"),
                     "key": lambda: client.get("/v1/auth/me", headers={"Authorization": f"Bearer {new.api_key}"}),
                     "session": lambda: client.get("/v1/auth/me", headers={"Cookie": cookie})}
            for call in calls.values():  # warm up
                for _ in range(20):
                    assert call().status_code == 200
            times: dict[str, list[float]] = {k: [] for k in calls}
            for _ in range(args.requests):
                for name, call in calls.items():
                    times[name].append(_ms(call))
            logins = _failed_logins(client, email, args.rounds)
    figures = {name: {"p50_ms": _median(t), "p99_ms": _p99(t)} for name, t in times.items()}
    return {"requests": args.requests, "database": "sqlite (embedded defaults)", "cache": "none", **figures,
            "failed_login_p50_ms": logins,
            "ratio_key_p50": round(figures["key"]["p50_ms"] / figures["none"]["p50_ms"], 2),
            "ratio_session_p50": round(figures["session"]["p50_ms"] / figures["none"]["p50_ms"], 2)}


def _failed_logins(client: TestClient, email: str, rounds: int) -> dict[str, float]:
    """A wrong password for an address that has an account, and for one that has none: both should
    take the time of one Argon2 verify."""
    times: dict[str, list[float]] = {"known_email": [], "unknown_email": []}
    for i in range(rounds):
        for name, address in (("known_email", email), ("unknown_email", f"nobody{i}@bench.test")):
            times[name].append(_ms(partial(client.post, "/v1/auth/login",
                                           json={"email": address, "password": "not the password at all"})))
    return {name: _median(t) for name, t in times.items()}


PARTS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {"hash": bench_hash, "requests": bench_requests}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", action="append", choices=sorted(PARTS), help="a part to run (default: all)")
    parser.add_argument("--rounds", type=int, default=25, help="timings per figure (hash)")
    parser.add_argument("--requests", type=int, default=400, help="requests per figure (requests)")
    args = parser.parse_args()
    print(json.dumps({name: PARTS[name](args) for name in args.part or PARTS}))


if __name__ == "__main__":
    main()
