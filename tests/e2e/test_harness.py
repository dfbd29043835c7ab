"""The harness itself, on the static page at /ui/: the service answers, the browser renders, axe runs,
screenshots are written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Service, assert_accessible


def test_static_page_in_a_browser(service: Service, page: Page, shoot: Callable[[Page, str], Path]) -> None:
    response = page.goto(f"{service.url}/ui/")
    assert response is not None and response.ok, response
    expect(page.get_by_role("heading", level=1)).to_have_text("bordereau")
    assert_accessible(page)
    shot = shoot(page, "ui-desktop")
    assert shot.is_file() and shot.read_bytes().startswith(b"\x89PNG")


def test_static_page_on_a_phone(service: Service, mobile_page: Page, shoot: Callable[[Page, str], Path]) -> None:
    mobile_page.goto(f"{service.url}/ui/")
    assert mobile_page.viewport_size == {"width": 360, "height": 780}
    heading = mobile_page.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
    expect(heading).to_be_in_viewport()
    shoot(mobile_page, "ui-phone")


def test_static_page_fits_a_phone(service: Service, mobile_page: Page) -> None:
    mobile_page.goto(f"{service.url}/ui/")
    # Laid out at the screen's width: nothing to scroll sideways, text at its size.
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360
