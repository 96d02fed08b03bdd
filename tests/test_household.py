"""Several servers in one household: who reaches which server, the remembered choice, and the merged views (a title
on two servers once, with where it is; people counted once across servers for the privacy floor)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smartplex.db import get_engine, session
from smartplex.models import Role, Server, User
from smartplex.services import auth, dashboard, recommendations, watching
from smartplex.services.auth import UserView
from smartplex.services.dashboard.search import search_titles
from smartplex.services.plex import household, removal
from tests import factories
from tests.conftest import PASSWORD

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


class Household:
    """Two servers of one owner ("Home", "Cabin"), a member, other people, and the same film on both."""

    def __init__(self, owner_id: int) -> None:
        self.owner = owner_id
        self.home = factories.server(owner_id, "Home", machine_id="h" * 40)
        self.cabin = factories.server(owner_id, "Cabin", machine_id="c" * 40)
        self.me = factories.person("Me Member", plex_account_id=101)
        self.people = [factories.person(f"Other {n}", plex_account_id=200 + n) for n in range(4)]
        self.film_home = self.item(self.home, "Heat", guid="plex://movie/5d7768", added_at=NOW - timedelta(days=2))
        self.film_cabin = self.item(self.cabin, "Heat", guid="plex://movie/5d7768", added_at=NOW - timedelta(days=1))

    def item(self, server: int, title: str, **fields: object) -> int:
        key = factories.rating_key()
        fields.setdefault("thumb", f"/library/metadata/{key}/thumb/1")
        return factories.item(server, title, "movie", rating_key=key, **fields)

    def play(self, user: int, item: int, server: int, at: datetime = NOW - timedelta(hours=2)) -> None:
        with session() as s:
            account = s.get(User, user).plex_account_id  # type: ignore[union-attr]
        factories.play(server, user, item, at, "scrobble", 1.0, plex_account_id=account)

    def shares(self, server: int, accounts: list[int]) -> None:
        household.record_accounts(server, accounts)


@pytest.fixture
def h(admin: UserView) -> Household:
    return Household(admin.id)


def test_members_reach_the_servers_shared_with_them_and_admins_reach_all(h: Household, admin: UserView) -> None:
    both = household.scope_for(h.me)
    assert [s.name for s in both.reachable] == ["Home", "Cabin"] and both.server_ids == (h.home, h.cabin)
    h.shares(h.cabin, [1, 200])  # Cabin is shared with Other 0 only
    assert household.scope_for(h.me).server_ids == (h.home,)
    assert household.scope_for(h.people[0]).server_ids == (h.home, h.cabin)
    assert household.scope_for(admin.id).server_ids == (h.home, h.cabin)
    unlinked = auth.create_user("No Plex", "noplex@example.com", PASSWORD, role=Role.MEMBER)
    assert household.scope_for(unlinked.id).server_ids == (h.home, h.cabin)  # nothing says otherwise


def test_another_admins_server_is_theirs_alone(h: Household) -> None:
    other = auth.create_user("Olga Other", "olga@example.com", PASSWORD, role=Role.ADMIN)
    theirs = factories.server(other.id, "Olga's", machine_id="o" * 40)
    assert theirs not in household.scope_for(h.me).server_ids
    assert household.scope_for(other.id).server_ids == (h.home, h.cabin, theirs)
    with pytest.raises(ValueError, match="not one you can reach"):
        household.choose(h.me, theirs)


def test_the_choice_is_remembered_and_a_forged_one_refused(h: Household) -> None:
    assert household.choose(h.me, h.cabin).server_ids == (h.cabin,)
    assert household.scope_for(h.me).server_ids == (h.cabin,)  # remembered
    h.shares(h.cabin, [200])  # no longer shared with me: back to what I reach
    assert household.scope_for(h.me).server_ids == (h.home,)
    for forged in (987_654, -1):
        with pytest.raises(ValueError):
            household.choose(h.me, forged)
    assert household.choose(h.me, 0).chosen == 0


def test_merged_views_show_a_title_once_with_where_it_is(h: Household) -> None:
    only_cabin = h.item(h.cabin, "Solaris", added_at=NOW - timedelta(hours=1))
    both = (h.home, h.cabin)
    added = dashboard.recently_added(both)
    assert [(c.title, c.where) for c in added] == [("Solaris", ()), ("Heat", ("Home", "Cabin"))]
    assert [c.media_item_id for c in dashboard.recently_added(h.home)] == [h.film_home]
    found = search_titles(both, "heat")
    assert [(c.title, c.where) for c in found] == [("Heat", ("Home", "Cabin"))]
    assert [c.media_item_id for c in search_titles(h.cabin, "sol")] == [only_cabin]
    assert search_titles(h.home, "sol") == []


def test_trending_counts_each_person_once_across_servers(h: Household) -> None:
    p = h.people
    h.play(p[0], h.film_home, h.home)
    h.play(p[1], h.film_home, h.home)
    h.play(p[2], h.film_cabin, h.cabin)
    with get_engine().connect() as conn:
        assert watching.trending(conn, h.home, NOW) == []  # two people: below the floor on its own
        merged = watching.trending(conn, (h.home, h.cabin), NOW)
    assert [(t.people, t.servers) for t in merged] == [(3, (h.home, h.cabin))]
    trend = dashboard.trending((h.home, h.cabin), now=NOW)
    assert [(t.card.title, t.members, t.card.where) for t in trend] == [("Heat", 3, ("Home", "Cabin"))]


def test_the_same_people_on_two_servers_are_not_counted_twice(h: Household) -> None:
    for person in h.people[:2]:
        h.play(person, h.film_home, h.home)
        h.play(person, h.film_cabin, h.cabin)
    assert dashboard.trending((h.home, h.cabin), now=NOW) == []  # two people, not four


def test_merged_recommendations_skip_titles_played_on_any_server(h: Household) -> None:
    for person in h.people:
        h.play(person, h.film_home, h.home)
        h.play(person, h.film_cabin, h.cabin)
    h.item(h.cabin, "Ronin", genres=["Crime"])
    both = (h.home, h.cabin)
    before = recommendations.recommend(h.me, both, 10, now=NOW)
    assert sum(r.title == "Heat" for r in before) == 1
    heat = next(r for r in before if r.title == "Heat")
    assert heat.where == ("Home", "Cabin")
    h.play(h.me, h.film_cabin, h.cabin)  # watched at the cabin: not recommended at home either
    recommendations.clear_cache()
    after = recommendations.recommend(h.me, both, 10, now=NOW)
    assert "Heat" not in [r.title for r in after] and "Ronin" in [r.title for r in after]


def test_history_keeps_a_removed_servers_plays(h: Household) -> None:
    h.play(h.me, h.film_cabin, h.cabin)
    h.play(h.me, h.film_home, h.home, NOW - timedelta(days=1))
    removal.remove(h.owner, h.cabin)
    scope = household.scope_for(h.me)
    assert scope.server_ids == (h.home,)
    played_on = household.history_ids(scope)
    assert set(played_on) == {h.home, h.cabin}
    rows = dashboard.history(h.me, played_on).rows
    assert [r.card.title for r in rows] == ["Heat", "Heat"]  # the cabin's title is still readable
    assert dashboard.recently_added(scope.server_ids)[0].media_item_id == h.film_home
    with session() as s:
        assert s.get(Server, h.cabin).removed_at is not None  # type: ignore[union-attr]


def test_a_detail_opens_only_on_a_server_the_member_reaches(h: Household) -> None:
    assert dashboard.item_detail(h.me, (h.home, h.cabin), h.film_cabin).server_id == h.cabin  # type: ignore[union-attr]
    h.shares(h.cabin, [200])
    reachable = [s.id for s in household.scope_for(h.me).reachable]
    assert dashboard.item_detail(h.me, reachable, h.film_cabin) is None


def test_merged_history_says_where_each_play_was_and_the_drawer_where_the_title_is(h: Household) -> None:
    h.play(h.me, h.film_cabin, h.cabin)
    h.play(h.me, h.film_home, h.home, NOW - timedelta(days=1))
    both = (h.home, h.cabin)
    assert [r.card.where for r in dashboard.history(h.me, both).rows] == [("Cabin",), ("Home",)]
    assert [r.card.where for r in dashboard.history(h.me, h.home).rows] == [()]  # one server: nothing to say
    assert dashboard.item_detail(h.me, both, h.film_home).where == ("Home", "Cabin")  # type: ignore[union-attr]
    assert dashboard.item_detail(h.me, h.home, h.film_home).where == ()  # type: ignore[union-attr]
    solo = h.item(h.cabin, "Solaris")
    assert dashboard.item_detail(h.me, both, solo).where == ()  # type: ignore[union-attr]
