"""The account's usage and statements in a real browser: the gauge of an account over its plan, a
statement with its lines and credit, its PDF downloaded through the link, both pages accessible
(axe, WCAG 2.1 AA) and fitting a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import Session

from ingest.accounts.lifecycle import NewAccount
from ingest.billing.statements import issue_due
from ingest.billing.subscriptions import set_plan
from ingest.contract.periods import PARIS, period_bounds
from tests.e2e.conftest import Service, assert_accessible
from tests.e2e.people import email_of, sign_in_first_time
from tests.integration.billing.test_billing import PLAN, add_usage, ago
from tests.integration.web.test_account_billing_pages import grant_credit

Shoot = Callable[[Page, str], Path]


def _billed_account(service: Service, name: str) -> NewAccount:
    """An account two periods into a plan of 2 × 500 documents: period 0 went 43 documents over and
    closed with a credit, the current period is 43 over so far; its statements issued."""
    account = service.new_account(name)
    activation = ago(40)
    with Session(service.engine) as session:
        set_plan(session, account.account_id, PLAN, activation=activation)
    add_usage(service.stack, account, 1_043, period_bounds(activation, 0)[0], timedelta(minutes=30))
    add_usage(service.stack, account, 1_043, period_bounds(activation, 1)[0] + timedelta(seconds=1),
              timedelta(seconds=30))
    grant_credit(service.stack, account, f"{activation.astimezone(PARIS):%Y-%m}")
    with Session(service.engine) as session:
        issue_due(session, account.account_id)
    return account


def test_usage_then_a_statement_and_its_pdf(service: Service, page: Page, shoot: Shoot) -> None:
    account = _billed_account(service, "Cabinet Lefèvre & Fils")
    sign_in_first_time(page, service, email_of(service, account), str(account.initial_password))

    page.get_by_role("link", name="Consommation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consommation")
    gauge = page.get_by_role("img", name=re.compile(r"1\s043 documents traités sur 1\s000 inclus"))
    expect(gauge).to_be_visible()
    expect(page.locator(".figures .over dd").last).to_have_text(re.compile(r"20,64\s€"))
    expect(page.get_by_text("Forfait entièrement consommé le")).to_be_visible()
    past = page.locator("section[aria-labelledby=usage-past] tbody tr")
    expect(past).to_have_count(1)  # period 0, closed, with its 43 documents over
    expect(past).to_contain_text(re.compile(r"1\s043.*43.*20,64\s€", re.S))
    assert_accessible(page)
    shoot(page, "usage")

    page.get_by_role("link", name="Relevés").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Relevés")
    page.get_by_role("link", name="Relevé n° 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Relevé n° 2")
    expect(page.get_by_role("row", name=re.compile("Documents au-delà du forfait"))).to_contain_text("43")
    expect(page.get_by_role("row", name=re.compile("Total du relevé"))).to_contain_text(re.compile(r"290,64\s€"))
    assert_accessible(page)
    shoot(page, "statement")

    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger le PDF").click()
    download = info.value
    assert download.suggested_filename == "releve-2.pdf"
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"%PDF") and b"%%EOF" in body[-32:]


def test_usage_and_a_statement_fit_a_phone(service: Service, mobile_page: Page, shoot: Shoot) -> None:
    account = _billed_account(service, "Cabinet Petit")
    sign_in_first_time(mobile_page, service, email_of(service, account), str(account.initial_password))
    mobile_page.goto(f"{service.url}/app/usage")
    expect(mobile_page.get_by_role("heading", level=1)).to_have_text("Consommation")
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(mobile_page, "phone-usage")
    mobile_page.goto(f"{service.url}/app/statements")
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(mobile_page, "phone-statements")
    mobile_page.get_by_role("link", name="Relevé n° 2").click()
    expect(mobile_page.get_by_role("heading", level=1)).to_have_text("Relevé n° 2")
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(mobile_page, "phone-statement")
