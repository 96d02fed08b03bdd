"""The onboarding wizard end to end against the Plex simulator, and the Plex admin page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from smartplex.services import auth, scheduler
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.server import ThreadedServer
from tests.browser.conftest import PHONE, shoot
from tests.conftest import PASSWORD
from tests.plex_fixtures import silent_server

TIMEOUT = 30_000
MOVIES, SHOWS, SEASONS, EPISODES = 240, 6, 2, 10


@pytest.fixture
def plex() -> Iterator[tuple[PlexSimulator, ThreadedServer]]:
    sim = PlexSimulator(movies=MOVIES, shows=SHOWS, seasons=SEASONS, episodes=EPISODES, seed=3, friendly_name="Living Room")
    with sim.serve() as server:
        yield sim, server


def _admin_signed_in(page: Page, app_url: str) -> None:
    auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
    page.goto(f"{app_url}/login")
    expect(page.locator("#login-form")).to_be_visible(timeout=TIMEOUT)
    page.fill("#email", "ada@example.com")
    page.fill("#password", PASSWORD)
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/onboarding$"), timeout=TIMEOUT)


def _start_first_sync(page: Page, sim: PlexSimulator, server: ThreadedServer) -> None:
    page.fill("#urls", server.url)
    page.fill("#token", sim.token)
    page.click("#test-connection")
    expect(page.locator("#candidates")).to_contain_text(server.url, timeout=TIMEOUT)
    page.click("#continue")
    page.click("#save-and-sync")


def test_wizard_connects_syncs_and_shows_the_webhook_url(page: Page, app_url: str, plex) -> None:
    sim, server = plex
    _admin_signed_in(page, app_url)
    expect(page.locator("#wizard-steps")).to_be_visible(timeout=TIMEOUT)
    shoot(page, "wizard-1-server")

    page.fill("#urls", f"http://127.0.0.1:9\n{server.url}")
    page.fill("#token", "not-the-token")
    page.click("#test-connection")
    expect(page.locator("#wizard-error")).to_contain_text("Plex rejected this token", timeout=TIMEOUT)
    candidates = page.locator("#candidates")  # each address's answer, right under the message
    expect(candidates).to_contain_text("token rejected")
    expect(candidates).to_contain_text("refused")
    expect(page.locator("#continue")).to_have_count(0)
    shoot(page, "wizard-1-token-rejected")

    page.fill("#token", sim.token)
    page.click("#test-connection")
    expect(candidates).to_contain_text("Living Room", timeout=TIMEOUT)
    expect(page.locator("#wizard-error")).to_have_count(0)
    page.click("#continue")
    expect(candidates).to_contain_text(server.url)
    expect(candidates).to_contain_text("127.0.0.1:9")
    assert sim.token not in page.content()
    shoot(page, "wizard-2-connection")

    page.click("#save-and-sync")
    expect(page.locator("#sync-progress")).to_be_visible(timeout=TIMEOUT)
    counts = page.locator("#library-counts")
    expect(counts).to_contain_text(str(MOVIES), timeout=60_000)
    expect(counts).to_contain_text(str(SHOWS * SEASONS))
    expect(counts).to_contain_text(str(SHOWS * SEASONS * EPISODES))
    total = MOVIES + SHOWS * (1 + SEASONS + SEASONS * EPISODES)
    expect(counts).to_contain_text(f"Items in all{total}")  # the cards add up to the synced total
    expect(page.locator("#sync-done")).to_contain_text(f"of {total:,} items")
    webhook = page.locator("#webhook-url")
    expect(webhook).to_contain_text("/api/webhooks/plex/")
    expect(page.locator("#webhook-local-warning")).to_contain_text("only works on this computer")
    assert sim.token not in page.content()
    shoot(page, "wizard-4-done")

    page.fill("#public-url", "http://192.168.1.20:3000/")
    page.click("#save-public-url")
    expect(webhook).to_contain_text("http://192.168.1.20:3000/api/webhooks/plex/", timeout=TIMEOUT)
    expect(page.locator("#webhook-local-warning")).to_have_count(0)

    page.click("#to-dashboard")
    expect(page.locator("#welcome")).to_be_visible(timeout=TIMEOUT)


def test_continue_as_soon_as_one_address_answers(page: Page, app_url: str, plex) -> None:
    """A silent address does not hold the wizard: the live one's answer shows at once and the admin goes on."""
    sim, server = plex
    _admin_signed_in(page, app_url)
    with silent_server() as silent:
        page.fill("#urls", f"{silent}\n{server.url}")
        page.fill("#token", sim.token)
        page.click("#test-connection")
        candidates = page.locator("#candidates")
        expect(candidates).to_contain_text("Living Room", timeout=2_000)
        expect(candidates).to_contain_text("checking…")  # the silent one is still being asked
        shoot(page, "wizard-1-checking")
        page.click("#continue")
        expect(page.locator("#save-and-sync")).to_be_visible()
        expect(candidates).to_contain_text("timeout", timeout=TIMEOUT)


