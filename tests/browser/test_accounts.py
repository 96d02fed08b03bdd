"""First run, sign-in, sign-out, roles and invites, in real Chromium against the running app."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from smartplex.services import auth
from tests.browser.conftest import PHONE, shoot
from tests.conftest import PASSWORD

TIMEOUT = 20_000


def _fill(page: Page, **fields: str) -> None:
    for name, value in fields.items():
        page.fill(f"#{name}", value)


def _sign_in(page: Page, app_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{app_url}/login")
    expect(page.locator("#login-form")).to_be_visible(timeout=TIMEOUT)
    _fill(page, email=email, password=password)
    page.click("#submit")


def test_first_run_creates_the_admin(page: Page, app_url: str) -> None:
    page.goto(app_url)
    expect(page).to_have_url(re.compile(r"/setup$"), timeout=TIMEOUT)
    expect(page.locator("#setup-form")).to_be_visible(timeout=TIMEOUT)
    shoot(page, "first-run-setup")

    page.click("#submit")
    expect(page.locator("#name-error")).to_have_text("Enter your name.", timeout=TIMEOUT)
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.locator("#password-error")).to_be_visible()

    _fill(page, name="Ada Admin", email="not-an-email", password="short", confirm="short")
    page.click("#submit")
    expect(page.locator("#email-error")).to_contain_text("valid email", timeout=TIMEOUT)
    expect(page.locator("#password-error")).to_contain_text("at least 8")

    _fill(page, email="ada@example.com", password=PASSWORD, confirm=PASSWORD + "x")
    page.click("#submit")
    expect(page.locator("#confirm-error")).to_have_text("The passwords do not match.", timeout=TIMEOUT)
    shoot(page, "first-run-errors")

    _fill(page, confirm=PASSWORD)
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/onboarding$"), timeout=TIMEOUT)
    expect(page.locator("#wizard-steps")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#nav-members")).to_be_visible()
    shoot(page, "app-shell-admin")
    assert auth.has_users()

    page.goto(f"{app_url}/setup")
    expect(page).not_to_have_url(re.compile(r"/setup$"), timeout=TIMEOUT)


def test_login_reload_logout_and_wrong_password(page: Page, app_url: str) -> None:
    auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
    page.goto(f"{app_url}/")
    expect(page).to_have_url(re.compile(r"/login"), timeout=TIMEOUT)
    expect(page.locator("#login-form")).to_be_visible(timeout=TIMEOUT)
    shoot(page, "login")

    _sign_in(page, app_url, "ada@example.com", "wrong password")
    expect(page.locator("#form-error")).to_have_text(auth.BAD_LOGIN, timeout=TIMEOUT)
    _fill(page, email="nobody@example.com", password="wrong password")
    page.click("#submit")
    expect(page.locator("#form-error")).to_have_text(auth.BAD_LOGIN, timeout=TIMEOUT)
    shoot(page, "login-wrong-password")

    _fill(page, email="ada@example.com", password=PASSWORD)
    page.click("#submit")
    expect(page.locator("#user-menu")).to_be_visible(timeout=TIMEOUT)

    page.reload()
    expect(page.locator("#user-menu")).to_be_visible(timeout=TIMEOUT)
    expect(page).not_to_have_url(re.compile(r"/login"))

    page.click("#user-menu")
    page.click("#logout")
    expect(page).to_have_url(re.compile(r"/login$"), timeout=TIMEOUT)
    page.goto(f"{app_url}/admin/members")
    expect(page).to_have_url(re.compile(r"/login\?next=/admin/members$"), timeout=TIMEOUT)


def test_login_is_throttled_after_repeated_failures(page: Page, app_url: str) -> None:
    auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
    for _ in range(10):
        with pytest.raises(auth.AuthError):
            auth.login("ada@example.com", "wrong password", "203.0.113.9")
    _sign_in(page, app_url, "ada@example.com")
    expect(page.locator("#form-error")).to_contain_text(re.compile(r"Try again in \d+ s"), timeout=TIMEOUT)
    shoot(page, "login-throttled")
    expect(page.locator("#welcome")).to_have_count(0)


def test_member_cannot_open_admin_pages(page: Page, app_url: str) -> None:
    auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
    auth.create_user("Max Member", "max@example.com", PASSWORD)
    _sign_in(page, app_url, "max@example.com")
    expect(page.locator("#welcome")).to_have_text("Welcome, Max Member", timeout=TIMEOUT)
    expect(page.locator("#nav-members")).to_have_count(0)
    expect(page.locator("#empty-server")).to_contain_text("Your server isn't connected yet")
    shoot(page, "app-shell-member")

    for route in ("/admin/members", "/admin/system"):
        page.goto(f"{app_url}{route}")
        expect(page.locator("#welcome")).to_be_visible(timeout=TIMEOUT)
        expect(page).to_have_url(re.compile(r"/$"))
        expect(page.get_by_text("That page is for admins only.")).to_be_visible(timeout=TIMEOUT)
        page.wait_for_timeout(1_000)  # a second toast would have appeared by now
        expect(page.get_by_text("That page is for admins only.")).to_have_count(1)
        expect(page.locator("#members-table")).to_have_count(0)


def test_invite_link_flow(page: Page, app_url: str) -> None:
    auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
    _sign_in(page, app_url, "ada@example.com")
    expect(page.locator("#user-menu")).to_be_visible(timeout=TIMEOUT)
    page.click("#nav-members")
    expect(page.locator("#members-table")).to_contain_text("ada@example.com", timeout=TIMEOUT)
    page.fill("#invite-name", "Zoë Friend")
    page.click("#create-invite")
    link = page.locator("#invite-link")
    expect(link).to_contain_text("/join?invite=", timeout=TIMEOUT)
    invite_url = link.inner_text()
    shoot(page, "admin-members-invite")

    page.click("#user-menu")
    page.click("#logout")
    expect(page).to_have_url(re.compile(r"/login$"), timeout=TIMEOUT)

    page.goto(invite_url)
    expect(page.locator("#join-form")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#name")).to_have_value("Zoë Friend")
    shoot(page, "join-invite")
    _fill(page, email="zoe@example.com", password=PASSWORD, confirm=PASSWORD)
    page.click("#submit")
    expect(page.locator("#welcome")).to_have_text("Welcome, Zoë Friend", timeout=TIMEOUT)
    expect(page.locator("#nav-members")).to_have_count(0)

    page.click("#user-menu")
    page.click("#logout")
    expect(page).to_have_url(re.compile(r"/login$"), timeout=TIMEOUT)
    page.goto(invite_url)
    expect(page.locator("#form-error")).to_have_text("This invite link has already been used.", timeout=TIMEOUT)
    expect(page.locator("#join-form")).to_have_count(0)


def test_admin_can_change_a_role(page: Page, app_url: str) -> None:
    auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
    max_ = auth.create_user("Max Member", "max@example.com", PASSWORD)
    _sign_in(page, app_url, "ada@example.com")
    expect(page.locator("#user-menu")).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{app_url}/admin/members")
    row = page.locator("#members-table tr", has_text="max@example.com")
    expect(row).to_be_visible(timeout=TIMEOUT)
    row.get_by_role("combobox").click()
    page.get_by_role("option", name="admin").click()
    expect(page.get_by_text("Role updated.")).to_be_visible(timeout=TIMEOUT)
    assert {u.email: u.role for u in auth.list_users(1)}[max_.email] == "admin"


def test_phone_and_dark_mode(page: Page, app_url: str) -> None:
    auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
    page.set_viewport_size(PHONE)
    _sign_in(page, app_url, "ada@example.com")
    expect(page.locator("#wizard-steps")).to_be_visible(timeout=TIMEOUT)
    shoot(page, "app-shell-phone")
    page.click("#phone-menu")
    expect(page.get_by_role("dialog").get_by_text("Members")).to_be_visible(timeout=TIMEOUT)
    shoot(page, "app-shell-phone-menu")
    page.keyboard.press("Escape")
    page.emulate_media(color_scheme="dark")
    page.goto(f"{app_url}/admin/system")
    expect(page.locator("#health-table")).to_contain_text("database", timeout=TIMEOUT)
    shoot(page, "admin-system-dark-phone")
