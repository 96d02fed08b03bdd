"""People come from Plex, in Chromium against the running app, the simulated Plex server and the simulated plex.tv:
Sign in with Plex through the popup (and in this tab when the popup is blocked), a refused account, cancelling,
plex.tv down, a forged return, importing shared users, and relinking an account after seeing which plays move."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Page, WebSocket, expect

from smartplex.config import PROJECT_ROOT, get_settings, reload_settings
from smartplex.services import auth
from smartplex.services.plex import accounts
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.plextv import PlexTvSimulator
from smartplex.state.plex_signin import CANCELLED, NOT_WAITING, POPUP_BLOCKED
from tests import factories
from tests.browser.conftest import PHONE, shoot
from tests.browser.test_secrets_at_rest import files_containing
from tests.conftest import PASSWORD
from tests.plex_fixtures import ANCHOR

TIMEOUT = 30_000
ALICE, KIDS = 5129384, 3972737


@dataclass
class Household:
    plex: PlexSimulator
    tv: PlexTvSimulator
    server_id: int
    admin: auth.UserView


@pytest.fixture
def household(app_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Household]:
    """An admin whose server is the Plex simulator, which the simulated plex.tv shares with its accounts."""
    plex = PlexSimulator(movies=30, shows=1, seasons=1, episodes=2, seed=3, now=ANCHOR, friendly_name="Living Room")
    tv = PlexTvSimulator.for_plex(plex)
    with plex.serve(), tv.serve():
        monkeypatch.setenv("SMARTPLEX_PLEX_TV_URL", tv.url)
        reload_settings()
        admin = auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
        yield Household(plex, tv, factories.simulated_server(admin.id, plex), admin)
    monkeypatch.undo()
    reload_settings()


def _frames(page: Page) -> list[str]:
    """Everything SmartPlex's websocket carries either way, from now on."""
    frames: list[str] = []

    def watch(ws: WebSocket) -> None:
        ws.on("framesent", lambda payload: frames.append(str(payload)))
        ws.on("framereceived", lambda payload: frames.append(str(payload)))

    page.on("websocket", watch)
    return frames


