"""The real app (frontend built once per session, backend on a free port) driven by Playwright in the
Chromium that scripts/setup_tests.py brought (Debian's, or one from the npm registry). Every test here is
marked `browser`; `make test-quick` skips them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from reflex.testing import AppHarness

from scripts.setup_tests import Browser, recorded_browser
from smartplex.config import PROJECT_ROOT
from tests.conftest import OUTPUT, _SCRATCH, use_database, wipe

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 720}  # Playwright's default
SCREENSHOTS = OUTPUT / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Browser:
    browser = recorded_browser()
    if browser is None:
        pytest.fail("no Chromium set up: run `make test` (or scripts/setup_tests.py --browser)")
    return browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, chromium: Browser) -> dict:
    return {**browser_type_launch_args, **chromium.launch_options()}


@pytest.fixture(scope="session")
def e2e_db_url(migrated_template: str, db_kind: str) -> str:
    if db_kind == "postgres":
        return migrated_template
    path = _SCRATCH / "e2e.db"
    shutil.copy(_SCRATCH / "template.db", path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def app_harness(e2e_db_url: str) -> Iterator[AppHarness]:
    use_database(e2e_db_url)
    harness = AppHarness.create(root=PROJECT_ROOT, app_name="smartplex")
    try:
        harness.start()
        yield harness
    finally:
        harness.stop()


@pytest.fixture
def app_url(app_harness: AppHarness, e2e_db_url: str) -> str:
    """The running app's URL, over an empty database (other tests may have moved the settings)."""
    use_database(e2e_db_url)
    wipe(e2e_db_url)
    assert app_harness.frontend_url
    # The dev backend answers on 127.0.0.1 (posters, webhooks); browse the same host so the session
    # cookie, which is per host and not per port, reaches it.
    return app_harness.frontend_url.rstrip("/").replace("//localhost:", "//127.0.0.1:")


def shoot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot for reviewers under test-output/screenshots/ (the whole page by default)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page: Page, app_url: str, email: str, password: str, then: str = "") -> None:
    """Sign in through the form and wait for the shell; then open `then` (a path) when given."""
    page.goto(f"{app_url}/login")
    page.wait_for_selector("#login-form", timeout=30_000)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_selector("#user-menu", timeout=30_000)
    if then:
        page.goto(f"{app_url}{then}")
        page.wait_for_selector("#page-title", timeout=30_000)


_HIDE_TOASTS = """() => { const s = document.createElement('style'); s.id = 'shoot-quiet';
  s.textContent = '[data-sonner-toaster] { visibility: hidden !important; }'; document.head.appendChild(s); window.scrollTo(0, 0); }"""


def shoot_quiet(page: Page, name: str, *, full_page: bool = True) -> Path:
    """`shoot` without the toasts, from the top of the page (a full-page shot of a scrolled page puts the sticky top
    bar mid-page). The toasts are hidden with a style of our own, never removed: React still owns them."""
    page.evaluate(_HIDE_TOASTS)
    try:
        return shoot(page, name, full_page=full_page)
    finally:
        page.evaluate("() => document.getElementById('shoot-quiet')?.remove()")
