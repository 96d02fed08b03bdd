"""Accounts service: hashing, validation, first admin, login and its rate limits, sessions, invites, roles."""

from __future__ import annotations

import hashlib
import re
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, func, select

from smartplex.config import get_settings, reload_settings
from smartplex.db import session
from smartplex.models import AuthSession, Invite, Role, User, utcnow
from smartplex.services import auth, invites
from smartplex.services.auth import BAD_LOGIN, AuthError, ValidationError
from tests.conftest import PASSWORD

WRONG = "not the password"


def _race(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(0..n-1) in n threads released together; each outcome is a result or the raised exception."""
    barrier = threading.Barrier(n)

    def go(i: int) -> Any:
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(go, i) for i in range(n)]
    return [f.exception() or f.result() for f in futures]


def _user_count() -> int:
    with session() as s:
        return s.exec(select(func.count()).select_from(User)).one()


def _role(user_id: int) -> str:
    with session() as s:
        return s.get(User, user_id).role


def _invite_row(token: str) -> Invite:
    with session() as s:
        return s.exec(select(Invite).where(Invite.token_hash == auth.token_hash(token))).one()


@pytest.fixture
def three_attempts(db_url: str) -> Iterator[int]:
    """Lower the login limit to 3 failures so lockout tests need fewer argon2 rounds."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SMARTPLEX_LOGIN_ATTEMPTS", "3")
        reload_settings()
        yield 3
    reload_settings()


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hashes passed to argon2 verify, recorded by a spy around passlib's real function."""
    context = auth.password_context()
    real_verify = context.verify
    calls: list[str] = []

    def spy(secret: str, hashed: str, *args: Any, **kwargs: Any) -> bool:
        calls.append(hashed)
        return real_verify(secret, hashed, *args, **kwargs)

    monkeypatch.setattr(context, "verify", spy)
    return calls


# --- hashing ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("production_password_cost")
def test_password_hash_is_argon2_and_verifies() -> None:
    hashed = auth.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # the shipped cost
    assert PASSWORD not in hashed
    assert auth.hash_password(PASSWORD) != hashed  # salted
    assert auth.verify_password(PASSWORD, hashed)
    assert not auth.verify_password(WRONG, hashed)


@pytest.mark.parametrize("garbage", ["", "not-a-hash", "$argon2id$v=19$broken", "$2b$12$tooshort"])
def test_verify_with_garbage_hash_is_false(garbage: str) -> None:
    assert auth.verify_password(PASSWORD, garbage) is False


# --- validation -------------------------------------------------------------------------------