def _to_login(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/login")
    expect(page.locator("#plex-sign-in")).to_be_visible(timeout=TIMEOUT)


def _admin_on_members(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/login")
    page.fill("#email", "ada@example.com", timeout=TIMEOUT)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    expect(page.locator("#user-menu")).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{app_url}/admin/members")


def test_sign_in_with_plex_through_the_popup(
    page: Page, app_url: str, household: Household, capfd: pytest.CaptureFixture[str]
) -> None:
    frames = _frames(page)
    _to_login(page, app_url)
    shoot(page, "login-with-plex")
    with page.expect_popup() as opened:
        page.click("#plex-sign-in")
    popup = opened.value
    expect(popup.locator(f"#plex-account-{ALICE}")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#plex-waiting")).to_contain_text("Waiting for Plex", timeout=TIMEOUT)
    shoot(popup, "plex-sign-in-popup")
    shoot(page, "login-waiting-for-plex")
    popup.click(f"#plex-account-{ALICE}")

    expect(page.locator("#welcome")).to_have_text("Welcome, alice.w", timeout=TIMEOUT)
    expect(page.locator("#nav-members")).to_have_count(0)
    page.wait_for_timeout(500)
    assert popup.is_closed()
    shoot(page, "signed-in-with-plex")

    token = household.tv.accounts[ALICE].token
    storage = page.evaluate("() => JSON.stringify([document.cookie, {...localStorage}, {...sessionStorage}])")
    assert frames and not [f for f in frames if token in f]
    assert token not in storage and token not in page.content()
    printed = capfd.readouterr()
    assert token not in printed.out + printed.err
    assert files_containing(token, PROJECT_ROOT, get_settings().data_dir) == []


def test_the_owner_signs_in_as_the_admin(page: Page, app_url: str, household: Household) -> None:
    _to_login(page, app_url)
    with page.expect_popup() as opened:
        page.click("#plex-sign-in")
    opened.value.click(f"#plex-account-{household.plex.account(1).plex_id}")
    expect(page.locator("#nav-members")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#user-menu")).to_contain_text("Ada Admin")


def test_an_account_without_access_is_refused(page: Page, app_url: str, household: Household) -> None:
    mallory = household.tv.add_account("mallory", title="Mallory")
    _to_login(page, app_url)
    with page.expect_popup() as opened:
        page.click("#plex-sign-in")
    opened.value.click(f"#plex-account-{mallory.id}")
    expect(page.locator("#plex-error")).to_contain_text(
        "The Plex account Mallory has no access to this household's Plex server", timeout=TIMEOUT
    )
    expect(page.locator("#plex-retry")).to_be_visible()
    expect(page.locator("#plex-sign-in")).to_have_count(0)  # the retry is the way on
    expect(page).to_have_url(re.compile(r"/login$"))
    shoot(page, "login-plex-refused")
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    shoot(page, "login-plex-refused-phone-dark")


def test_a_blocked_popup_offers_this_tab(page: Page, app_url: str, household: Household) -> None:
    page.add_init_script("window.open = () => null")  # what a pop-up blocker does
    page.goto(f"{app_url}/login?next=/history")
    expect(page.locator("#plex-sign-in")).to_be_visible(timeout=TIMEOUT)
    page.click("#plex-sign-in")
    expect(page.locator("#plex-error")).to_have_text(POPUP_BLOCKED, timeout=TIMEOUT)
    shoot(page, "login-plex-popup-blocked")
    page.click("#plex-this-tab")
    page.click(f"#plex-account-{KIDS}", timeout=TIMEOUT)  # Plex's page, in this tab
    expect(page.locator("#page-title")).to_have_text("History", timeout=TIMEOUT)  # back, signed in, where we were
    expect(page.locator("#user-menu")).to_contain_text("Kids")


def test_closing_the_popup_cancels(page: Page, app_url: str, household: Household) -> None:
    _to_login(page, app_url)
    with page.expect_popup() as opened:
        page.click("#plex-sign-in")
    expect(opened.value.locator(f"#plex-account-{ALICE}")).to_be_visible(timeout=TIMEOUT)
    opened.value.close()
    expect(page.locator("#plex-error")).to_have_text(CANCELLED, timeout=TIMEOUT)
    with page.expect_popup() as again:  # and trying again works
        page.click("#plex-retry")
    again.value.click(f"#plex-account-{ALICE}")
    expect(page.locator("#welcome")).to_have_text("Welcome, alice.w", timeout=TIMEOUT)


def test_plex_tv_down_says_so_with_a_retry(page: Page, app_url: str, household: Household) -> None:
    household.tv.faults.status = 503
    _to_login(page, app_url)
    with page.expect_popup() as opened:
        page.click("#plex-sign-in")
    expect(page.locator("#plex-error")).to_contain_text("plex.tv is failing (HTTP 503)", timeout=TIMEOUT)
    expect(page.locator("#plex-error")).to_contain_text("sign in with your email and password")
    page.wait_for_timeout(300)
    assert opened.value.is_closed()
    shoot(page, "login-plex-tv-down")
    household.tv.faults.reset()
    with page.expect_popup() as again:
        page.click("#plex-retry")
    again.value.click(f"#plex-account-{ALICE}")
    expect(page.locator("#welcome")).to_be_visible(timeout=TIMEOUT)


def test_a_forged_return_signs_nobody_in(page: Page, app_url: str, household: Household) -> None:
    pending_elsewhere = household.tv  # a PIN someone else waits for, signed in at plex.tv: nothing here knows it
    assert pending_elsewhere.accounts
    page.goto(f"{app_url}/login?plex=returned&pin=7000001&code=guess&authToken=forged")
    expect(page.locator("#plex-error")).to_have_text(NOT_WAITING, timeout=TIMEOUT)
    expect(page.locator("#login-form")).to_be_visible()
    assert auth.list_users(household.admin.id)[1:] == []


def test_import_from_plex(page: Page, app_url: str, household: Household) -> None:
    item = factories.item(household.server_id, "Heat")
    for day in range(3):
        factories.play(household.server_id, None, item, ANCHOR + timedelta(days=day), plex_account_id=ALICE)
    factories.person("Bobby", 6620417)
    _admin_on_members(page, app_url)
    page.click("#import-from-plex", timeout=TIMEOUT)
    table = page.locator("#shares-table")
    expect(table).to_contain_text("alice.w", timeout=TIMEOUT)
    expect(table.locator("tr", has_text="bobbytables")).to_contain_text("Member: Bobby")
    expect(page.locator(f"#import-{6620417}")).to_be_disabled()
    page.click(f"#import-{ALICE}")
    page.click(f"#import-{KIDS}")
    shoot(page, "members-import-from-plex")
    page.click("#import-selected")
    imported = page.locator("#imported")
    expect(imported).to_contain_text("alice.w", timeout=TIMEOUT)
    expect(imported).to_contain_text("3 plays now count for them")
    expect(imported.locator("code")).to_have_count(2)
    assert "/join?invite=" in imported.locator("code").first.inner_text()
    shoot(page, "members-imported")
    page.click("#import-close")
    people = page.locator("#members-table")
    expect(people.locator("tr", has_text="alice.w@example.com")).to_contain_text("Signs in with Plex", timeout=TIMEOUT)
    expect(people.locator("tr", has_text="Kids")).to_contain_text("Signs in with Plex")
    page.set_viewport_size(PHONE)
    shoot(page, "members-phone")
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#import-from-plex")
    expect(page.locator("#shares-table")).to_contain_text("Member: alice.w", timeout=TIMEOUT)
    shoot(page, "members-import-dark")


def test_relinking_shows_the_plays_that_move(page: Page, app_url: str, household: Household) -> None:
    sam, alex = factories.person("Sam"), factories.person("Alex")
    accounts.link_user(sam, ALICE, "alice.w")
    item = factories.item(household.server_id, "Heat")
    for day in range(12):
        factories.play(household.server_id, sam, item, ANCHOR + timedelta(days=day), plex_account_id=ALICE)
    _admin_on_members(page, app_url)
    page.click(f"#link-{alex}", timeout=TIMEOUT)
    page.click("#link-choice", timeout=TIMEOUT)
    page.get_by_role("option", name=re.compile(r"^alice\.w \(now Sam\)")).click()
    expect(page.locator("#link-preview")).to_have_text("12 plays will move from Sam to Alex.", timeout=TIMEOUT)
    shoot(page, "members-relink-preview")
    page.click("#link-confirm")
    expect(page.get_by_text("Linked to Alex: 12 plays moved.")).to_be_visible(timeout=TIMEOUT)
    people = page.locator("#members-table")
    expect(people.locator("tr", has_text="Alex")).to_contain_text("alice.w", timeout=TIMEOUT)
    expect(people.locator("tr", has_text="Sam")).to_contain_text("Not linked")

    page.click(f"#link-{alex}")
    page.click("#link-choice", timeout=TIMEOUT)
    page.get_by_role("option", name="Not linked").click()
    expect(page.locator("#link-preview")).to_have_text("12 plays will move from Alex to no one.", timeout=TIMEOUT)
    page.click("#link-confirm")
    expect(page.get_by_text("Unlinked: 12 plays moved.")).to_be_visible(timeout=TIMEOUT)
