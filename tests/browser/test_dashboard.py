"""The member dashboard, the detail drawer, history and stats, in real Chromium over a synced library."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import reflex as rx
from playwright.sync_api import Page, expect

from smartplex import demo
from smartplex.services import auth
from smartplex.services.plex import servers
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.server import ThreadedServer
from tests.browser.conftest import PHONE, shoot

TIMEOUT = 30_000


@pytest.fixture
def library(app_url: str) -> Iterator[tuple[PlexSimulator, ThreadedServer, str]]:
    """A synced simulated server with members and their histories; yields the webhook URL too."""
    sim = PlexSimulator(movies=80, shows=4, seasons=2, episodes=5, seed=11, plays_per_account=60)
    with sim.serve() as server:
        secret = demo._seed(server.url, sim)
        yield sim, server, f"{rx.config.get_config().api_url.rstrip('/')}{servers.webhook_path(secret)}"


def _sign_in(page: Page, app_url: str, email: str, password: str) -> None:
    page.goto(f"{app_url}/login")
    expect(page.locator("#login-form")).to_be_visible(timeout=TIMEOUT)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#submit")
    expect(page.locator("#welcome")).to_be_visible(timeout=TIMEOUT)


def _member(sim: PlexSimulator) -> tuple[str, str]:
    account = sim.accounts[1]
    return f"{account.name.lower()}@demo.smartplex", account.name


def test_filled_dashboard_and_detail_drawer(page: Page, app_url: str, library) -> None:
    sim, _server, _hook = library
    email, _name = _member(sim)
    _sign_in(page, app_url, email, demo.MEMBER_PASSWORD)
    recommended = page.locator("#recommended .poster-card")
    expect(recommended.first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#recently-added .poster-card").first).to_be_visible()
    expect(page.locator("#recent-history")).not_to_contain_text("Watch something")
    expect(page.locator("#plays-per-day .recharts-surface")).to_be_visible()
    expect(page.locator("#recommended")).to_contain_text(
        re.compile(r"Because you watched|Popular with people who like|Trending on your server|New on your server|Highly rated")
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('#recently-added img')].some(i => i.complete && i.naturalWidth > 0)",
        timeout=TIMEOUT,
    )
    assert sim.token not in page.content()
    shoot(page, "dashboard-desktop")

    page.locator("#recently-added .poster-card").first.click()
    drawer = page.locator("#detail-drawer")
    expect(drawer).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#detail-your-plays")).to_contain_text(re.compile(r"You (played it|watched|haven.t watched|.re \d+% into)"))
    expect(page.locator("#detail-liked-by")).to_be_visible()
    page.wait_for_timeout(700)  # let the drawer finish sliding in
    shoot(page, "dashboard-detail-drawer", full_page=False)
    page.keyboard.press("Escape")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#recommended .poster-card").first).to_be_visible(timeout=TIMEOUT)
    shoot(page, "dashboard-phone")


def test_dashboard_updates_after_a_webhook(page: Page, app_url: str, library) -> None:
    sim, _server, hook = library
    email, _name = _member(sim)
    account = sim.accounts[1]
    _sign_in(page, app_url, email, demo.MEMBER_PASSWORD)
    expect(page.locator("#recommended .poster-card").first).to_be_visible(timeout=TIMEOUT)
    watched = {p.rating_key for p in sim.history if p.account_id == account.id}
    fresh = next(rk for rk, item in sim.items.items() if item.type == "movie" and rk not in watched)
    title = sim.items[fresh].title
    assert sim.fire_webhook(hook, "media.scrobble", account.id, fresh).status_code == 200
    expect(page.locator("#recent-history")).to_contain_text(title, timeout=15_000)


def test_empty_states(page: Page, app_url: str) -> None:
    auth.create_first_admin("Ada Admin", "ada@example.com", "correct horse battery", "correct horse battery")
    auth.create_user("Max Member", "max@example.com", "correct horse battery")
    _sign_in(page, app_url, "max@example.com", "correct horse battery")
    expect(page.locator("#empty-server")).to_contain_text("Your server isn't connected yet", timeout=TIMEOUT)
    shoot(page, "dashboard-empty-no-server")


def test_new_member_sees_empty_sections(page: Page, app_url: str, library) -> None:
    auth.create_user("New Person", "new@example.com", "correct horse battery")
    _sign_in(page, app_url, "new@example.com", "correct horse battery")
    expect(page.locator("#recent-history")).to_contain_text("Watch something and it will show up here.", timeout=TIMEOUT)
    expect(page.locator("#continue-watching")).to_contain_text("Nothing in progress")
    expect(page.locator("#recommended .poster-card").first).to_be_visible()
    shoot(page, "dashboard-new-member")


def test_history_search_and_stats_charts(page: Page, app_url: str, library) -> None:
    sim, _server, _hook = library
    email, _name = _member(sim)
    _sign_in(page, app_url, email, demo.MEMBER_PASSWORD)
    page.goto(f"{app_url}/history")
    table = page.locator("#history-table")
    expect(table).to_be_visible(timeout=TIMEOUT)
    total = page.locator("#history-total").inner_text()
    first_title = page.locator("#history-table tbody tr").first.locator("p").first.inner_text()
    page.fill("#history-search", first_title[:6])
    expect(page.locator("#history-total")).not_to_have_text(total, timeout=TIMEOUT)
    expect(table).to_contain_text(first_title[:6])
    shoot(page, "history-search")
    page.set_viewport_size(PHONE)
    shoot(page, "history-search-phone")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.fill("#history-search", "zzzz-no-such-title")
    expect(page.locator("#history-empty")).to_have_text("No plays match these filters.", timeout=TIMEOUT)
    page.fill("#history-search", "")
    page.get_by_role("radio", name="Movies").click()
    expect(table).not_to_contain_text("episode", timeout=TIMEOUT)

    page.goto(f"{app_url}/stats")
    for chart in ("#chart-weekday", "#chart-hour", "#chart-genre", "#chart-type"):
        expect(page.locator(f"{chart} .recharts-surface")).to_be_visible(timeout=TIMEOUT)
    shoot(page, "stats-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "stats-phone")
