"""Admin → Integrations in real Chromium: a card per integration with its health, one failing and recovering (by
"Test now" and by a scheduled probe the open page shows by itself), the Tautulli import with live progress, the AI
provider, and API tokens."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import reflex as rx
from playwright.sync_api import Page, expect

from smartplex.models import IntegrationKind
from smartplex.services import auth, notifications
from smartplex.services.integrations import probes, store
from smartplex.services.overseerr import gateway
from smartplex.simulators.overseerr import OverseerrSimulator
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.tautulli import TautulliSimulator
from tests import factories
from tests.browser.conftest import PHONE, shoot, shoot_quiet, sign_in
from tests.conftest import PASSWORD

TIMEOUT = 30_000


@dataclass
class Services:
    app_url: str
    admin: auth.UserView
    plex: PlexSimulator
    seerr: OverseerrSimulator
    tautulli: TautulliSimulator
    tautulli_url: str


@pytest.fixture
def services(app_url: str) -> Iterator[Services]:
    """The app with a Plex server and Seerr connected (Tautulli runs, to be connected from its card)."""
    plex = PlexSimulator(movies=40, shows=2, seasons=1, episodes=3, seed=11, friendly_name="Living Room", plays_per_account=30)
    seerr = OverseerrSimulator()
    with plex.serve(), seerr.serve():
        tautulli = TautulliSimulator.watching(plex, plex.machine_identifier)
        with tautulli.serve() as tautulli_server:
            gateway.reset()
            admin = auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
            factories.simulated_server(admin.id, plex)
            store.save(admin.id, IntegrationKind.OVERSEERR, base_url=seerr.url, secret=seerr.api_key)
            yield Services(app_url, admin, plex, seerr, tautulli, tautulli_server.url)
            gateway.reset()



def _connect_tautulli(page: Page, s: Services) -> None:
    page.fill("#tautulli-url", s.tautulli_url)
    page.fill("#tautulli-key", s.tautulli.api_key)
    page.click("#tautulli-save")


def test_one_integration_failing_and_recovering(page: Page, services: Services) -> None:
    app_url, admin, plex, tautulli = services.app_url, services.admin, services.plex, services.tautulli
    sign_in(page, app_url, admin.email, PASSWORD, "/admin/integrations")
    # Tautulli, connected from its card (the key is kept encrypted and shown masked)
    _connect_tautulli(page, services)
    expect(page.get_by_text("Tautulli v2.15.3 connected.")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#tautulli-badge")).to_have_text("Healthy", timeout=TIMEOUT)
    expect(page.locator("#tautulli-key")).to_have_attribute("placeholder", re.compile("Stored ••••"))
    assert tautulli.api_key not in page.content()
    page.click("#test-all")
    for badge in ("#tautulli-badge", "#seerr-badge"):
        expect(page.locator(badge)).to_have_text("Healthy", timeout=TIMEOUT)
    plex_badge = page.locator("[id^=plex-badge-]")
    expect(plex_badge).to_have_text("Healthy", timeout=TIMEOUT)
    expect(page.locator("#tautulli-health-summary")).to_contain_text(re.compile(r"Healthy · \d+ ms"))
    expect(page.locator("#tautulli-health")).to_contain_text("Version v2.15.3")
    expect(page.locator("#tautulli-health-sparkline .recharts-bar-rectangle").first).to_be_visible(timeout=TIMEOUT)

    # Tautulli starts failing: "Test now" says so in words, red
    tautulli.faults.status = 500
    page.click("#tautulli-health-test-now")
    expect(page.locator("#tautulli-badge")).to_have_text("Down", timeout=TIMEOUT)
    expect(page.locator("#tautulli-health-summary")).to_have_text("Tautulli failed: HTTP 500")
    # A scheduled probe while the page is open: it shows by itself, and the admins are told once
    with concurrent.futures.ThreadPoolExecutor(1) as scheduler:  # Playwright owns this thread's event loop
        scheduler.submit(asyncio.run, probes.probe_all(2.0)).result()
    expect(page.locator("#live-badge")).to_have_text("1", timeout=TIMEOUT)
    assert [n.title for n in notifications.recent(admin.id)] == ["Tautulli is down"]
    shoot_quiet(page, "integrations-failing-desktop")

    # ... and recovers
    tautulli.faults.reset()
    page.click("#tautulli-health-test-now")
    expect(page.locator("#tautulli-badge")).to_have_text("Healthy", timeout=TIMEOUT)
    expect(page.locator("#tautulli-health-failure")).to_contain_text("Tautulli failed: HTTP 500")  # the last failure stays readable
    expect(page.locator("#live-badge")).to_have_text("2", timeout=TIMEOUT)
    assert notifications.recent(admin.id)[0].title == "Tautulli is back"

    # A refused token is not "unreachable"
    plex.token = "changed-on-the-server"
    page.locator("[id^=plex-health-][id$=-test-now]").click()
    expect(plex_badge).to_have_text("Rejected", timeout=TIMEOUT)
    expect(page.locator("[id^=plex-health-][id$=-summary]")).to_have_text("Token rejected")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)
    shoot_quiet(page, "integrations-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#color-mode")
    page.wait_for_timeout(400)
    shoot_quiet(page, "integrations-dark")


def test_tautulli_import_with_live_progress_and_the_ai_provider(page: Page, services: Services, html_server: str) -> None:
    app_url, admin, tautulli = services.app_url, services.admin, services.tautulli
    for n in range(1200):  # a history of several pages
        tautulli.add_row({"media_type": "movie", "rating_key": str(900_000 + n), "stopped": 1_700_000_000 + n * 60,
                          "user_id": 5129384, "full_title": f"Film {n} 千と千尋"})  # fmt: skip
    tautulli.faults.latency = 0.3
    sign_in(page, app_url, admin.email, PASSWORD, "/admin/integrations")
    _connect_tautulli(page, services)
    expect(page.locator("#tautulli-import")).to_be_visible(timeout=TIMEOUT)
    page.click("#tautulli-import")
    expect(page.locator("#tautulli-progress-text")).to_contain_text(re.compile(r"\d+ of \d+ rows read"), timeout=TIMEOUT)
    shoot(page, "integrations-tautulli-importing", full_page=False)
    expect(page.locator("#tautulli-import-result")).to_contain_text("rows of Tautulli's history", timeout=60_000)
    expect(page.locator("#tautulli-import-result")).to_contain_text("plays added")

    # The AI provider: an address that answers a sign-in page is named for what it is
    page.fill("#ai-url", html_server)
    page.fill("#ai-model", "llama3.1:8b")
    page.click("#ai-save")
    expect(page.locator("#ai-badge")).to_have_text("Down", timeout=TIMEOUT)
    expect(page.locator("#ai-health-summary")).to_contain_text("Answered HTML, not an OpenAI-compatible API")
    page.fill("#ai-model", "two words")
    page.click("#ai-save")
    expect(page.locator("#ai-form-error")).to_contain_text("Enter the model's name", timeout=TIMEOUT)
    shoot_quiet(page, "integrations-tautulli-ai-desktop")


def test_api_tokens_are_shown_once_and_work_with_the_test_api(page: Page, services: Services) -> None:
    app_url, admin = services.app_url, services.admin
    sign_in(page, app_url, admin.email, PASSWORD, "/admin/integrations")
    page.fill("#token-name", "Uptime Kuma")
    page.click("#token-create")
    field = page.locator("#new-api-token")
    expect(field).to_be_visible(timeout=TIMEOUT)
    expect(field).to_have_value(re.compile(r"^spx_"), timeout=TIMEOUT)
    token = field.input_value()
    expect(page.locator("#api-tokens")).to_contain_text("Uptime Kuma")
    shoot(page, "integrations-api-token", full_page=False)
    api = rx.config.get_config().api_url.rstrip("/")
    seerr_id = next(t.integration_id for t in probes.targets() if t.kind == "overseerr")
    answer = httpx.post(f"{api}/api/integrations/{seerr_id}/test", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["status"] == "ok"
    page.click("#token-done")
    expect(field).to_be_hidden()
    assert field.input_value() == ""
    page.locator("[id^=revoke-]").click()
    expect(page.get_by_text("Token revoked")).to_be_visible(timeout=TIMEOUT)
    assert httpx.post(f"{api}/api/integrations/{seerr_id}/test", headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 401
