"""The profile and "Play in Plex" handlers check the caller on the server: anonymous or member clients that send
them directly change nothing."""

from __future__ import annotations

import pytest
from smartplex.services import auth, preferences
from smartplex.state.auth import AuthState
from smartplex.state.plex_admin import PlexAdminState
from smartplex.state.profile import ProfileState
from tests.test_state_guards import REFUSED, _js, _signed_in, _sub

@pytest.mark.anyio
async def test_a_member_cannot_choose_where_play_links_go(admin: auth.UserView, member_session: str) -> None:
    plex_admin = _sub(_signed_in(member_session), PlexAdminState)
    result = await PlexAdminState.save_plex_web_url.fn(plex_admin, form={"plex_web_url": "https://evil.example"})
    assert REFUSED in _js(result)
    assert preferences.plex_web_url() is None


@pytest.mark.anyio
async def test_an_admin_can_and_a_bad_address_is_explained(admin: auth.UserView, admin_session: str) -> None:
    plex_admin = _sub(_signed_in(admin_session), PlexAdminState)
    assert await PlexAdminState.save_plex_web_url.fn(plex_admin, form={"plex_web_url": "ftp://x"}) is None
    assert plex_admin.plex_web_url_error and preferences.plex_web_url() is None
    result = await PlexAdminState.save_plex_web_url.fn(plex_admin, form={"plex_web_url": "plex.example.com:32400"})
    assert "plex.example.com" in _js(result)
    assert plex_admin.play_link_example.startswith("https://plex.example.com:32400/web/index.html#!/server/")


@pytest.mark.anyio
async def test_anonymous_profile_calls_change_nothing(member: auth.UserView) -> None:
    profile_state = _sub(_signed_in(""), ProfileState)
    assert await ProfileState.save.fn(profile_state, form={"name": "Mallory", "time_zone": "UTC"}) is None
    assert await ProfileState.adopt_browser_time_zone.fn(profile_state, reported="Asia/Tokyo") is None
    assert await ProfileState.change_password.fn(profile_state, form={"current_password": "x"}) is None
    assert auth.user_by_email(member.email) == member


@pytest.mark.anyio
async def test_a_member_saves_their_profile_and_the_shell_follows(member: auth.UserView, member_session: str) -> None:
    root = _signed_in(member_session)
    profile_state = _sub(root, ProfileState)
    refused = await ProfileState.save.fn(profile_state, form={"name": "", "time_zone": "Nowhere/Land"})
    assert refused is None and set(profile_state.errors) == {"name", "time_zone"}
    saved = await ProfileState.save.fn(profile_state, form={"name": "Max M", "time_zone": "Europe/Paris"})
    assert "Profile saved." in _js(saved)
    shell = _sub(root, AuthState)
    assert (shell.user_name, shell.user_time_zone) == ("Max M", "Europe/Paris")
    # The browser's zone is only a first guess: it never replaces the member's own choice.
    assert await ProfileState.adopt_browser_time_zone.fn(profile_state, reported="Asia/Tokyo") is None
    assert auth.user_by_email(member.email).time_zone == "Europe/Paris"  # type: ignore[union-attr]