GOOD = {"name": "Ada Admin", "email": "ada@example.com", "password": PASSWORD, "confirm": PASSWORD}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"name": ""}, {"name": "Enter your name."}),
        ({"name": "   "}, {"name": "Enter your name."}),
        ({"name": None}, {"name": "Enter your name."}),
        ({"name": "x" * 101}, {"name": "Use at most 100 characters."}),
        ({"name": "Ada\x00Admin"}, {"name": "The name contains invalid characters."}),
        ({"name": "Ada\nAdmin"}, {"name": "The name contains invalid characters."}),
        ({"email": ""}, {"email": "Enter your email address."}),
        ({"email": "a" * 243 + "@example.com"}, {"email": "Use at most 254 characters."}),
        ({"email": "ada.example.com"}, {"email": "Enter a valid email address, like you@example.com."}),
        ({"email": "ada@example"}, {"email": "Enter a valid email address, like you@example.com."}),
        ({"email": "ada @example.com"}, {"email": "Enter a valid email address, like you@example.com."}),
        ({"password": "", "confirm": ""}, {"password": "Choose a password."}),
        ({"password": "p" * 1025, "confirm": "p" * 1025}, {"password": "Use at most 1024 characters."}),
        ({"password": "short", "confirm": "short"}, {"password": "Use at least 8 characters."}),
        (
            {"password": "pass\x07word", "confirm": "pass\x07word"},
            {"password": "The password contains invalid characters."},
        ),
        ({"confirm": PASSWORD + "!"}, {"confirm": "The passwords do not match."}),
        (
            {"name": "", "email": "", "password": ""},
            {"name": "Enter your name.", "email": "Enter your email address.", "password": "Choose a password."},
        ),
    ],
)
def test_validate_account_rejects(changes: dict[str, Any], errors: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as exc:
        auth.validate_account(**{**GOOD, **changes})
    assert exc.value.errors == errors


@pytest.mark.parametrize("email", ["ada\x00@example.com", "ada\x1b@example.com", "ada\x85@example.com"])
def test_validate_account_rejects_control_characters_in_email(email: str) -> None:
    with pytest.raises(ValidationError) as exc:
        auth.validate_account(GOOD["name"], email, PASSWORD, PASSWORD)
    assert set(exc.value.errors) == {"email"}


def test_validate_login_rejects_control_characters_in_email() -> None:
    with pytest.raises(ValidationError) as exc:
        auth.validate_login("ada\x00@example.com", PASSWORD)
    assert set(exc.value.errors) == {"email"}


def test_validate_account_accepts_and_cleans() -> None:
    long_password = "p" * 1024
    assert auth.validate_account("  Zoë 山田 ", " ZOE@Example.COM ", long_password, long_password) == (
        "Zoë 山田",
        "zoe@example.com",
        long_password,
    )


@pytest.mark.parametrize(
    ("email", "password", "errors"),
    [
        ("", "", {"email": "Enter your email address.", "password": "Enter your password."}),
        ("nobody", PASSWORD, {"email": "Enter a valid email address."}),
        ("a" * 250 + "@x.io", PASSWORD, {"email": "Enter a valid email address."}),
        ("ada@example.com", "p" * 1025, {"password": "Use at most 1024 characters."}),
        (None, None, {"email": "Enter your email address.", "password": "Enter your password."}),
    ],
)
def test_validate_login_rejects(email: Any, password: Any, errors: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as exc:
        auth.validate_login(email, password)
    assert exc.value.errors == errors


def test_validate_login_cleans_email() -> None:
    assert auth.validate_login("  Ada@Example.com ", "x") == ("ada@example.com", "x")


# --- first admin ------------------------------------------------------------------------------


def test_first_admin_then_refused(db_url: str) -> None:
    admin = auth.create_first_admin("Zoë 山田", "zoe@example.com", PASSWORD, PASSWORD)
    assert admin.role == Role.ADMIN and admin.is_admin
    assert admin.name == "Zoë 山田"
    with session() as s:
        assert s.get(User, admin.id).name == "Zoë 山田"
    with pytest.raises(AuthError, match="already has an admin"):
        auth.create_first_admin("Other", "other@example.com", PASSWORD, PASSWORD)
    assert _user_count() == 1


def test_first_admin_race_creates_one_user(db_url: str) -> None:
    outcomes = _race(4, lambda i: auth.create_first_admin(f"Admin {i}", f"admin{i}@example.com", PASSWORD, PASSWORD))
    created = [o for o in outcomes if isinstance(o, auth.UserView)]
    refused = [o for o in outcomes if not isinstance(o, auth.UserView)]
    assert len(created) == 1, outcomes
    assert all(isinstance(e, AuthError) for e in refused), refused
    assert _user_count() == 1


# --- login ------------------------------------------------------------------------------------


def test_login_success_records_login_and_stores_only_token_hash(admin: auth.UserView) -> None:
    user, token = auth.login("  ADA@example.com ", PASSWORD, "203.0.113.9")
    assert user.id == admin.id and user.login_count == 1 and user.last_login_at
    with session() as s:
        row = s.get(User, admin.id)
        sessions = s.exec(select(AuthSession)).all()
    assert row.login_count == 1 and row.last_login_at is not None
    expected = (hashlib.sha256(token.encode()).hexdigest(), admin.id, "203.0.113.9")
    assert [(x.token_hash, x.user_id, x.ip) for x in sessions] == [expected]
    auth.login(admin.email, PASSWORD)
    with session() as s:
        assert s.get(User, admin.id).login_count == 2


def test_wrong_password_and_unknown_user_cost_one_verify_each(admin: auth.UserView, verified: list[str]) -> None:
    for email in (admin.email, "nobody@example.com"):
        verified.clear()
        with pytest.raises(AuthError) as exc:
            auth.login(email, WRONG, "10.2.0.1")
        assert str(exc.value) == BAD_LOGIN
        assert len(verified) == 1 and verified[0].startswith("$argon2")


@pytest.mark.usefixtures("production_password_cost")
def test_wrong_password_and_unknown_user_take_similar_time(admin: auth.UserView) -> None:
    def median_failure_seconds(email: str) -> float:
        times = []
        for i in range(3):
            started = time.perf_counter()
            with pytest.raises(AuthError):
                auth.login(email, WRONG, f"10.3.{i}.1")
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    ratio = median_failure_seconds(admin.email) / median_failure_seconds("nobody@example.com")
    assert 1 / 3 < ratio < 3


def test_default_login_limit_is_ten_failures_in_five_minutes() -> None:
    settings = get_settings()
    assert (settings.login_attempts, settings.login_window.total_seconds()) == (10, 300)


def test_account_locked_after_limit_even_with_right_password(admin: auth.UserView, three_attempts: int) -> None:
    for i in range(three_attempts):  # each failure from its own IP, so only the account counter trips
        with pytest.raises(AuthError, match=re.escape(BAD_LOGIN)):
            auth.login(admin.email, WRONG, f"10.4.0.{i}")
    with pytest.raises(AuthError, match="Try again in") as exc:
        auth.login(admin.email, PASSWORD, "10.4.1.1")
    assert exc.value.retry_after > 0


def test_lockout_leaves_other_accounts_and_ips_alone(
    admin: auth.UserView, member: auth.UserView, three_attempts: int
) -> None:
    for i in range(three_attempts):
        with pytest.raises(AuthError, match=re.escape(BAD_LOGIN)):
            auth.login(admin.email, WRONG, f"10.5.0.{i}")
    with pytest.raises(AuthError, match="Try again in"):
        auth.login(admin.email, PASSWORD, "10.5.9.9")
    assert auth.login(member.email, PASSWORD, "10.5.0.0")[0].id == member.id


def test_throttled_login_does_not_verify(admin: auth.UserView, three_attempts: int, verified: list[str]) -> None:
    for i in range(three_attempts):
        with pytest.raises(AuthError):
            auth.login(admin.email, WRONG, f"10.6.0.{i}")
    verified.clear()
    with pytest.raises(AuthError, match="Try again in"):
        auth.login(admin.email, PASSWORD, "10.6.1.1")
    assert verified == []


def test_inactive_user_cannot_log_in(admin: auth.UserView) -> None:
    with session() as s:
        s.exec(sa.update(User).where(col(User.id) == admin.id).values(is_active=False))
    with pytest.raises(AuthError) as exc:
        auth.login(admin.email, PASSWORD)
    assert str(exc.value) == BAD_LOGIN


# --- sessions ---------------------------------------------------------------------------------


def test_session_lookup(admin: auth.UserView, admin_session: str) -> None:
    user = auth.user_for_session(admin_session)
    assert user is not None and user.id == admin.id and user.is_admin


def test_session_lookup_rejects_missing_or_unknown(admin_session: str) -> None:
    for token in (None, "", "unknown-token", admin_session + "x"):
        assert auth.user_for_session(token) is None


def test_session_lookup_rejects_overlong_token(admin: auth.UserView) -> None:
    # A row that would match if length were not checked first.
    overlong = "t" * 257
    with session() as s:
        expires_at = utcnow() + timedelta(hours=1)
        s.add(AuthSession(token_hash=auth.token_hash(overlong), user_id=admin.id, expires_at=expires_at))
    assert auth.user_for_session(overlong) is None


def test_session_ends_at_logout(admin_session: str) -> None:
    auth.logout(admin_session)
    assert auth.user_for_session(admin_session) is None
    with session() as s:
        assert s.exec(select(func.count()).select_from(AuthSession)).one() == 0


def test_session_ends_at_expiry(admin_session: str) -> None:
    with session() as s:
        s.exec(sa.update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert auth.user_for_session(admin_session) is None


def test_session_ends_when_user_deactivated(admin: auth.UserView, admin_session: str) -> None:
    with session() as s:
        s.exec(sa.update(User).where(col(User.id) == admin.id).values(is_active=False))
    assert auth.user_for_session(admin_session) is None


# --- invites ----------------------------------------------------------------------------------


def test_invite_lifecycle(admin: auth.UserView) -> None:
    token = invites.create(admin.id, name="Bo", email="BO@Example.com")
    invite = invites.peek(token)
    assert (invite.role, invite.name, invite.email) == (Role.MEMBER, "Bo", "bo@example.com")
    user, session_token = invites.accept(token, "Bo Member", "bo@example.com", PASSWORD, PASSWORD, "10.7.0.1")
    assert user.role == Role.MEMBER and user.login_count == 1
    assert auth.user_for_session(session_token).id == user.id
    row = _invite_row(token)
    assert row.used_at is not None and row.used_by == user.id
    with pytest.raises(AuthError, match="already been used"):
        invites.peek(token)
    with pytest.raises(AuthError, match="already been used"):
        invites.accept(token, "Again", "again@example.com", PASSWORD, PASSWORD)
    assert _user_count() == 2


def test_member_cannot_create_invite(member: auth.UserView) -> None:
    with pytest.raises(AuthError, match="Only an admin"):
        invites.create(member.id)
    with session() as s:
        assert s.exec(select(func.count()).select_from(Invite)).one() == 0


def test_expired_invite_refused(admin: auth.UserView) -> None:
    token = invites.create(admin.id)
    with session() as s:
        s.exec(sa.update(Invite).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(AuthError, match="expired"):
        invites.peek(token)
    with pytest.raises(AuthError, match="expired"):
        invites.accept(token, "Late", "late@example.com", PASSWORD, PASSWORD)
    assert _user_count() == 1


def test_unknown_invite_refused_before_hashing(admin: auth.UserView, monkeypatch: pytest.MonkeyPatch) -> None:
    for token in (None, "", "no-such-invite", "x" * 300):
        with pytest.raises(AuthError, match="not valid"):
            invites.peek(token)
    hashes: list[str] = []
    context = auth.password_context()
    real_hash = context.hash
    monkeypatch.setattr(context, "hash", lambda secret, **kw: hashes.append(secret) or real_hash(secret, **kw))
    with pytest.raises(AuthError, match="not valid"):
        invites.accept("no-such-invite", "Who", "who@example.com", PASSWORD, PASSWORD)
    assert hashes == []  # a made-up token costs no argon2 work
    assert _user_count() == 1


def test_invite_with_taken_email_stays_unused(admin: auth.UserView) -> None:
    token = invites.create(admin.id)
    with pytest.raises(ValidationError) as exc:
        invites.accept(token, "Copy", admin.email.upper(), PASSWORD, PASSWORD)
    assert exc.value.errors == {"email": "An account with this email already exists."}
    assert _invite_row(token).used_at is None
    assert invites.peek(token).used is False
    assert _user_count() == 1


def test_invite_race_has_one_winner(admin: auth.UserView) -> None:
    token = invites.create(admin.id)
    outcomes = _race(2, lambda i: invites.accept(token, f"Racer {i}", f"racer{i}@example.com", PASSWORD, PASSWORD))
    winners = [o for o in outcomes if isinstance(o, tuple)]
    losers = [o for o in outcomes if not isinstance(o, tuple)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(e, AuthError) and "already been used" in str(e) for e in losers), losers
    assert _user_count() == 2
    assert _invite_row(token).used_by == winners[0][0].id


# --- roles ------------------------------------------------------------------------------------


def test_admin_sets_role(admin: auth.UserView, member: auth.UserView) -> None:
    assert auth.set_role(admin.id, member.id, Role.ADMIN).role == Role.ADMIN
    assert _role(member.id) == Role.ADMIN
    # With a second admin, the first may step down.
    assert auth.set_role(admin.id, admin.id, Role.MEMBER).role == Role.MEMBER
    assert _role(admin.id) == Role.MEMBER


def test_member_cannot_set_roles(admin: auth.UserView, member: auth.UserView) -> None:
    with pytest.raises(AuthError, match="Only an admin"):
        auth.set_role(member.id, member.id, Role.ADMIN)
    with pytest.raises(AuthError, match="Only an admin"):
        auth.set_role(member.id, admin.id, Role.MEMBER)
    assert (_role(admin.id), _role(member.id)) == (Role.ADMIN, Role.MEMBER)


def test_last_admin_cannot_be_demoted(admin: auth.UserView, member: auth.UserView) -> None:
    with pytest.raises(AuthError, match="at least one admin"):
        auth.set_role(admin.id, admin.id, Role.MEMBER)
    assert _role(admin.id) == Role.ADMIN


def test_set_role_rejects_unknown_role(admin: auth.UserView, member: auth.UserView) -> None:
    with pytest.raises(ValidationError):
        auth.set_role(admin.id, member.id, "owner")
    assert _role(member.id) == Role.MEMBER


def test_list_users_is_admin_only(admin: auth.UserView, member: auth.UserView) -> None:
    assert [u.email for u in auth.list_users(admin.id)] == [admin.email, member.email]
    with pytest.raises(AuthError, match="Only an admin"):
        auth.list_users(member.id)
