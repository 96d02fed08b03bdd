"""The streaming look in real Chromium: the hero and its "Play in Plex" link, placeholder artwork for titles without
a poster (or whose poster fails), a show's drawer with its seasons, accent-insensitive search, the member's time
zone (first visit and profile) in stats, and the web app manifest. Screenshots at desktop and phone widths, light
and dark, land in test-output/screenshots/streaming-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from smartplex import demo
from smartplex.services import auth
from smartplex.services.plex import servers
from smartplex.simulators.plex import PlexSimulator
from tests import factories
from tests.browser.conftest import PHONE, shoot

TIMEOUT = 30_000
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def library(app_url: str) -> Iterator[PlexSimulator]:
    """A synced simulated server (its 8th movie is "Amélie") with members and their histories."""
    sim = PlexSimulator(movies=80, shows=4, seasons=2, episodes=5, seed=11, plays_per_account=60)
    with sim.serve():
        demo._seed(sim.url, sim)
        yield sim


def _member_email(sim: PlexSimulator) -> str:
    return f"{sim.accounts[1].name.lower()}@demo.smartplex"


def _sign_in(page: Page, app_url: str, email: str, password: str = demo.MEMBER_PASSWORD) -> None:
    page.goto(f"{app_url}/login")
    expect(page.locator("#login-form")).to_be_visible(timeout=TIMEOUT)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#submit")
    expect(page.locator("#welcome")).to_be_visible(timeout=TIMEOUT)


def _zone(email: str) -> str:
    user = auth.user_by_email(email)
    return user.time_zone if user else ""


def _settle(page: Page) -> None:
    """Posters decoded (or given up on), so a screenshot shows what a person sees."""
    page.wait_for_function(
        """() => [...document.images].filter(i => { const r = i.getBoundingClientRect();
                 return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; })
                 .every(i => i.complete)""",
        timeout=TIMEOUT,
    )
    page.wait_for_timeout(300)


def test_hero_play_in_plex_and_the_dashboard_light_and_dark(page: Page, app_url: str, library: PlexSimulator) -> None:
    _sign_in(page, app_url, _member_email(library))
    hero = page.locator("#hero")
    expect(hero).to_be_visible(timeout=TIMEOUT)
    links = page.locator("#hero .play-in-plex")
    expect(links.first).to_be_attached()
    machine = re.escape(library.machine_identifier)
    for href in [links.nth(n).get_attribute("href") for n in range(links.count())]:
        assert href is not None and re.fullmatch(
            rf"https://app\.plex\.tv/desktop#!/server/{machine}/details\?key=%2Flibrary%2Fmetadata%2F\d+", href
        ), href
    assert library.token not in page.content()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#hero .hero-backdrop img')].some(i => i.complete && i.naturalWidth >= 640)",
        timeout=TIMEOUT,
    )
    box = hero.bounding_box()
    page.wait_for_timeout(8_500)  # one rotation: the next slide takes the same box
    assert hero.bounding_box() == box
    expect(page.locator("#recommended .poster-card").first).to_be_visible()
    _settle(page)
    shoot(page, "streaming-dashboard-desktop-light", full_page=False)

    page.emulate_media(reduced_motion="reduce")  # the first slide alone, still: nothing fades under the pointer
    page.locator("#hero .hero-details").first.click()
    expect(page.locator("#detail-drawer")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#detail-play a, #detail-play").first).to_have_attribute("href", re.compile(r"^https://app\.plex\.tv/desktop#!/server/"))
    page.wait_for_timeout(700)
    shoot(page, "streaming-drawer-desktop-light", full_page=False)
    page.keyboard.press("Escape")

    page.emulate_media(color_scheme="dark", reduced_motion="no-preference")
    page.reload()
    expect(page.locator("#hero")).to_be_visible(timeout=TIMEOUT)
    _settle(page)
    shoot(page, "streaming-dashboard-desktop-dark", full_page=False)
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#hero")).to_be_visible(timeout=TIMEOUT)
    _settle(page)
    width = page.locator("#recommended .poster-card").first.bounding_box()["width"]  # type: ignore[index]
    assert 120 < width < 160  # two and a half cards across a phone
    shoot(page, "streaming-dashboard-phone-dark", full_page=False)
    page.emulate_media(color_scheme="light")
    page.reload()
    expect(page.locator("#hero")).to_be_visible(timeout=TIMEOUT)
    _settle(page)
    shoot(page, "streaming-dashboard-phone-light")


def test_search_folds_accents_placeholders_and_a_shows_seasons(page: Page, app_url: str, library: PlexSimulator) -> None:
    server_id = servers.default_server_id()
    factories.item(server_id, "Zoë Without Poster", genres=["Drama"])
    factories.item(server_id, "Zoë Broken Poster", thumb="/library/metadata/999999/thumb/1")  # Plex answers 404
    _sign_in(page, app_url, _member_email(library))

    page.goto(f"{app_url}/search")
    page.fill("#library-search", "amelie")
    results = page.locator("#search-results .poster-card")
    expect(results.first).to_contain_text("Amélie", timeout=TIMEOUT)

    page.fill("#library-search", "zoe")
    expect(results).to_have_count(2, timeout=TIMEOUT)
    _settle(page)
    for title in ("Zoë Without Poster", "Zoë Broken Poster"):
        card = results.filter(has_text=title)
        expect(card.locator(".artwork-placeholder")).to_have_text(title)
        visible_broken = card.locator("img").evaluate_all(
            "imgs => imgs.filter(i => getComputedStyle(i).visibility !== 'hidden' && !(i.complete && i.naturalWidth > 0)).length"
        )
        assert visible_broken == 0, title
    shoot(page, "streaming-placeholders-desktop", full_page=False)

    show = next(item for item in library.items.values() if item.type == "show")
    page.fill("#library-search", show.title)
    expect(results.filter(has_text=show.title).first).to_be_visible(timeout=TIMEOUT)
    results.filter(has_text=show.title).first.locator(".artwork").click()
    seasons = page.locator("#detail-seasons")
    expect(seasons).to_contain_text("Season 1", timeout=TIMEOUT)
    expect(seasons.locator(".episode-row").first).to_be_visible()
    expect(page.locator("#detail-your-plays")).to_be_visible()
    page.wait_for_timeout(700)
    shoot(page, "streaming-show-drawer-desktop", full_page=False)
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    page.wait_for_timeout(500)
    shoot(page, "streaming-show-drawer-phone-dark", full_page=False)


def test_first_visit_takes_the_browsers_zone_and_stats_use_it(browser: Browser, app_url: str, library: PlexSimulator) -> None:
    email = _member_email(library)
    context = browser.new_context(timezone_id="Asia/Tokyo", viewport=DESKTOP)
    page = context.new_page()
    try:
        _sign_in(page, app_url, email)
        for _ in range(50):  # the browser reports its zone right after the first page mounts
            if _zone(email):
                break
            page.wait_for_timeout(200)
        assert _zone(email) == "Asia/Tokyo"

        page.goto(f"{app_url}/stats")
        expect(page.locator("#chart-hour")).to_contain_text("Plays by hour (Asia/Tokyo)", timeout=TIMEOUT)

        page.goto(f"{app_url}/profile")
        expect(page.locator("#time_zone")).to_have_value("Asia/Tokyo", timeout=TIMEOUT)
        page.select_option("#time_zone", "America/New_York")
        page.click("#profile-save")
        expect(page.get_by_text("Profile saved.")).to_be_visible(timeout=TIMEOUT)
        shoot(page, "streaming-profile-desktop", full_page=False)
        assert _zone(email) == "America/New_York"
        page.goto(f"{app_url}/stats")
        expect(page.locator("#chart-hour")).to_contain_text("Plays by hour (America/New_York)", timeout=TIMEOUT)

        page.goto(f"{app_url}/history")
        expect(page.locator("#history-table")).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_text("From", exact=True)).to_be_visible()
        expect(page.get_by_text("To", exact=True)).to_be_visible()
        expect(page.locator("#history-table .watched-label").first).to_have_text(
            re.compile(r"^(Today|Yesterday), \d\d:\d\d$|^\w{3} \d{1,2} \w{3}, \d\d:\d\d$|^\d{1,2} \w{3} \d{4}$")
        )
        _settle(page)
        shoot(page, "streaming-history-desktop", full_page=False)
        page.set_viewport_size(PHONE)
        shoot(page, "streaming-history-phone", full_page=False)
    finally:
        context.close()


def test_the_manifest_and_icons_are_served(page: Page, app_url: str) -> None:
    manifest = httpx.get(f"{app_url}/manifest.webmanifest", timeout=10)
    assert manifest.status_code == 200
    data = manifest.json()
    assert (data["name"], data["display"], data["theme_color"]) == ("SmartPlex", "standalone", "#ffc53d")
    for icon in data["icons"]:
        answer = httpx.get(f"{app_url}{icon['src']}", timeout=10)
        assert (answer.status_code, answer.headers["content-type"]) == (200, "image/png"), icon
    assert httpx.get(f"{app_url}/favicon.ico", timeout=10).status_code == 200
    page.goto(f"{app_url}/login")
    expect(page.locator("link[rel=manifest]")).to_have_attribute("href", "/manifest.webmanifest", timeout=TIMEOUT)
    expect(page.locator("meta[name=theme-color]")).to_have_attribute("content", "#ffc53d")
