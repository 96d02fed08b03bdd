"""The household's integrations: one row per kind, the secret encrypted and shown masked, the circuit per row."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.models import utcnow
from smartplex.services.auth import AuthError, UserView
from smartplex.services.integrations import breaker, store


def test_save_keeps_the_secret_encrypted_and_shows_it_masked(admin: UserView) -> None:
    view = store.save(admin.id, "overseerr", base_url="http://seerr.lan:5055", secret="abcdef0123456789")
    assert (view.base_url, view.secret_mask, view.health_status) == ("http://seerr.lan:5055", "••••6789", "unknown")
    with get_engine().connect() as conn:
        stored = conn.execute(sa.text("SELECT secret_encrypted, server_id FROM integration")).one()
    assert "abcdef0123456789" not in stored[0] and stored[1] is None
    assert store.connection("overseerr") == store.Connection("http://seerr.lan:5055", "abcdef0123456789", {})


def test_one_row_per_kind_secret_kept_unless_given_and_settings_merged(admin: UserView) -> None:
    store.save(admin.id, "openai", base_url="http://llm.lan/v1", secret="sk-1", settings={"model": "a"})
    store.save(admin.id, "openai", base_url="http://llm.lan/v1", settings={"budget_usd": 5})
    found = store.connection("openai")
    assert found is not None and (found.secret, found.settings) == ("sk-1", {"model": "a", "budget_usd": 5})
    store.save(admin.id, "openai", base_url="http://llm.lan/v1", secret="")
    assert store.connection("openai").secret is None  # type: ignore[union-attr]
    with get_engine().connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM integration")).scalar_one() == 1


def test_members_cannot_save_and_unknown_kinds_are_refused(admin: UserView, member: UserView) -> None:
    with pytest.raises(AuthError):
        store.save(member.id, "tautulli", base_url="http://t", secret="x")
    with pytest.raises(store.IntegrationError):
        store.save(admin.id, "plex", base_url="http://p")
    assert store.get("tautulli") is None


def test_the_circuit_opens_after_three_failures_and_a_new_address_closes_it(admin: UserView) -> None:
    store.save(admin.id, "tautulli", base_url="http://t:8181", secret="key")
    for _ in range(breaker.FAILURES_TO_OPEN):
        assert store.blocked_until("tautulli") is None
        store.record_call("tautulli", "timeout")
    until = store.blocked_until("tautulli")
    assert until is not None and until > utcnow() + timedelta(minutes=4)
    assert store.get("tautulli").health_status == "down"  # type: ignore[union-attr]
    store.save(admin.id, "tautulli", base_url="http://t2:8181")
    assert store.blocked_until("tautulli") is None
    store.record_call("tautulli", "API key rejected", rejected=True)
    assert store.get("tautulli").health_status == "rejected"  # type: ignore[union-attr]
    store.record_call("tautulli", None, 42)
    view = store.get("tautulli")
    assert view is not None and (view.health_status, view.last_latency_ms, view.last_error) == ("ok", 42, "")
