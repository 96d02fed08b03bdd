"""The public address: stored by an admin, overridden by SMARTPLEX_PUBLIC_URL, used for webhook URLs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import reflex as rx

from smartplex.config import reload_settings
from smartplex.services import preferences
from smartplex.services.auth import AuthError, UserView
from smartplex.services.preferences import PreferenceError
from smartplex.state.auth import AuthState
from smartplex.state.plex_admin import PlexAdminState


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("https://smartplex.example.com/", "https://smartplex.example.com"),
        ("smartplex.example.com", "https://smartplex.example.com"),
        ("http://192.168.1.20:3000", "http://192.168.1.20:3000"),
        ("https://example.com/smartplex/", "https://example.com/smartplex"),
        ("http://[fd00::5]:3000", "http://[fd00::5]:3000"),
    ],
)
def test_public_url_is_stored_normalised(admin: UserView, raw: str, stored: str) -> None:
    assert preferences.set_public_url(admin.id, raw) == stored
    assert preferences.public_url() == stored


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("ftp://example.com", "http:// or https://"),
        ("http://", "host name"),
        ("http://example.com:port", "port is not a number"),
        ("https://user:pw@example.com", "Leave out"),
        ("https://example.com/?next=/", "Leave out"),
        ("https://" + "a" * 520 + ".com", "512 characters"),
    ],
)
def test_bad_public_urls_are_refused_with_a_reason(admin: UserView, raw: str, reason: str) -> None:
    with pytest.raises(PreferenceError, match=reason):
        preferences.set_public_url(admin.id, raw)
    assert preferences.public_url() is None


def test_an_empty_address_clears_it(admin: UserView) -> None:
    preferences.set_public_url(admin.id, "https://smartplex.example.com")
    assert preferences.set_public_url(admin.id, "  ") is None
    assert preferences.public_url() is None


def test_only_an_admin_stores_it(member: UserView) -> None:
    with pytest.raises(AuthError):
        preferences.set_public_url(member.id, "https://evil.example.com")
    assert preferences.public_url() is None


@pytest.fixture
def public_url_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SMARTPLEX_PUBLIC_URL", "https://env.example.com/")
    reload_settings()
    yield "https://env.example.com"
    monkeypatch.undo()
    reload_settings()


def test_the_environment_wins_and_cannot_be_changed_in_the_app(admin: UserView, public_url_env: str) -> None:
    preferences.put(admin.id, preferences.PUBLIC_URL, "https://stored.example.com")
    assert preferences.public_url() == public_url_env
    with pytest.raises(PreferenceError, match="SMARTPLEX_PUBLIC_URL"):
        preferences.set_public_url(admin.id, "https://other.example.com")


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://localhost:3000/api/webhooks/plex/x", True),
        ("http://app.localhost:3000", True),
        ("http://127.0.0.1:3000", True),
        ("http://127.1.2.3", True),
        ("http://[::1]:3000", True),
        ("http://0.0.0.0:3000", True),
        ("http://192.168.1.20:3000", False),
        ("https://smartplex.example.com", False),
        ("http://localhost.example.com", False),
    ],
)
def test_loopback_addresses_are_recognised(url: str, local: bool) -> None:
    assert preferences.is_loopback(url) is local


def _state(root: rx.State, cls: type[rx.State]) -> Any:
    return root.get_substate(cls.get_full_name().split(".")[1:])


@pytest.mark.anyio
async def test_the_webhook_url_warns_on_a_local_address_until_a_public_one_is_set(
    admin: UserView, admin_session: str
) -> None:
    root = rx.State()
    _state(root, AuthState).session_token = admin_session
    page = _state(root, PlexAdminState)
    await PlexAdminState.load.fn(page)
    assert page.webhook_url.startswith("http://localhost:") and page.webhook_is_local  # the dev backend's address

    await PlexAdminState.save_public_url.fn(page, form={"public_url": "http://192.168.1.20:3000"})
    assert page.webhook_url.startswith("http://192.168.1.20:3000/api/webhooks/plex/")
    assert not page.webhook_is_local and page.public_url == "http://192.168.1.20:3000"

    await PlexAdminState.save_public_url.fn(page, form={"public_url": "ftp://nope"})
    assert page.public_url_error == "Start the address with http:// or https://."
    assert page.public_url == "http://192.168.1.20:3000"  # unchanged
