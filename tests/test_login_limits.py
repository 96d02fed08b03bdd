"""Sign-in limits with the default settings: 10 failures lock an account, 50 lock an address.

A household shares one public address; one member's typos must not lock everybody else out.
"""

from __future__ import annotations

import re

import pytest

from smartplex.config import get_settings
from smartplex.services import auth
from smartplex.services.auth import BAD_LOGIN, AuthError
from tests.conftest import PASSWORD

WRONG = "not the password"
HOUSEHOLD = "203.0.113.50"


def test_defaults() -> None:
    settings = get_settings()
    assert (settings.login_attempts, settings.login_ip_attempts) == (10, 50)


def test_one_account_locked_leaves_the_others_behind_the_address(
    admin: auth.UserView, member: auth.UserView
) -> None:
    for _ in range(10):
        with pytest.raises(AuthError, match=re.escape(BAD_LOGIN)):
            auth.login(admin.email, WRONG, HOUSEHOLD)
    with pytest.raises(AuthError, match="Try again in"):
        auth.login(admin.email, PASSWORD, HOUSEHOLD)
    assert auth.login(member.email, PASSWORD, HOUSEHOLD)[0].id == member.id


def test_address_locked_after_50_failures_over_many_accounts(admin: auth.UserView) -> None:
    for i in range(50):  # 5 guesses at each of 10 unknown accounts: none reaches its own limit
        with pytest.raises(AuthError, match=re.escape(BAD_LOGIN)):
            auth.login(f"guess{i % 10}@example.com", WRONG, HOUSEHOLD)
    with pytest.raises(AuthError, match="Try again in") as exc:
        auth.login(admin.email, PASSWORD, HOUSEHOLD)
    assert exc.value.retry_after > 0
    assert auth.login(admin.email, PASSWORD, "203.0.113.51")[0].id == admin.id
