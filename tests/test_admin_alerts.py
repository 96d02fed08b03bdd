"""The admins' alerts besides integrations: syncs failing twice in a row, Plex webhooks that stopped arriving, and the
database or disk past the admin's limits; each told once when it starts and once when it ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smartplex.db import session
from smartplex.models import WebhookEvent, utcnow
from smartplex.services import auth, notifications
from smartplex.services.notifications import watchdog
from smartplex.services.plex import sync
from smartplex.simulators.plex import PlexSimulator
from tests import factories
from tests.plex_fixtures import FAST


def titles(user: auth.UserView) -> list[str]:
    return [n.title for n in notifications.recent(user.id, limit=50)]


def test_syncs_failing_twice_in_a_row_alert_once_and_recovery_too(
    admin: auth.UserView, member: auth.UserView, plex_sim: PlexSimulator
) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    plex_sim.faults.status = 500
    assert sync.run_sync(server_id, "full", options=FAST).status == "failed"
    assert titles(admin) == []  # once can be a blip
    sync.run_sync(server_id, "full", options=FAST)
    name = plex_sim.friendly_name
    assert titles(admin) == [f"Syncs of {name} keep failing"]
    assert "HTTP 500" in notifications.recent(admin.id)[0].body
    plex_sim.faults.reset()
    assert sync.run_sync(server_id, "full", options=FAST).status == "succeeded"
    assert sync.run_sync(server_id, "full", options=FAST).status == "succeeded"
    plex_sim.faults.status = 500
    sync.run_sync(server_id, "full", options=FAST)  # a single failure after a success says nothing
    assert titles(admin) == [f"Syncs of {name} work again", f"Syncs of {name} keep failing"]
    assert titles(member) == []


def _webhook(server_id: int, owner_id: int, ago: timedelta, status: str = "accepted") -> None:
    with session() as s:
        s.add(WebhookEvent(received_at=utcnow() - ago, owner_id=owner_id, server_id=server_id, event="media.play", status=status))


def test_webhooks_silent_for_longer_than_the_admin_set(admin: auth.UserView) -> None:
    server_id = factories.server(admin.id, "Den")
    watchdog.check_webhooks()
    assert titles(admin) == []  # never set up: nothing stopped
    _webhook(server_id, admin.id, timedelta(hours=30))
    _webhook(server_id, admin.id, timedelta(hours=1), status="rejected")  # a refused one is not a delivery from Plex
    item = factories.item(server_id, "Dune")
    factories.play(server_id, admin.id, item, utcnow() - timedelta(hours=3), source="history")
    watchdog.check_webhooks()
    watchdog.check_webhooks()
    assert titles(admin) == ["Plex webhooks stopped: Den"]
    body = notifications.recent(admin.id)[0].body
    assert "30 hours ago" in body and "history shows 1 play since" in body and "Plex Pass" in body
    _webhook(server_id, admin.id, timedelta(minutes=1))
    watchdog.check_webhooks()
    assert titles(admin) == ["Plex webhooks arrive again: Den", "Plex webhooks stopped: Den"]


def test_the_silence_limit_is_the_admin_s_and_zero_switches_it_off(admin: auth.UserView) -> None:
    server_id = factories.server(admin.id, "Den")
    _webhook(server_id, admin.id, timedelta(hours=30))
    watchdog.save_limits(admin.id, "48", "", "5")
    watchdog.check_webhooks()
    assert titles(admin) == []
    watchdog.save_limits(admin.id, "12", "", "5")
    watchdog.check_webhooks()
    assert titles(admin) == ["Plex webhooks stopped: Den"]
    watchdog.save_limits(admin.id, "0", "", "5")
    watchdog.check_webhooks()
    assert titles(admin) == ["Plex webhooks stopped: Den"]  # switched off: the alert ends without a word


def test_database_and_disk_limits(admin: auth.UserView) -> None:
    for n in range(1200):  # about 1.2 MB of rows: past a 1 MB limit on any database
        notifications.notify(admin.id, "announcement", f"Filler {n}", "x" * 1000)
    notifications.mark_all_read(admin.id)
    watchdog.save_limits(admin.id, "", "1", "99")
    watchdog.check_storage()
    watchdog.check_storage()
    news = [n for n in notifications.recent(admin.id, limit=5) if not n.title.startswith("Filler")]
    assert {n.title for n in news} == {"The database is past its size limit", "The disk is nearly full"}
    assert any("the limit is 1 MB" in n.body for n in news)
    watchdog.save_limits(admin.id, "", str(10_000_000), "1")
    watchdog.check_storage()
    news = [n.title for n in notifications.recent(admin.id, limit=5) if not n.title.startswith("Filler")]
    assert sorted(news[:2]) == ["The database is back under its size limit", "The disk has room again"]


@pytest.mark.parametrize(
    ("values", "says"),
    [(("abc", "", ""), "Hours without webhooks"), (("-1", "", ""), "Hours without webhooks"), (("", "", "100"), "Free disk space"),
     (("", "1e9", ""), "The database limit"), (("99999", "", ""), "Hours without webhooks")],
)  # fmt: skip
def test_limits_are_whole_numbers_in_range(admin: auth.UserView, values: tuple[str, str, str], says: str) -> None:
    with pytest.raises(watchdog.LimitError, match=says):
        watchdog.save_limits(admin.id, *values)
    assert watchdog.limits() == watchdog.Limits()


def test_blank_means_off_and_members_cannot_set_limits(admin: auth.UserView, member: auth.UserView) -> None:
    assert watchdog.save_limits(admin.id, " ", None, "") == watchdog.Limits(0, 0, 0)
    with pytest.raises(auth.AuthError):
        watchdog.save_limits(member.id, "1", "1", "1")
    assert watchdog.limits() == watchdog.Limits(0, 0, 0)
