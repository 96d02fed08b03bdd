"""A member of a household with two Plex servers, in real Chromium: the dashboard merges both (a film on both
shows once, saying where it is), the switcher narrows it to one server and remembers the choice, and history
follows it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from smartplex import demo
from smartplex.services import auth
from smartplex.services.plex import servers, sync
from smartplex.services.scheduler import ensure_default_schedules
from smartplex.simulators.plex import PlexSimulator
from tests.browser.conftest import PHONE, shoot, sign_in

TIMEOUT = 30_000
SHARED_FILM = {"title": "Lost Highway Home", "guid": "plex://movie/5d776b59ad5437001f79c6f8", "year": 1997}


def _connect(sim: PlexSimulator, url: str) -> None:
    admin = auth.user_by_email(demo.ADMIN_EMAIL)
    assert admin is not None
    server = servers.save_server(
        admin.id, name=sim.friendly_name, machine_id=sim.machine_identifier, urls=[url], preferred_url=url,
        token=sim.token, version="1.41.0",
    )  # fmt: skip
    ensure_default_schedules(server.id)
    assert sync.run_sync(server.id, "full", "test").status == "succeeded"


@pytest.fixture
def two_servers(app_url: str) -> Iterator[tuple[PlexSimulator, PlexSimulator]]:
    """The demo's main server and a small "Cabin" shared with one of its members; a new film on both."""
    main = PlexSimulator(movies=60, shows=3, seasons=2, episodes=4, seed=11, plays_per_account=40, friendly_name="Living Room")
    member = main.accounts[1]
    cabin = PlexSimulator(
        movies=24, shows=2, seasons=1, episodes=4, seed=7, friendly_name="Cabin",
        accounts=((1, "PlexOwner"), (member.id, member.name)), plays_per_account=12,
    )  # fmt: skip
    today = datetime.now(UTC)
    for sim in (main, cabin):
        sim.add_movie(SHARED_FILM["title"], guid=SHARED_FILM["guid"], year=SHARED_FILM["year"], now=today)
    with main.serve() as main_server, cabin.serve() as cabin_server:
        demo._seed(main_server.url, main)
        _connect(cabin, cabin_server.url)
        yield main, cabin


def test_a_members_dashboard_merges_two_servers_and_the_switcher_narrows_it(page: Page, app_url: str, two_servers) -> None:
    main, _cabin = two_servers
    member = main.accounts[1]
    sign_in(page, app_url, f"{member.name.lower()}@demo.smartplex", demo.MEMBER_PASSWORD)
    switcher = page.locator("#server-switcher")
    expect(switcher).to_be_visible(timeout=TIMEOUT)
    expect(switcher).to_contain_text("All servers")

    added = page.locator("#recently-added .poster-card")
    expect(added.first).to_be_visible(timeout=TIMEOUT)
    shared = added.filter(has_text=SHARED_FILM["title"])
    expect(shared).to_have_count(1)  # on both servers, shown once
    expect(shared.locator(".card-where")).to_have_text("On Living Room · Cabin")
    expect(page.locator("#recommended .poster-card").first).to_be_visible()
    expect(page.locator("#trending")).to_contain_text("Trending on your servers")
    assert main.token not in page.content()
    shoot(page, "household-dashboard-two-servers")
    shared.click()
    expect(page.locator("#detail-where")).to_have_text("On Living Room · Cabin", timeout=TIMEOUT)
    page.wait_for_timeout(700)  # let the drawer finish sliding in
    shoot(page, "household-detail-where", full_page=False)
    page.keyboard.press("Escape")

    switcher.click()
    page.get_by_role("option", name="Cabin").click()
    expect(switcher).to_contain_text("Cabin", timeout=TIMEOUT)
    expect(shared.locator(".card-where")).to_have_count(0, timeout=TIMEOUT)  # one server: nothing to say where
    expect(shared).to_have_count(1)
    cabin_titles = added.locator(".card-title").all_inner_texts()
    page.reload()  # the choice is remembered on the account
    expect(page.locator("#server-switcher")).to_contain_text("Cabin", timeout=TIMEOUT)
    expect(added.first).to_be_visible(timeout=TIMEOUT)
    assert added.locator(".card-title").all_inner_texts() == cabin_titles
    expect(page.locator("#trending")).not_to_contain_text("servers")  # one server shown
    shoot(page, "household-dashboard-cabin")

    page.goto(f"{app_url}/history")
    expect(page.locator("#server-switcher")).to_contain_text("Cabin", timeout=TIMEOUT)
    expect(page.locator("#history-total")).to_be_visible(timeout=TIMEOUT)
    cabin_plays = page.locator("#history-total").inner_text()
    expect(page.locator("#history-table .row-where")).to_have_count(0)  # one server: nothing to say where
    page.locator("#server-switcher").click()
    page.get_by_role("option", name="All servers").click()
    expect(page.locator("#history-total")).not_to_have_text(cabin_plays, timeout=TIMEOUT)  # both servers' plays
    wheres = set(page.locator("#history-table .row-where").all_inner_texts())
    assert wheres and wheres <= {"On Living Room", "On Cabin"}, wheres  # each play says where it was
    shoot(page, "household-history-all")

    page.set_viewport_size(PHONE)
    page.goto(app_url)
    expect(page.locator("#server-switcher")).to_be_visible(timeout=TIMEOUT)
    expect(added.first).to_be_visible(timeout=TIMEOUT)
    shoot(page, "household-dashboard-phone")


def test_a_member_of_one_server_sees_no_switcher(page: Page, app_url: str, two_servers) -> None:
    main, _cabin = two_servers
    only_main = main.accounts[2]  # not shared on the cabin
    sign_in(page, app_url, f"{only_main.name.lower()}@demo.smartplex", demo.MEMBER_PASSWORD)
    expect(page.locator("#recently-added .poster-card").first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#server-switcher")).to_have_count(0)
    expect(page.locator("#recently-added .card-where")).to_have_count(0)
