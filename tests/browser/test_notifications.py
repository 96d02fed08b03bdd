"""The notification centre in real Chromium: the bell counting live, the panel and the page, marking read, a digest's
titles opening their drawer, an announcement, and the settings with a test delivery to a real local endpoint."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from smartplex.services import auth, notifications
from smartplex.services.notifications import kinds
from tests import factories
from tests.browser.conftest import PHONE, shoot, shoot_quiet, sign_in
from tests.conftest import PASSWORD
from tests.notification_fixtures import JsonReceiver

TIMEOUT = 30_000
LIVE = 4_000  # a new notification must show within ~2 s; allow for a busy machine


@pytest.fixture
def people(app_url: str) -> tuple[str, auth.UserView, auth.UserView]:
    admin = auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
    member = auth.create_user("Max Member", "max@example.com", PASSWORD)
    return app_url, admin, member



def test_the_bell_counts_live_and_the_panel_opens_and_marks_read(page: Page, people) -> None:
    app_url, admin, member = people
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Welcome to SmartPlex", "Ask for anything with Request.")
    sign_in(page, app_url, member.email, PASSWORD, "/requests")
    expect(page.locator("#live-badge")).to_have_text("1", timeout=TIMEOUT)
    notifications.notify(member.id, kinds.REQUEST_AVAILABLE, "Dune is available", "It is on the server now. Enjoy!",
                         "/requests#request-1")  # fmt: skip
    written = time.monotonic()
    expect(page.locator("#live-badge")).to_have_text("2", timeout=LIVE)
    assert time.monotonic() - written < 3.0
    expect(page.get_by_text("Dune is available").first).to_be_visible()  # the toast
    page.click("#live-bell")
    panel = page.locator("#live-notices")
    expect(panel.locator(".bell-notice")).to_have_count(2, timeout=TIMEOUT)
    expect(panel).to_contain_text("It is on the server now")
    shoot(page, "bell-panel-desktop", full_page=False)
    panel.locator(".bell-notice").first.click()
    expect(page).to_have_url(f"{app_url}/requests#request-1", timeout=TIMEOUT)
    expect(page.locator("#live-badge")).to_have_text("1", timeout=TIMEOUT)
    page.click("#live-bell")
    page.click("#mark-read")
    expect(page.locator("#live-badge")).to_have_count(0, timeout=TIMEOUT)
    page.keyboard.press("Escape")
    expect(page.locator("#live-notices")).to_have_count(0, timeout=TIMEOUT)
    page.set_viewport_size(PHONE)
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Movie night on Friday", "千と千尋の神隠し at 8 pm, bring snacks.")
    expect(page.locator("#live-badge")).to_have_text("1", timeout=LIVE)
    page.click("#live-bell")
    expect(page.locator("#live-notices")).to_contain_text("Movie night on Friday", timeout=TIMEOUT)
    page.wait_for_timeout(300)
    shoot(page, "bell-panel-phone", full_page=False)


def test_the_notifications_page_pages_marks_and_opens_a_digest_title(page: Page, people) -> None:
    app_url, admin, member = people
    server_id = factories.server(admin.id)
    dune = factories.item(server_id, "Dune: Part Two", year=2024, summary="Paul Atreides unites with the Fremen.",
                          genres=["Science Fiction"])  # fmt: skip
    amelie = factories.item(server_id, "Amélie", year=2001, genres=["Comedy"])
    for n in range(22):
        notifications.notify(member.id, kinds.REQUEST_APPROVED, f"Request {n} was approved", "It is on its way.")
    notifications.notify(member.id, kinds.NEW_IN_GENRES, "New in Science Fiction and Comedy",
                         "Dune: Part Two (2024) and Amélie (2001) arrived on the server.", "/notifications",
                         items=[notifications.ItemRef(dune, "Dune: Part Two", 2024), notifications.ItemRef(amelie, "Amélie", 2001)])  # fmt: skip
    sign_in(page, app_url, member.email, PASSWORD, "/notifications")
    rows = page.locator(".notification-row")
    expect(rows).to_have_count(20, timeout=TIMEOUT)
    expect(page.locator("#notifications-unread")).to_have_text("23 unread")
    expect(rows.first).to_contain_text("New in Science Fiction and Comedy")
    shoot(page, "notifications-page-desktop")
    page.click(f"#title-{dune}")
    expect(page.locator("#detail-drawer")).to_contain_text("Paul Atreides unites with the Fremen.", timeout=TIMEOUT)
    shoot(page, "notifications-digest-drawer", full_page=False)
    page.click("#detail-close")
    first_id = notifications.recent(member.id, limit=1)[0].id
    page.click(f"#read-{first_id}")
    expect(page.locator("#notifications-unread")).to_have_text("22 unread", timeout=TIMEOUT)
    expect(page.locator("#live-badge")).to_have_text("22", timeout=TIMEOUT)  # the bell agrees at once
    page.click("#notifications-older")
    expect(rows).to_have_count(3, timeout=TIMEOUT)
    page.get_by_role("radio", name="Unread").click()
    expect(rows).to_have_count(20, timeout=TIMEOUT)
    page.click("#notifications-mark-all")
    expect(page.locator("#notifications-empty")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#live-badge")).to_have_count(0, timeout=TIMEOUT)
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Live on this page too")
    expect(rows).to_have_count(1, timeout=LIVE)  # the list refreshed itself
    page.get_by_role("radio", name="All").click()
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    shoot_quiet(page, "notifications-page-phone")


def test_an_admin_announces_to_everyone(page: Page, people) -> None:
    app_url, admin, member = people
    sign_in(page, app_url, admin.email, PASSWORD, "/notifications")
    page.click("#announce-open")
    page.click("#announce-send")
    expect(page.locator("#announce-error")).to_have_text("Give the announcement a title.", timeout=TIMEOUT)
    page.fill("#announce-title", "Plex restarts at midnight")
    page.fill("#announce-body", "About 10 minutes; downloads pause meanwhile.")
    page.click("#announce-send")
    expect(page.get_by_text("Announced to 2 people.")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#announce")).to_have_count(0)  # the dialog closed
    assert notifications.recent(member.id)[0].title == "Plex restarts at midnight"
    expect(page.locator("#live-badge")).to_have_text("1", timeout=LIVE)  # the admin is told too
    page.click("#color-mode")
    page.click("#announce-open")
    page.fill("#announce-title", "Ōkami night")
    page.wait_for_timeout(300)
    shoot(page, "notifications-announce-dark", full_page=False)


def test_settings_switches_destinations_and_a_test_delivery(page: Page, people, json_receiver: JsonReceiver) -> None:
    app_url, admin, member = people
    sign_in(page, app_url, member.email, PASSWORD, "/notifications/settings")
    expect(page.locator("#kind-switches")).to_contain_text("Requests on the server", timeout=TIMEOUT)
    expect(page.locator("#kind-switches")).not_to_contain_text("Disk and database size")  # an admin's kind
    page.fill("#channel-url", "https://hooks.example.com/x")
    page.click("#channel-add")
    expect(page.locator("#channel-add-error")).to_contain_text("For a web hook write json://", timeout=TIMEOUT)
    page.fill("#channel-url", json_receiver.apprise_url)
    page.fill("#channel-label", "Home server")
    page.click("#channel-add")
    card = page.locator(".channel-card")
    expect(card).to_have_count(1, timeout=TIMEOUT)
    expect(card).to_contain_text("Home server")
    assert page.locator("#channel-url").input_value() == ""  # the URL does not stay in the form
    channel_id = card.get_attribute("id").removeprefix("channel-")
    page.click(f"#test-{channel_id}")
    expect(page.locator(f"#test-result-{channel_id}")).to_contain_text("Sent", timeout=TIMEOUT)
    assert json_receiver.received[-1]["title"] == "SmartPlex test"
    expect(page.locator("#deliveries")).to_contain_text("Sent")
    page.click(f"#channel-{channel_id}-{kinds.ANNOUNCEMENT}")  # announcements: in the app only
    page.click("#switch-new_in_genres")
    expect(page.locator("#switch-new_in_genres")).to_have_attribute("data-state", "unchecked", timeout=TIMEOUT)
    json_receiver.fail, json_receiver.status = 1, 503
    page.click(f"#test-{channel_id}")
    expect(page.locator(f"#test-result-{channel_id}")).to_contain_text("Not sent", timeout=TIMEOUT)
    expect(page.locator(f"#channel-error-{channel_id}")).to_contain_text("503")
    shoot_quiet(page, "notification-settings-desktop")
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Not sent outside")
    notifications.notify(member.id, kinds.REQUEST_AVAILABLE, "Sent outside")
    deadline = time.monotonic() + 10
    while not any(b["title"] == "Sent outside" for b in json_receiver.received) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [b["title"] for b in json_receiver.received] == ["SmartPlex test", "Sent outside"]
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    shoot_quiet(page, "notification-settings-phone")


def test_admins_set_their_alert_limits(page: Page, people) -> None:
    app_url, admin, _member = people
    sign_in(page, app_url, admin.email, PASSWORD, "/notifications/settings")
    expect(page.locator("#kind-switches")).to_contain_text("Disk and database size", timeout=TIMEOUT)
    page.fill("#limit-webhook_hours", "abc")
    page.click("#limits-save")
    expect(page.locator("#limits-error")).to_contain_text("Hours without webhooks must be a whole number", timeout=TIMEOUT)
    page.fill("#limit-webhook_hours", "36")
    page.fill("#limit-database_mb", "2048")
    page.click("#limits-save")
    expect(page.get_by_text("Alert limits saved.")).to_be_visible(timeout=TIMEOUT)
    from smartplex.services.notifications import watchdog

    assert watchdog.limits() == watchdog.Limits(36, 2048, 5)
    shoot_quiet(page, "notification-settings-admin")
