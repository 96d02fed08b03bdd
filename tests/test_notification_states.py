"""The notification and integration handlers check the caller on the server: a member (or anyone) who sends an admin
event directly is refused and nothing changes; a member's own handlers touch only their own rows."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.models import IntegrationKind
from smartplex.services import api_tokens, auth, notifications
from smartplex.services.integrations import store
from smartplex.services.notifications import channels, kinds, watchdog
from smartplex.state.ai_provider import AiProviderState
from smartplex.state.api_tokens import ApiTokensState
from smartplex.state.integration_health import IntegrationHealthState
from smartplex.state.notification_settings import NotificationSettingsState
from smartplex.state.notifications import NotificationsState
from smartplex.state.tautulli import TautulliState
from tests.test_state_guards import REFUSED, _js, _signed_in, _sub


def count(table: str) -> int:
    with get_engine().connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


async def _run(handler: Any, state: Any, **kwargs: Any) -> list[Any]:
    """A handler's result or yields, as a list (background handlers are async generators)."""
    result = handler.fn(state, **kwargs)
    if hasattr(result, "__aiter__"):
        return [update async for update in result]
    return [await result]


ADMIN_EVENTS = [
    (ApiTokensState, "create", {"form": {"name": "sneaky"}}),
    (TautulliState, "save", {"form": {"url": "http://127.0.0.1:9", "api_key": "k"}}),
    (AiProviderState, "save", {"form": {"url": "http://127.0.0.1:9/v1", "api_key": "", "model": "m"}}),
    (AiProviderState, "disconnect", {}),
    (NotificationsState, "announce", {"form": {"title": "Free pizza", "body": ""}}),
    (NotificationSettingsState, "save_limits", {"form": {"webhook_hours": "1", "database_mb": "1", "disk_percent": "99"}}),
    (IntegrationHealthState, "load", {}),
    (IntegrationHealthState, "test_all", {}),
]


@pytest.mark.anyio
@pytest.mark.parametrize("caller", ["member", "anonymous"])
@pytest.mark.parametrize(("cls", "handler", "kwargs"), ADMIN_EVENTS, ids=[f"{c.__name__}.{h}" for c, h, _ in ADMIN_EVENTS])
async def test_admin_events_from_others_are_refused_and_change_nothing(
    cls: Any, handler: str, kwargs: dict[str, Any], caller: str, admin: auth.UserView, member_session: str
) -> None:
    store.save(admin.id, IntegrationKind.OPENAI, base_url="http://127.0.0.1:9/v1", secret="sk-kept", settings={"model": "m"})
    state = _sub(_signed_in(member_session if caller == "member" else ""), cls)
    updates = await _run(getattr(cls, handler), state, **kwargs)
    assert any(u is not None and REFUSED in _js(u) for u in updates)
    assert api_tokens.mine(admin.id) == [] and count("notification") == 0
    assert store.get(IntegrationKind.TAUTULLI) is None and store.get(IntegrationKind.OPENAI).secret_mask
    assert watchdog.limits() == watchdog.Limits()
    assert count("integration_probe") == 0


@pytest.mark.anyio
async def test_a_member_s_own_settings_and_notifications_only(admin: auth.UserView, member: auth.UserView, member_session: str) -> None:
    theirs = notifications.notify(admin.id, kinds.ANNOUNCEMENT, "For the admin")
    admin_channel = channels.add(admin.id, True, "json://127.0.0.1:9/admin")
    page = _sub(_signed_in(member_session), NotificationsState)
    await NotificationsState.set_read.fn(page, notification_id=theirs, read=True)
    assert notifications.marker(admin.id).unread == 1  # not theirs to mark
    settings = _sub(_signed_in(member_session), NotificationSettingsState)
    await NotificationSettingsState.load.fn(settings)
    assert {s.kind for s in settings.switches} == set(kinds.MEMBER_KINDS)
    result = await NotificationSettingsState.set_switch.fn(settings, kind=kinds.STORAGE, enabled=False)
    assert "no such kind" in _js(result)
    result = await NotificationSettingsState.remove_channel.fn(settings, channel_id=admin_channel.id)
    assert "does not exist" in _js(result) and len(channels.mine(admin.id)) == 1
    await NotificationSettingsState.add_channel.fn(settings, form={"url": "nonsense://x", "label": ""})
    assert settings.add_error.startswith("Apprise does not know") and settings.channels == []
    await NotificationSettingsState.add_channel.fn(settings, form={"url": "ntfy://ntfy.sh/max-secret-topic", "label": "Phone"})
    assert [(c.label, c.service) for c in settings.channels] == [("Phone", "ntfy")]
    with get_engine().connect() as conn:
        assert "max-secret-topic" not in conn.execute(sa.text("SELECT url_encrypted FROM notification_channel WHERE label = 'Phone'")).scalar_one()
