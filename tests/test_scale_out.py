"""The multi-worker setup: rate limits and Reflex state in Redis, accounts in PostgreSQL.

Redis tests use database 15 (flushed before and after); PostgreSQL tests use a database of their own
(smartplex_scale_out). Each skips when its service is not running.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from smartplex import db as dbmod
from smartplex import migrations
from smartplex.config import PROJECT_ROOT, reload_settings
from smartplex.services import auth, invites, ratelimit, vault
from tests.conftest import PASSWORD, reset_postgres, use_database
from tests.test_auth import _race
from tests.test_migrations import postgres_database

REDIS_URL = "redis://127.0.0.1:6379/15"

APP_PROBE = """
import json
from starlette.testclient import TestClient
from smartplex import migrations
migrations.upgrade()
from smartplex.smartplex import app
with TestClient(app()) as client:
    ping, health = client.get("/ping"), client.get("/api/health")
print(json.dumps({"ping": ping.text, "health": health.status_code, "manager": type(app.state_manager).__name__}))
"""


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {exc}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def redis_limits(redis_db: redis.Redis) -> Iterator[redis.Redis]:
    """Rate limits stored in Redis, as every worker of a scaled-out deployment has them."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REFLEX_REDIS_URL", REDIS_URL)
        reload_settings()
        ratelimit.reset()
        yield redis_db
        ratelimit.reset()
    reload_settings()
    ratelimit.reset()


def test_rate_limits_shared_between_workers(redis_limits: redis.Redis) -> None:
    limit = ratelimit.rule("3/minute")
    first_worker = ratelimit._limiter()
    assert type(first_worker.storage).__name__ == "RedisStorage"
    for _ in range(3):
        assert ratelimit.hit(limit, "login:ip:10.8.0.1").allowed
    assert redis_limits.dbsize() > 0

    ratelimit._limiter.cache_clear()  # a second worker builds its own limiter
    assert ratelimit._limiter() is not first_worker
    verdict = ratelimit.check(limit, "login:ip:10.8.0.1")
    assert not verdict.allowed and verdict.retry_after > 0
    assert ratelimit.check(limit, "login:ip:10.8.0.2").allowed


def test_login_lockout_seen_by_other_worker(admin: auth.UserView, redis_limits: redis.Redis) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SMARTPLEX_LOGIN_ATTEMPTS", "3")
        reload_settings()
        for i in range(3):
            with pytest.raises(auth.AuthError, match=re.escape(auth.BAD_LOGIN)):
                auth.login(admin.email, "not the password", f"10.9.0.{i}")
        ratelimit._limiter.cache_clear()
        with pytest.raises(auth.AuthError, match="Try again in"):
            auth.login(admin.email, PASSWORD, "10.9.1.1")
    reload_settings()


def test_reflex_app_uses_redis_state_manager(redis_db: redis.Redis, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update(
        REFLEX_REDIS_URL=REDIS_URL,
        __REFLEX_SKIP_COMPILE="true",
        SMARTPLEX_DB_URL=f"sqlite:///{tmp_path / 'app.db'}",
        SMARTPLEX_DATA_DIR=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "-c", APP_PROBE], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "pong" in result["ping"]
    assert result["health"] == 200
    assert result["manager"] == "StateManagerRedis"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database that SmartPlex points at for one test, then back."""
    url = postgres_database("smartplex_scale_out")
    reset_postgres(url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SMARTPLEX_DB_URL", url)  # restored by the context; use_database sets the same value
        use_database(url)
        migrations.upgrade(url)
        yield url
        dbmod.dispose_engines()
    reload_settings()
    vault.reset()
    ratelimit.reset()


def test_auth_flow_on_postgres(postgres_url: str) -> None:
    assert dbmod.get_engine().dialect.name == "postgresql"
    # Concurrent first-admin signups serialise on PostgreSQL's table lock.
    outcomes = _race(4, lambda i: auth.create_first_admin(f"Admin {i}", f"admin{i}@example.com", PASSWORD, PASSWORD))
    admins = [o for o in outcomes if isinstance(o, auth.UserView)]
    assert len(admins) == 1 and admins[0].is_admin
    assert all(isinstance(o, auth.AuthError) for o in outcomes if o not in admins), outcomes

    user, token = auth.login(admins[0].email, PASSWORD, "10.10.0.1")
    assert user.login_count == 1
    assert auth.user_for_session(token).id == admins[0].id

    invite = invites.create(admins[0].id)
    member, member_token = invites.accept(invite, "Pat Member", "pat@example.com", PASSWORD, PASSWORD)
    assert auth.user_for_session(member_token).role == "member"
    assert [u.email for u in auth.list_users(admins[0].id)] == [admins[0].email, member.email]

    auth.logout(token)
    assert auth.user_for_session(token) is None
