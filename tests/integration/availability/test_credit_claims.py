"""Credit claims on both stacks: the 7-day window after each KO hour, one claim per account
and month, the decision at the month's close, what billing reads, and isolation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from ingest.accounts.lifecycle import NewAccount
from ingest.availability.credit_claims import (
    GrantedCredit,
    decide_claims,
    granted_credits,
)
from tests.integration.availability.test_availability_api import (
    at_instant,
    month_of_measurements,
    new_operator,
    paris,
    store,
)
from tests.integration.conftest import Stack, auth

MINUTE = timedelta(minutes=1)
WEEK = timedelta(days=7)
SEPTEMBER_KO = [paris(2026, 9, 1, 9), paris(2026, 9, 30, 16)]  # 2 of 198 hours: 98.99 %, no credit
OCTOBER_KO = [paris(2026, 10, 5, 10), paris(2026, 10, 6, 14), paris(2026, 10, 7, 9),
              paris(2026, 10, 7, 10), paris(2026, 10, 20, 17)]  # 5 of 198 hours: 97.47 %


def claim(client: TestClient, account: NewAccount, month: str, at: object) -> dict[str, object]:
    at_instant(client, at)  # type: ignore[arg-type]
    resp = client.post("/v1/credit-claims", json={"month": month}, headers=auth(account.api_key))
    return {"status": resp.status_code, **resp.json()}


def test_the_claim_window_follows_each_ko_hour(client: TestClient, stack: Stack,
                                               account_factory: Callable[..., NewAccount]) -> None:
    store(stack, month_of_measurements(2026, 9, SEPTEMBER_KO))
    early, late, on_time = (account_factory(f"SAS {n}", "company") for n in ("Tôt", "Tard", "Juste"))
    last_end = SEPTEMBER_KO[-1] + timedelta(hours=1)

    # On 20 September only the first KO hour has ended, and its week is over.
    refused = claim(client, early, "2026-09", paris(2026, 9, 20, 12))
    assert (refused["status"], refused["code"]) == (422, "claim_window_closed")
    assert "2026-09-01T10:00:00+02:00" in str(refused["detail"])
    assert "2026-09-08T10:00:00+02:00" in str(refused["detail"])

    accepted = claim(client, on_time, "2026-09", last_end + WEEK - MINUTE)
    assert accepted["status"] == 201, accepted
    assert (accepted["month"], accepted["outcome"], accepted["decided_at"]) == ("2026-09", "pending", None)

    too_late = claim(client, late, "2026-09", last_end + WEEK + MINUTE)
    assert (too_late["status"], too_late["code"]) == (422, "claim_window_closed")
    assert "ended at 2026-09-30T17:00:00+02:00" in str(too_late["detail"])
    assert "until 2026-10-07T17:00:00+02:00" in str(too_late["detail"])

    repeated = claim(client, on_time, "2026-09", last_end + timedelta(days=1))
    assert (repeated["status"], repeated["code"]) == (409, "claim_exists")

    # The month is decided at the first close run after its end: 98.99 %, not below 98 %.
    with Session(stack.engine) as session:
        decide_claims(session, last_end + WEEK + timedelta(minutes=30))
    (decided,) = client.get("/v1/credit-claims", headers=auth(on_time.api_key)).json()["items"]
    assert (decided["id"], decided["outcome"], decided["credit_percent"]) == (accepted["id"], "refused", 0)
    assert (decided["availability_percent"], decided["ko_hours"], decided["counted_hours"]) == (98.99, 2, 198)
    assert "not below 98 %" in decided["message"]


def test_claims_are_refused_without_a_ko_hour_or_from_operators(client: TestClient, stack: Stack,
                                                                 account_factory: Callable[..., NewAccount],
                                                                 ) -> None:
    company = account_factory("SAS Futur", "company")
    future = claim(client, company, "2027-05", paris(2026, 11, 2, 9))  # nothing of May 2027 has ended
    assert (future["status"], future["code"]) == (422, "no_ko_hour")
    malformed = claim(client, company, "2027-13", paris(2026, 11, 2, 9))
    assert (malformed["status"], malformed["code"]) == (422, "invalid_month")
    shapeless = claim(client, company, "May 2027", paris(2026, 11, 2, 9))
    assert (shapeless["status"], shapeless["code"]) == (422, "invalid_request")
    operator = new_operator(stack)
    by_staff = claim(client, operator, "2026-10", paris(2026, 10, 8, 9))
    assert (by_staff["status"], by_staff["code"]) == (403, "clients_only")
    assert client.post("/v1/credit-claims", json={"month": "2026-10"}).status_code == 401


def test_a_month_below_98_grants_a_credit_at_its_close(client: TestClient, stack: Stack,
                                                       account_factory: Callable[..., NewAccount]) -> None:
    store(stack, month_of_measurements(2026, 10, OCTOBER_KO))
    claimant, other = account_factory("Cabinet Réclame"), account_factory("Cabinet Voisin")
    filed = claim(client, claimant, "2026-10", paris(2026, 10, 6, 9, 30))
    assert filed["status"] == 201, filed
    month_end = paris(2026, 11, 1)

    with Session(stack.engine) as session:
        decide_claims(session, month_end - MINUTE)  # the month is not over: nothing is decided
        assert granted_credits(session, claimant.account_id) == []
        assert decide_claims(session, month_end) >= 1
        assert granted_credits(session, claimant.account_id) == [GrantedCredit("2026-10", 10, str(filed["id"]))]
        assert granted_credits(session, other.account_id) == []
        assert decide_claims(session, month_end + timedelta(hours=1)) == 0  # decided once

    mine = client.get("/v1/credit-claims", headers=auth(claimant.api_key)).json()
    assert mine["total"] == 1
    (granted,) = mine["items"]
    assert (granted["outcome"], granted["credit_percent"], granted["availability_percent"]) == ("granted", 10, 97.47)
    assert datetime.fromisoformat(granted["decided_at"]) == month_end
    assert "below 98 %: a credit of 10 %" in granted["message"]
    # Isolation: the neighbour sees nothing of it; an operator sees it among all claims.
    assert client.get("/v1/credit-claims", headers=auth(other.api_key)).json()["items"] == []
    operator = auth(new_operator(stack).api_key)
    everything = client.get("/v1/credit-claims", params={"limit": 500}, headers=operator).json()["items"]
    assert [c["account_id"] for c in everything if c["id"] == filed["id"]] == [claimant.account_id]
