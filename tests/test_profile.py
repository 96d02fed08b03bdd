"""A member's own profile: name and time zone, the browser's zone on a first visit, and the password."""

from __future__ import annotations

import pytest
from sqlmodel import select

from smartplex.db import session
from smartplex.models import AuthSession, User
from smartplex.services import auth, profile, ratelimit
from smartplex.services.auth import UserView
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    ratelimit.reset()


def test_name_and_time_zone_are_saved(member: UserView) -> None:
    assert member.time_zone == ""
    saved = profile.update_profile(member.id, "  Max Müller ", "Europe/Berlin")
    assert (saved.name, saved.time_zone) == ("Max Müller", "Europe/Berlin")
    assert auth.user_by_email(member.email).time_zone == "Europe/Berlin"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "zone", "fields"),
    [
        ("", "Europe/Berlin", {"name"}),
        ("x" * 101, "UTC", {"name"}),
        ("Max\x07", "UTC", {"name"}),
        ("Max", "Mars/Olympus", {"time_zone"}),
        ("Max", None, {"time_zone"}),
        (None, "<script>", {"name", "time_zone"}),
    ],
)
def test_bad_names_and_zones_are_refused_and_nothing_is_written(member: UserView, name: object, zone: object, fields: set[str]) -> None:
    with pytest.raises(auth.ValidationError) as refused:
        profile.update_profile(member.id, name, zone)
    assert set(refused.value.errors) == fields
    with session() as s:
        user = s.get(User, member.id)
        assert (user.name, user.time_zone) == ("Max Member", None)  # type: ignore[union-attr]


def test_the_browser_zone_is_taken_only_on_a_first_visit(member: UserView) -> None:
    assert profile.adopt_browser_time_zone(member.id, "Not/AZone") is None
    assert profile.adopt_browser_time_zone(member.id, "America/New_York") == "America/New_York"
    assert profile.adopt_browser_time_zone(member.id, "Asia/Tokyo") is None  # already set: the member's choice wins
    assert auth.user_by_email(member.email).time_zone == "America/New_York"  # type: ignore[union-attr]


def test_password_change_checks_the_current_one_and_signs_out_other_devices(member: UserView) -> None:
    _, here = auth.login(member.email, PASSWORD, "127.0.0.1")
    _, elsewhere = auth.login(member.email, PASSWORD, "127.0.0.2")
    with pytest.raises(auth.ValidationError) as wrong:
        profile.change_password(member.id, "not it", "a new long password", "a new long password", here)
    assert set(wrong.value.errors) == {"current_password"}
    with pytest.raises(auth.ValidationError) as short:
        profile.change_password(member.id, PASSWORD, "short", "short", here)
    assert set(short.value.errors) == {"new_password"}
    with pytest.raises(auth.ValidationError) as mismatch:
        profile.change_password(member.id, PASSWORD, "a new long password", "another one", here)
    assert set(mismatch.value.errors) == {"confirm"}
    assert auth.user_for_session(elsewhere) is not None  # nothing changed yet

    profile.change_password(member.id, PASSWORD, "a new long password", "a new long password", here)

    assert auth.user_for_session(here) is not None
    assert auth.user_for_session(elsewhere) is None
    with session() as s:
        assert len(s.exec(select(AuthSession).where(AuthSession.user_id == member.id)).all()) == 1
    assert auth.login(member.email, "a new long password", "127.0.0.1")[0].id == member.id
    with pytest.raises(auth.AuthError):
        auth.login(member.email, PASSWORD, "127.0.0.1")


def test_guessing_the_current_password_is_limited(member: UserView) -> None:
    for _ in range(5):
        with pytest.raises(auth.ValidationError):
            profile.change_password(member.id, "guess", "a new long password", "a new long password", None)
    with pytest.raises(auth.AuthError, match="Too many wrong passwords"):
        profile.change_password(member.id, PASSWORD, "a new long password", "a new long password", None)


def test_a_removed_account_cannot_change_anything(member: UserView) -> None:
    with session() as s:
        s.get(User, member.id).is_active = False  # type: ignore[union-attr]
    with pytest.raises(auth.AuthError):
        profile.update_profile(member.id, "Max", "UTC")
    with pytest.raises(auth.AuthError):
        profile.change_password(member.id, PASSWORD, "a new long password", "a new long password", None)
