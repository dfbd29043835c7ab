"""The harness of the end-to-end tests: the real service in processes of its own on the embedded
defaults (SQLite, local object folder, SQLite broker; no server needed), and Debian's chromium driven
by Playwright (``apt-get install chromium``; Playwright never downloads a browser here).

Fixtures: ``service`` (``url``, ``settings``, ``engine``, ``new_account``), ``browser``, ``page``
(desktop, 1280x800, fr-FR, Europe/Paris), ``mobile_page`` (a phone, 360 px wide), ``make_page`` (any
other size) and ``shoot(page, name)`` (a full-page PNG in the session's screenshot folder, printed at
the end of the run). ``check_accessibility`` and ``assert_accessible`` run axe-core's WCAG 2.0/2.1 A
and AA rules on a page; import them from here.

A test that fails while it has pages open leaves a ``FAILED-...png`` of each in the screenshot folder.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Collection, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.accounts.lifecycle import NewAccount, create_account
from ingest.platform.db import make_engine, migrate
from ingest.platform.settings import Settings
from ingest.store import open_store
from tests.integration.conftest import ApiProcess, Stack, WorkerProcess, wait_for

VENDOR = Path(__file__).with_name("vendor")
AXE_JS = VENDOR / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
DEBIAN_CHROMIUM = "/usr/bin/chromium"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 780}

_shots_key = pytest.StashKey["Screenshots"]()
_started_key = pytest.StashKey[float]()
_failed_key = pytest.StashKey[bool]()


# ---------------------------------------------------------------------------------------------------
# The service


@dataclass
class Service:
    """The running service: its API at `url`, a worker, and the stack they share (settings, a SQLModel
    engine on the same SQLite database, the object store)."""

    url: str
    stack: Stack
    api: ApiProcess
    worker: WorkerProcess

    @property
    def settings(self) -> Settings:
        return self.stack.settings

    @property
    def engine(self) -> Engine:
        return self.stack.engine

    def new_account(self, name: str = "Cabinet Durand", kind: str = "firm", email: str | None = None) -> NewAccount:
        """An account with its first administrator, who has an initial password (to be changed at the
        first login) and an API key: ``NewAccount(account_id, user_id, api_key, initial_password)``."""
        email = email or f"admin-{uuid.uuid4().hex[:8]}@example.test"
        with Session(self.engine) as session:
            return create_account(session, name, kind, email, initial_password=True)

    def logs(self) -> str:
        """The end of the API's and the worker's logs, for a failure message."""
        return f"--- api ---\n{self.api.log()}\n--- worker ---\n{self.worker.log()}"


def embedded_stack(tmp: Path) -> Stack:
    """The ``stack`` fixture's "embedded" stack (tests/integration/conftest.py), in `tmp`."""
    settings = Settings(data_dir=tmp / "data", queue_prefix=f"t{uuid.uuid4().hex[:8]}.")
    migrate(settings.effective_database_url())
    store = open_store(settings)
    ensure = getattr(store, "ensure_bucket", None)
    if ensure:
        ensure()
    return Stack("embedded", settings, make_engine(settings.effective_database_url()), store)


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[Service]:
    """``bordereau api`` on a free port of loopback and ``bordereau worker``, on the embedded defaults in
    a temporary data folder; ready once ``/healthz`` answers. Beat is not started (see
    tests/support/load.py ``BeatStandIn`` for a test that needs its periodic jobs)."""
    started = time.monotonic()
    tmp = tmp_path_factory.mktemp("e2e-service")
    stack = embedded_stack(tmp)
    worker = WorkerProcess(stack, tmp / "worker.log", concurrency=1, queues="daily,bulk,ops")
    worker.start()
    api = ApiProcess(stack, tmp / "api.log")
    try:
        api.start()  # waits for /healthz
        wait_for(lambda: worker.proc is None or worker.proc.poll() is not None or " ready." in worker.log(), 60,
                 what=f"the worker to log that it is ready (see {worker.log_path})")
        if worker.proc is None or worker.proc.poll() is not None:
            raise AssertionError(f"the worker stopped at its start:\n{worker.log()}")
    except BaseException:
        api.stop()
        worker.stop()
        stack.engine.dispose()
        raise
    pytestconfig.stash[_started_key] = time.monotonic() - started
    yield Service(api.url, stack, api, worker)
    api.stop()
    # The worker's warm shutdown takes some 7 s on the SQLite broker (tests/integration covers it); its
    # data folder is thrown away, so end its process group at once.
    worker.stop(sig=9)
    stack.engine.dispose()