def test_wizard_progress_bar_reaches_100_percent(page: Page, app_url: str, plex) -> None:
    sim, server = plex
    sim.faults.latency = 0.15
    _admin_signed_in(page, app_url)
    _start_first_sync(page, sim, server)
    expect(page.locator("#sync-counts")).to_contain_text(re.compile(r"[1-9]\d* / \d+ items"), timeout=TIMEOUT)
    shoot(page, "wizard-3-syncing")
    expect(page.locator("#sync-percent")).to_have_text("100%", timeout=60_000)
    expect(page.locator("#library-counts")).to_be_visible(timeout=TIMEOUT)


def test_wizard_sync_can_be_cancelled_and_retried(page: Page, app_url: str, plex) -> None:
    sim, server = plex
    sim.faults.latency = 0.4
    _admin_signed_in(page, app_url)
    _start_first_sync(page, sim, server)
    expect(page.locator("#sync-error")).to_have_count(0)  # no red box, no "Try again" while it starts
    expect(page.locator("#retry-sync")).to_have_count(0)
    page.click("#cancel-sync")
    expect(page.locator("#sync-error")).to_have_text("The sync was cancelled.", timeout=TIMEOUT)
    shoot(page, "wizard-3-cancelled")
    sim.faults.latency = 0
    page.click("#retry-sync")
    expect(page.locator("#library-counts")).to_contain_text(str(MOVIES), timeout=60_000)


def test_plex_admin_page_shows_syncs_webhooks_and_the_unreachable_banner(page: Page, app_url: str, plex) -> None:
    sim, server = plex
    _admin_signed_in(page, app_url)
    _start_first_sync(page, sim, server)
    webhook_url = page.locator("#webhook-url")
    expect(webhook_url).to_contain_text("/api/webhooks/plex/", timeout=60_000)

    account = sim.accounts[1]
    movie = next(rk for rk, item in sim.items.items() if item.type == "movie")
    assert sim.fire_webhook(webhook_url.inner_text(), "media.play", account.id, movie).status_code == 200
    webhook_url = page.locator("#webhook-url")

    page.goto(f"{app_url}/admin/plex")
    expect(page.locator("#server-name")).to_have_text("Living Room", timeout=TIMEOUT)
    expect(page.locator("#schedules-table")).to_contain_text("incremental")
    expect(page.locator("#syncs-table")).to_contain_text("succeeded")
    expect(page.locator("#webhooks-table")).to_contain_text("media.play")
    shoot(page, "admin-plex")

    interval = page.locator("#interval-incremental")
    interval.fill("30")
    interval.blur()
    expect(page.get_by_text("Schedule saved.")).to_be_visible(timeout=TIMEOUT)
    assert [s.interval_minutes for s in scheduler.list_schedules() if s.kind == "incremental"] == [30]
    interval.fill("2")
    interval.blur()
    expect(page.get_by_text("The interval must be between 5 minutes", exact=False)).to_be_visible(timeout=TIMEOUT)

    old_url = webhook_url.inner_text()
    page.click("#rotate-secret")
    page.click("#confirm-rotate")
    expect(page.locator("#webhook-url")).not_to_have_text(old_url, timeout=TIMEOUT)
    assert sim.fire_webhook(old_url, "media.play", account.id, movie).status_code == 404

    page.click("#sync-incremental")
    expect(page.locator("#sync-done")).to_have_text("Already up to date.", timeout=TIMEOUT)
    expect(page.locator("#sync-progress")).to_have_count(0)  # no empty 0/0 bar

    sim.faults.status = 500
    page.click("#sync-incremental")
    expect(page.locator("#sync-error")).to_contain_text("Plex", timeout=60_000)
    page.reload()
    expect(page.locator("#unreachable-banner")).to_contain_text("Plex unreachable since", timeout=TIMEOUT)
    page.set_viewport_size(PHONE)
    shoot(page, "admin-plex-unreachable-phone")

    sim.faults.reset()
    sim.token = "a-new-token-the-owner-made"  # the stored token was revoked on Plex
    page.click("#sync-incremental")
    expect(page.locator("#sync-error")).to_have_text("Plex rejected the token", timeout=60_000)
    page.reload()
    expect(page.locator("#rejected-banner")).to_contain_text("Plex rejects the stored token", timeout=TIMEOUT)
    expect(page.locator("#unreachable-banner")).to_have_count(0)
    shoot(page, "admin-plex-token-rejected-phone")
