"""The daily digest of new titles in the genres a member watches most: at most one a day, in the member's own morning,
naming titles they have not played, never one notification per item."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smartplex.db import session
from smartplex.models import User
from smartplex.services import auth, notifications
from smartplex.services.notifications import digest, kinds, switches
from tests import factories

MORNING = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # 10:00 UTC: past DIGEST_HOUR for a member in UTC


@pytest.fixture
def library(admin: auth.UserView, member: auth.UserView) -> dict[str, int]:
    """A member who watches science fiction, and what arrived overnight."""
    server_id = factories.server(admin.id)
    long_ago = MORNING - timedelta(days=60)
    for n in range(3):
        watched = factories.item(server_id, f"Old SF {n}", genres=["Science Fiction", "Drama"], added_at=long_ago)
        factories.play(server_id, member.id, watched, MORNING - timedelta(days=20 + n))
    fresh = MORNING - timedelta(hours=5)
    items = {
        "server": server_id,
        "dune": factories.item(server_id, "Dune: Part Two", genres=["Science Fiction"], year=2024, added_at=fresh),
        "amelie": factories.item(server_id, "Amélie", genres=["Comedy"], added_at=fresh),
        "seen": factories.item(server_id, "Arrival", genres=["Science Fiction"], added_at=fresh),
        "older": factories.item(server_id, "Solaris", genres=["Science Fiction"], added_at=MORNING - timedelta(days=3)),
    }
    factories.play(server_id, member.id, items["seen"], MORNING - timedelta(hours=1))
    show_id, episodes = factories.show(server_id, "Foundation", 2, genres=["Science Fiction"], added_at=long_ago,
                                       episode_fields=[{"added_at": fresh}, {"added_at": long_ago}])  # fmt: skip
    items["foundation"] = show_id
    return items


def digests(user_id: int) -> list[notifications.NotificationView]:
    return [n for n in notifications.recent(user_id, limit=50) if n.kind == kinds.NEW_IN_GENRES]


def test_one_digest_a_day_with_the_new_unwatched_titles_in_the_member_s_genres(
    member: auth.UserView, library: dict[str, int]
) -> None:
    assert digest.send_due(library["server"], MORNING) >= 1
    assert digest.send_due(library["server"], MORNING + timedelta(hours=3)) == 0  # later that day: nothing more
    (news,) = digests(member.id)
    assert news.title == "New in Science Fiction"  # of the member's genres (Drama too), the ones that arrived
    assert [i.id for i in news.items] == [library["foundation"], library["dune"]]  # newest first (a tie: the later id)
    assert "arrived on the server" in news.body and news.link == "/notifications"


def test_the_next_day_names_only_what_came_since(member: auth.UserView, library: dict[str, int]) -> None:
    digest.send_due(library["server"], MORNING)
    later = factories.item(library["server"], "Interstellar", genres=["Science Fiction"], year=2014,
                           added_at=MORNING + timedelta(hours=6))  # fmt: skip
    assert digest.send_due(library["server"], MORNING + timedelta(days=1)) >= 1
    newest = digests(member.id)[0]
    assert [i.id for i in newest.items] == [later]
    assert newest.link == f"/?title={later}"  # one title: its detail drawer
    assert newest.body == "Interstellar (2014) arrived on the server."


def test_in_the_member_s_own_morning(member: auth.UserView, library: dict[str, int]) -> None:
    with session() as s:
        s.get(User, member.id).time_zone = "Asia/Tokyo"  # UTC+9
    assert digest.send_due(library["server"], datetime(2026, 12, 3, 23, 0, tzinfo=UTC)) == 0  # 08:00 in Tokyo
    assert digest.send_due(library["server"], datetime(2026, 12, 4, 0, 30, tzinfo=UTC)) == 1  # 09:30 in Tokyo
    factories.item(library["server"], "Gravity", genres=["Science Fiction"], added_at=datetime(2026, 12, 4, 2, tzinfo=UTC))
    assert digest.send_due(library["server"], datetime(2026, 12, 4, 12, 0, tzinfo=UTC)) == 0  # 21:00, the same day there
    assert digest.send_due(library["server"], datetime(2026, 12, 5, 0, 30, tzinfo=UTC)) == 1  # 09:30 the next day
    assert [i.title for i in digests(member.id)[0].items] == ["Gravity"]


def test_before_the_hour_nothing_is_sent(member: auth.UserView, library: dict[str, int]) -> None:
    assert digest.send_due(library["server"], MORNING.replace(hour=digest.DIGEST_HOUR - 1)) == 0
    assert digests(member.id) == []


def test_switched_off_or_nothing_new_or_no_favourite_genres(admin: auth.UserView, member: auth.UserView,
                                                            library: dict[str, int]) -> None:  # fmt: skip
    switches.set_enabled(member.id, False, kinds.NEW_IN_GENRES, False)
    digest.send_due(library["server"], MORNING)
    assert digests(member.id) == []
    assert digests(admin.id) == []  # the admin never played anything: no genres of theirs
    switches.set_enabled(member.id, False, kinds.NEW_IN_GENRES, True)
    assert digest.send_due(library["server"], MORNING + timedelta(days=9)) == 0  # a quiet week: no empty digest