# ---------------------------------------------------------------------------------------------------
# The browser


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium (``apt-get install chromium``, done by ``infra/setup --test``)."""
    path = DEBIAN_CHROMIUM if os.access(DEBIAN_CHROMIUM, os.X_OK) else shutil.which("chromium")
    if path:
        return path
    why = ("Debian's chromium is not installed (no /usr/bin/chromium, none on PATH): "
           "run infra/setup --test as root, or apt-get install chromium fonts-liberation")
    if os.environ.get("CI"):
        pytest.fail(why + " (CI is set: the browser tests must run)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    # As root, chromium refuses to start with its sandbox.
    args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=args)
        yield launched
        launched.close()


@pytest.fixture
def make_page(browser: Browser, request: pytest.FixtureRequest, shots: Screenshots) -> Iterator[Callable[..., Page]]:
    """``make_page(width=1280, height=800, **context_options) -> Page``: a page in a fresh browser context
    (its own cookies and storage) in French, on Paris time. Closed at the end of the test, after a
    screenshot of each page if the test failed."""
    contexts: list[BrowserContext] = []

    def make(width: int = DESKTOP["width"], height: int = DESKTOP["height"], **options: Any) -> Page:
        options = {"locale": "fr-FR", "timezone_id": "Europe/Paris", **options}
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = request.node.stash.get(_failed_key, False)
    for context in contexts:
        for n, open_page in enumerate(context.pages):
            if failed and not open_page.is_closed():
                try:
                    shots.take(open_page, f"FAILED-{request.node.name}" + (f"-{n}" if n else ""))
                except Exception:  # noqa: BLE001 - a page that cannot be shot must not hide the failure
                    pass
        context.close()


@pytest.fixture
def page(make_page: Callable[..., Page]) -> Page:
    """A desktop page: 1280x800, fr-FR, Europe/Paris."""
    return make_page()


@pytest.fixture
def mobile_page(make_page: Callable[..., Page]) -> Page:
    """A phone's page: 360x780 CSS pixels, touch, mobile viewport rules (a page without
    ``<meta name="viewport">`` is laid out 980 px wide and shrunk, as on a real phone)."""
    return make_page(PHONE["width"], PHONE["height"], is_mobile=True, has_touch=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_failed_key] = True
    return report


# ---------------------------------------------------------------------------------------------------
# Screenshots


@dataclass
class Screenshots:
    """The session's screenshot folder: ``$BORDEREAU_SCREENSHOTS``, else ``<pytest tmp base>/screenshots``."""

    folder: Path
    taken: list[Path] = field(default_factory=list)

    def take(self, page: Page, name: str) -> Path:
        stem = re.sub(r"[^\w.-]+", "-", name).strip("-.") or "page"
        path = self.folder / f"{stem}.png"
        n = 1
        while path in self.taken:  # the same name twice in a session: keep both
            n += 1
            path = self.folder / f"{stem}-{n}.png"
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Screenshots:
    env = os.environ.get("BORDEREAU_SCREENSHOTS")
    folder = Path(env).expanduser().resolve() if env else tmp_path_factory.getbasetemp() / "screenshots"
    screenshots = Screenshots(folder)
    pytestconfig.stash[_shots_key] = screenshots
    return screenshots


@pytest.fixture
def shoot(shots: Screenshots) -> Callable[[Page, str], Path]:
    """``shoot(page, name) -> Path``: a full-page PNG named `name` in the session's screenshot folder."""
    return shots.take


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    started = config.stash.get(_started_key, None)
    if started is not None:
        terminalreporter.write_line(f"e2e: the service (api + worker) answered {started:.1f} s after its start")
    screenshots = config.stash.get(_shots_key, None)
    if screenshots is not None and screenshots.taken:
        terminalreporter.write_line(f"e2e: {len(screenshots.taken)} screenshot(s) in {screenshots.folder}")


# ---------------------------------------------------------------------------------------------------
# Accessibility

_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: tags, resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.flat().join(" >>> "), summary: n.failureSummary || ""})),
  }));
}"""


def check_accessibility(page: Page, tags: Collection[str] = WCAG_TAGS) -> list[dict[str, Any]]:
    """axe-core's violations of the WCAG 2.0 and 2.1 A and AA rules on the page as it is now: each a dict
    with ``id``, ``impact``, ``help``, ``helpUrl`` and ``nodes`` (``target``: a CSS selector,
    ``summary``: how to fix it).

    The vendored axe (tests/e2e/vendor) is evaluated through Playwright rather than added as a
    ``<script>`` (``page.add_script_tag``): the pages' Content-Security-Policy forbids inline scripts,
    which would refuse that tag and leave a violation report behind; evaluation bypasses the policy
    without weakening it for the page's own scripts."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n//# sourceURL=axe.min.js")
    violations: list[dict[str, Any]] = page.evaluate(_RUN_AXE, list(tags))
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}" + (f": {summary}" if summary else ""))
    return "\n".join(lines)


def assert_accessible(page: Page, ignore: Collection[str] = ()) -> None:
    """Fails with a readable list unless axe finds no WCAG 2.0/2.1 A or AA violation (except the rule ids
    in `ignore`)."""
    violations = [v for v in check_accessibility(page) if v["id"] not in ignore]
    if violations:
        raise AssertionError(f"{len(violations)} accessibility violation(s) on {page.url}:\n{describe(violations)}")
