"""The operators' console in a real browser: an operator signs in, sees the day's watch list and
announces a maintenance window, which every page then shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from ingest.accounts.lifecycle import create_operator
from ingest.contract.calendar import PARIS
from ingest.support.tables import MaintenanceWindow
from tests.e2e.conftest import Service, assert_accessible
from tests.e2e.people import sign_in_first_time

Shoot = Callable[[Page, str], Path]


def test_an_operator_watches_the_day_and_announces_maintenance(service: Service, page: Page, shoot: Shoot) -> None:
    service.new_account("Cabinet Vidal")  # an account for the list
    with Session(service.engine) as session:
        operator = create_operator(session, "ops-console@example.test", initial_password=True)
    sign_in_first_time(page, service, "ops-console@example.test", str(operator.initial_password))
    page.get_by_role("link", name="Opérations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Console des opérateurs")
    expect(page.get_by_role("row", name=re.compile("Cabinet Vidal"))).to_be_visible()
    assert_accessible(page)
    shoot(page, "ops-console")

    start = (datetime.now(UTC) + timedelta(hours=20)).astimezone(PARIS).replace(second=0, microsecond=0)
    page.get_by_label("Début (heure de Paris)").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Fin (heure de Paris)").fill((start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ce que les clients liront").fill("Changement de serveur.")
    page.get_by_role("button", name="Annoncer la maintenance").click()
    banner = page.get_by_role("complementary", name="Maintenance")
    expect(banner).to_contain_text(f"Maintenance prévue du {start.strftime('%d/%m/%Y %H:%M')}")
    expect(banner).to_contain_text("Changement de serveur.")
    shoot(page, "ops-maintenance-announced")
    with Session(service.engine) as session:  # the banner is for this test only
        for row in session.exec(select(MaintenanceWindow)).all():
            session.delete(row)
        session.commit()
