"""The availability page in a real browser: the month's grid with its KO hour, the rate and the
credit, the claim filed with its button; and the maintenance banner."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from sqlmodel import Session

from ingest.accounts.lifecycle import create_operator
from ingest.availability.probes import store_measurements
from ingest.contract.availability import working_hours
from ingest.contract.calendar import PARIS
from ingest.support.tables import MaintenanceWindow
from tests.e2e.conftest import Service, assert_accessible
from tests.e2e.people import email_of, sign_in_first_time
from tests.integration.availability.test_availability_api import month_of_measurements

Shoot = Callable[[Page, str], Path]


def _last_ended_hours(now: datetime, count: int) -> list[datetime]:
    """The latest working hours that have ended, in one month: whatever the day the test runs, a
    claim for them is open."""
    local = now.astimezone(PARIS)
    for year, month in ((local.year, local.month), _previous(local.year, local.month)):
        ended = [start for start in working_hours(year, month) if start + timedelta(hours=1) <= now]
        if len(ended) >= count:
            return ended[-count:]
    raise AssertionError("not enough working hours ended in two months")


def _previous(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def test_the_month_grid_the_claim_and_the_maintenance_banner(service: Service, page: Page, shoot: Shoot) -> None:
    now = datetime.now(UTC)
    ko = _last_ended_hours(now, 5)  # enough to fall below 98 % in any month
    local = ko[-1].astimezone(PARIS)
    with Session(service.engine) as session:
        store_measurements(session, [m for m in month_of_measurements(local.year, local.month, ko) if m.at < now],
                           "e2e")
        session.commit()
        operator = create_operator(session, "ops-availability@example.test")
    start = now + timedelta(hours=30)
    announced = httpx.post(f"{service.url}/v1/maintenance", headers={"Authorization": f"Bearer {operator.api_key}"},
                           json={"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(),
                                 "description": "Mise à jour du stockage."})
    assert announced.status_code == 201, announced.text

    account = service.new_account("Cabinet Fabre")
    sign_in_first_time(page, service, email_of(service, account), str(account.initial_password))
    expect(page.get_by_role("complementary", name="Maintenance")).to_contain_text("Mise à jour du stockage.")
    page.get_by_role("link", name="Disponibilité").click()
    month = f"{local.year:04d}-{local.month:02d}"
    if not page.url.endswith(month):
        page.goto(f"{service.url}/app/availability?month={month}")
    day_row = page.get_by_role("row", name=local.strftime("%d/%m"))
    expect(day_row.locator("td.h-ko")).to_have_count(sum(h.date() == ko[-1].date() for h in ko))
    expect(page.get_by_text("ouvre droit à un avoir de 10 %")).to_be_visible()
    assert_accessible(page)
    shoot(page, "availability")

    page.get_by_role("button", name="Demander l'avoir de ce mois").click()
    expect(page.get_by_text(re.compile(r"Votre demande du \d\d/\d\d/20\d\d \d\d:\d\d est enregistrée"))).to_be_visible()
    expect(page.get_by_role("button", name="Demander l'avoir de ce mois")).to_have_count(0)
    shoot(page, "availability-claimed")
    with Session(service.engine) as session:  # the banner would show on every later test's pages
        session.delete(session.get(MaintenanceWindow, announced.json()["id"]))
        session.commit()

