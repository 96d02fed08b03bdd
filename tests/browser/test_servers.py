"""Several Plex servers in one household, in the browser: a second server added through the wizard, the picker on
Admin → Plex, and removing a server through its confirmation."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from smartplex.services import auth, scheduler
from smartplex.services.plex import servers, sync
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.server import ThreadedServer
from tests.browser.conftest import PHONE, shoot, sign_in
from tests.conftest import PASSWORD

TIMEOUT = 30_000
CABIN_MOVIES = 40


@pytest.fixture
def living_room() -> Iterator[tuple[PlexSimulator, ThreadedServer]]:
    sim = PlexSimulator(movies=120, shows=3, seasons=2, episodes=4, seed=3, friendly_name="Living Room")
    with sim.serve() as server:
        yield sim, server


@pytest.fixture
def cabin() -> Iterator[tuple[PlexSimulator, ThreadedServer]]:
    sim = PlexSimulator(movies=CABIN_MOVIES, shows=2, seasons=1, episodes=3, seed=8, friendly_name="Cabin")
    with sim.serve() as server:
        yield sim, server


def _admin_with_one_server(sim: PlexSimulator, url: str) -> None:
    admin = auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
    server = servers.save_server(
        admin.id, name=sim.friendly_name, machine_id=sim.machine_identifier, urls=[url], preferred_url=url,
        token=sim.token, version="1.41.3",
    )  # fmt: skip
    scheduler.ensure_default_schedules(server.id)
    assert sync.run_sync(server.id, "full", "manual").status == "succeeded"


def test_a_second_server_is_added_picked_and_removed(page: Page, app_url: str, living_room, cabin) -> None:
    home_sim, home_server = living_room
    cabin_sim, cabin_server = cabin
    assert home_sim.machine_identifier != cabin_sim.machine_identifier
    _admin_with_one_server(home_sim, home_server.url)
    sign_in(page, app_url, "ada@example.com", PASSWORD, then="/admin/plex")
    expect(page.locator("#server-name")).to_have_text("Living Room", timeout=TIMEOUT)
    expect(page.locator("#server-picker")).to_have_count(0)  # one server: nothing to pick
    expect(page.get_by_text("One address for all your servers", exact=False)).to_be_visible()

    page.click("#add-server")
    expect(page).to_have_url(re.compile(r"/onboarding\?add=1$"), timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Add a Plex server")).to_be_visible(timeout=TIMEOUT)
    shoot(page, "servers-add-1-server")
    page.fill("#urls", cabin_server.url)
    page.fill("#token", cabin_sim.token)
    page.click("#test-connection")
    expect(page.locator("#candidates")).to_contain_text("Cabin", timeout=TIMEOUT)
    page.click("#continue")
    page.click("#save-and-sync")
    counts = page.locator("#library-counts")
    expect(counts).to_contain_text(str(CABIN_MOVIES), timeout=60_000)
    expect(page.get_by_role("heading", name="Cabin is connected")).to_be_visible()
    shoot(page, "servers-add-4-done")

    page.click("#back-to-plex")
    picker = page.locator("#server-picker")
    expect(picker).to_be_visible(timeout=TIMEOUT)
    expect(picker).to_contain_text("Living Room")
    expect(picker).to_contain_text("Cabin")
    expect(page.locator("#server-name")).to_have_text("Living Room")
    expect(page.locator("#syncs-table")).to_contain_text("manual")
    expect(page.locator("#syncs-table")).not_to_contain_text("wizard")
    shoot(page, "servers-admin-two")

    picker.get_by_role("radio", name="Cabin").click()
    expect(page.locator("#server-name")).to_have_text("Cabin", timeout=TIMEOUT)
    expect(page.locator("#syncs-table")).to_contain_text("wizard")  # Cabin's own first sync
    expect(page.locator("#syncs-table")).not_to_contain_text("manual")
    expect(page.locator("#schedules-table")).to_contain_text("incremental")
    page.set_viewport_size(PHONE)
    shoot(page, "servers-admin-cabin-phone")
    page.set_viewport_size({"width": 1280, "height": 720})

    page.click("#remove-server")
    sentence = page.locator("#removal-sentence")
    expect(sentence).to_contain_text("titles from Cabin leave recommendations and search", timeout=TIMEOUT)
    expect(page.get_by_role("alertdialog")).to_contain_text("Remove Cabin?")
    shoot(page, "servers-remove-confirm", full_page=False)
    page.click("#confirm-remove")
    expect(page.get_by_text("Cabin was removed", exact=False)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#server-picker")).to_have_count(0)
    expect(page.locator("#server-name")).to_have_text("Living Room")
    assert [s.name for s in servers.servers_for_owner(auth.user_by_email("ada@example.com").id)] == ["Living Room"]
    shoot(page, "servers-after-removal")
