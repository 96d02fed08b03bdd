"""Requests in real Chromium: the Request window, My requests, the admin's Requests and Integrations pages, and
the live "available" flip, against the Seerr and Plex simulators."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import reflex as rx
from playwright.sync_api import Page, expect

from smartplex.models import IntegrationKind
from smartplex.services import auth
from smartplex.services.integrations import store
from smartplex.services.overseerr import gateway
from smartplex.services.overseerr import posters as tmdb_posters
from smartplex.services.plex import servers
from smartplex.services.requests import quotas, requesting
from smartplex.simulators.overseerr import OverseerrSimulator
from smartplex.simulators.plex import PlexSimulator
from tests import factories
from tests.browser.conftest import PHONE, shoot
from tests.conftest import PASSWORD
from tests.overseerr_fixtures import link

TIMEOUT = 30_000
DUNE, BREAKING_BAD = 438631, 1396


@pytest.fixture
def seerr_app(app_url: str) -> Iterator[tuple[str, OverseerrSimulator, auth.UserView, auth.UserView]]:
    """The app with Seerr connected, an admin, and a linked member."""
    sim = OverseerrSimulator()
    with sim.serve():
        gateway.reset()
        tmdb_posters.reset()
        admin = auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
        member = auth.create_user("Max Member", "max@example.com", PASSWORD)
        store.save(admin.id, IntegrationKind.OVERSEERR, base_url=sim.url, secret=sim.api_key)
        link(sim, member)
        yield app_url, sim, admin, member
        gateway.reset()


def _sign_in(page: Page, app_url: str, email: str, then: str = "") -> None:
    page.goto(f"{app_url}/login")
    expect(page.locator("#login-form")).to_be_visible(timeout=TIMEOUT)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    expect(page.locator("#user-menu")).to_be_visible(timeout=TIMEOUT)  # the shell: signed in
    if then:
        page.goto(f"{app_url}{then}")
        expect(page.locator("#page-title")).to_be_visible(timeout=TIMEOUT)


def _search(page: Page, text: str) -> None:
    page.click("#open-request")
    expect(page.locator("#request-window")).to_be_visible(timeout=TIMEOUT)
    page.fill("#request-search", text)


def test_search_and_request_a_movie_in_one_click(page: Page, seerr_app) -> None:
    app_url, sim, _admin, member = seerr_app
    _sign_in(page, app_url, member.email, "/requests")
    expect(page.locator("#requests-empty")).to_be_visible(timeout=TIMEOUT)
    _search(page, "dune")
    result = page.locator("#result-movie-438631")
    expect(result).to_contain_text("Dune", timeout=TIMEOUT)
    expect(result).to_contain_text("2021 · Movie")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#request-results img')].some(i => i.complete && i.naturalWidth > 0)", timeout=TIMEOUT
    )
    assert sim.api_key not in page.content() and sim.url not in page.content()
    shoot(page, "request-window-desktop", full_page=False)
    page.click("#request-movie-438631")
    expect(page.get_by_text("Requested Dune.")).to_be_visible(timeout=TIMEOUT)
    expect(result).to_contain_text("You requested it")
    assert sim.requests[1].requested_by.email == member.email
    page.click("#close-request")
    expect(page.locator("#status-1")).to_have_text("Pending", timeout=TIMEOUT)  # the list refreshed live
    page.set_viewport_size(PHONE)
    _search(page, "matrix")
    expect(page.locator("#result-movie-603")).to_be_visible(timeout=TIMEOUT)
    shoot(page, "request-window-phone", full_page=False)
    page.click("#close-request")
    page.click("#color-mode")
    page.set_viewport_size({"width": 1280, "height": 720})
    _search(page, "matrix")
    expect(page.locator("#result-movie-603")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(500)
    shoot(page, "request-window-dark", full_page=False)


def test_search_as_you_type_shows_answers_at_once_and_the_newest_wins(page: Page, seerr_app) -> None:
    """Results appear within 300 ms of Seerr's answer; a slow earlier answer never replaces a newer one."""
    app_url, sim, _admin, member = seerr_app
    _sign_in(page, app_url, member.email)
    _search(page, "interstellar")
    expect(page.locator("#result-movie-157336")).to_be_visible(timeout=TIMEOUT)  # warm: first posters, first search
    lags = []
    for query, tmdb in (("inception", 27205), ("parasite", 496243), ("soul", 508442)):
        sim.delays[query] = 0.4
        page.fill("#request-search", query)
        page.wait_for_function(f"() => document.querySelector('#result-movie-{tmdb}') !== null", timeout=TIMEOUT, polling=5)
        lags.append(time.time() - sim.answered[query])
    assert max(lags) < 0.3, lags
    sim.delays["matrix"] = 1.5
    page.fill("#request-search", "matrix")
    page.wait_for_timeout(500)  # past the debounce: the slow search is under way
    page.fill("#request-search", "dune")
    expect(page.locator("#result-movie-438631")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(1800)  # the slow answer has come back meanwhile
    assert "matrix" in sim.answered
    expect(page.locator("#result-movie-438631")).to_be_visible()
    expect(page.locator("#result-movie-603")).to_have_count(0)


def test_request_two_seasons_of_a_show(page: Page, seerr_app) -> None:
    app_url, sim, admin, member = seerr_app
    server_id = factories.server(admin.id)
    factories.show(server_id, "Breaking Bad", tmdb_id=BREAKING_BAD, rating_key="bb")
    _sign_in(page, app_url, member.email)
    _search(page, "breaking")
    expect(page.locator("#result-tv-1396")).to_contain_text("On your server", timeout=TIMEOUT)
    page.click("#choose-seasons-1396")
    expect(page.locator("#picked-show")).to_have_text("Breaking Bad", timeout=TIMEOUT)
    expect(page.locator("#season-1")).to_be_disabled()  # already on the server
    expect(page.locator("#request-seasons")).to_be_disabled()
    page.click("#season-2")
    page.click("#season-3")
    expect(page.locator("#request-seasons")).to_have_text("Request 2 seasons")
    shoot(page, "request-seasons-desktop", full_page=False)
    page.click("#request-seasons")
    expect(page.get_by_text("Requested Breaking Bad (Seasons 2, 3).")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#season-2")).to_be_disabled()
    assert sim.requests[1].seasons == [2, 3]


def test_an_available_title_cannot_be_requested_and_seerr_errors_are_told(page: Page, seerr_app) -> None:
    app_url, sim, _admin, member = seerr_app
    sim.set_available("movie", 603)
    _sign_in(page, app_url, member.email)
    _search(page, "the matrix")
    available = page.locator("#result-movie-603")
    expect(available).to_contain_text("Available", timeout=TIMEOUT)
    expect(available.get_by_role("button")).to_be_disabled()
    sim.faults.status, sim.faults.path_prefix = 500, "/api/v1/request"
    page.click("#request-movie-604")
    expect(page.get_by_text("Overseerr / Seerr did not answer (HTTP 500).")).to_be_visible(timeout=TIMEOUT)
    sim.faults.reset()
    sim.faults.status = 500
    page.fill("#request-search", "inception")
    expect(page.locator("#request-search-error")).to_contain_text("did not answer", timeout=TIMEOUT)
    shoot(page, "request-seerr-error", full_page=False)
    assert requesting.mine(member.id).total == 0


def test_quota_reached_is_said_before_seerr_is_asked(page: Page, seerr_app) -> None:
    app_url, sim, admin, member = seerr_app
    quotas.set_household_default(admin.id, "1", "")
    _sign_in(page, app_url, member.email)
    _search(page, "dune")
    expect(page.locator("#request-quota")).to_contain_text("1 of 1 movie left this week", timeout=TIMEOUT)
    page.click("#request-movie-438631")
    expect(page.locator("#request-quota")).to_contain_text("0 of 1 movie left this week", timeout=TIMEOUT)
    page.click("#request-movie-693134")
    expect(page.get_by_text("You have used your 1 movie for this week.", exact=False)).to_be_visible(timeout=TIMEOUT)
    shoot(page, "request-quota-reached", full_page=False)
    assert len(sim.requests) == 1


def test_my_requests_filters_pages_and_cancels(page: Page, seerr_app) -> None:
    app_url, sim, admin, member = seerr_app
    for tmdb in (603, 604, 605, 754, 194, 27205, 157336, 496243, 8392, 101, 508442, 346698, 872585):
        requesting.submit(member.id, "movie", tmdb)
    requesting.decide(admin.id, requesting.mine(member.id).rows[0].id, approve=False)
    _sign_in(page, app_url, member.email, "/requests")
    expect(page.locator(".request-card")).to_have_count(12, timeout=TIMEOUT)
    expect(page.locator("#requests-page")).to_have_text("Page 1 of 2")
    shoot(page, "my-requests-desktop")
    page.click("#requests-older")
    expect(page.locator(".request-card")).to_have_count(1, timeout=TIMEOUT)
    page.click("#request-filter")
    page.get_by_role("option", name="Declined").click()
    expect(page.locator(".request-card")).to_have_count(1, timeout=TIMEOUT)
    expect(page.locator("#request-list")).to_contain_text("Declined")
    page.click("#request-filter")
    page.get_by_role("option", name="Pending").click()
    expect(page.locator(".request-card")).to_have_count(12, timeout=TIMEOUT)
    first = page.locator(".request-card").first
    cancel = first.locator("button", has_text="Cancel request")
    cancel.click()
    expect(page.get_by_text("Request cancelled.")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".request-card")).to_have_count(11, timeout=TIMEOUT)
    assert len(sim.requests) == 12
    page.set_viewport_size(PHONE)
    shoot(page, "my-requests-phone")


def test_the_admin_approves_a_request_and_sees_whose_requests_get_watched(page: Page, seerr_app) -> None:
    app_url, sim, _admin, member = seerr_app
    row = requesting.submit(member.id, "movie", DUNE).row
    _sign_in(page, app_url, "ada@example.com", "/admin/requests")
    card = page.locator(f"#request-{row.id}")
    expect(card).to_contain_text("Max Member", timeout=TIMEOUT)
    expect(page.locator("#ratios-table")).to_contain_text("Nothing on the server yet")
    shoot(page, "admin-requests-desktop")
    page.click(f"#approve-{row.id}")
    expect(page.locator(f"#status-{row.id}")).to_have_text("Processing", timeout=TIMEOUT)
    assert sim.requests[1].status == 2 and sim.requests[1].modified_by.id == 1
    page.fill("#default-movies", "5")
    page.click("#default-save")
    expect(page.get_by_text("Weekly limits saved.")).to_be_visible(timeout=TIMEOUT)
    assert quotas.household_default().movies == 5
    page.set_viewport_size(PHONE)
    shoot(page, "admin-requests-phone")


def test_integrations_page_connects_tests_and_maps_people(page: Page, app_url: str) -> None:
    sim = OverseerrSimulator()
    with sim.serve():
        gateway.reset()
        auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
        member = auth.create_user("Max Member", "max@example.com", PASSWORD)
        factories.person("Kim Kid", plex_account_id=3972737)
        sim.add_user("max", "max@example.com")
        sim.add_user("kids", "kids@elsewhere.example", plex_id=3972737)
        sim.add_user("guest", "guest@example.com")
        _sign_in(page, app_url, "ada@example.com", "/admin/integrations")
        page.fill("#seerr-url", sim.url + "/api/v1/")
        page.fill("#seerr-key", "wrong-key")
        page.click("#seerr-save")
        expect(page.locator("#test-message")).to_contain_text("rejected the API key", timeout=TIMEOUT)
        expect(page.locator("#test-reachable")).to_contain_text("Reachable")
        page.fill("#seerr-key", sim.api_key)
        page.click("#seerr-save")
        expect(page.locator("#test-version")).to_contain_text("2.7.3", timeout=TIMEOUT)
        expect(page.locator("#test-latency")).to_contain_text(re.compile(r"\d+ ms"))
        expect(page.locator("#test-message")).to_have_count(0)
        expect(page.locator("#seerr-key")).to_have_attribute("placeholder", re.compile("Stored ••••"))
        assert sim.api_key not in page.content()
        people = page.locator("#seerr-people")
        expect(people).to_contain_text("Matched by email", timeout=TIMEOUT)
        expect(people).to_contain_text("Matched by Plex account")
        expect(page.locator("#seerr-webhook-url")).to_contain_text("/api/webhooks/overseerr/")
        shoot(page, "admin-integrations-desktop")
        page.click(f"#seerr-user-{member.id}")
        page.get_by_role("option", name="guest · guest@example.com").click()
        expect(page.get_by_text("Link saved.")).to_be_visible(timeout=TIMEOUT)
        expect(people).to_contain_text("Set by an admin")
        page.set_viewport_size(PHONE)
        shoot(page, "admin-integrations-phone")
        page.click("#color-mode")
        page.wait_for_timeout(300)
        shoot(page, "admin-integrations-phone-dark")
        gateway.reset()


def test_available_flips_live_on_my_requests_when_plex_adds_the_title(page: Page, seerr_app) -> None:
    app_url, sim, admin, member = seerr_app
    plex = PlexSimulator(movies=20, shows=1, seasons=1, episodes=2, seed=5)
    with plex.serve():
        server_id = factories.simulated_server(admin.id, plex)
        secret = servers.ensure_webhook_secret(admin.id)
        webhook = f"{rx.config.get_config().api_url.rstrip('/')}{servers.webhook_path(secret)}"
        requesting.submit(member.id, "movie", DUNE)
        _sign_in(page, app_url, member.email, "/requests")
        expect(page.locator("#status-1")).to_have_text("Pending", timeout=TIMEOUT)
        expect(page.locator("#live-badge")).to_have_count(0)
        dune = plex.add_movie("Dune", external_ids=("imdb://tt1160419", f"tmdb://{DUNE}"))
        assert plex.fire_webhook(webhook, "library.new", 1, dune.rating_key).status_code == 200
        expect(page.locator("#status-1")).to_have_text("Available", timeout=10_000)
        expect(page.locator("#live-badge")).to_have_text("1")
        expect(page.get_by_text("Dune is available")).to_be_visible()
        shoot(page, "my-requests-available-live", full_page=False)
        page.click("#live-bell")
        expect(page.locator("#live-notices")).to_contain_text("It is on the server now")
        page.click("#mark-read")
        expect(page.locator("#live-badge")).to_have_count(0, timeout=TIMEOUT)
        assert server_id
