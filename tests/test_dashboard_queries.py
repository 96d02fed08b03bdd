"""The member dashboard's queries on hand-made data whose right answers are known: each section, untidy rows,
server and member isolation, and the privacy floor (nothing about fewer than 3 other people)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from smartplex.db import get_engine, session
from smartplex.models import MediaItem, User
from smartplex.services import clock, dashboard, recommendations
from smartplex.services.auth import UserView
from tests import factories

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)  # a Monday


class World:
    """Two servers, a member ("me"), other people, and helpers to add items and events."""

    def __init__(self, owner_id: int) -> None:
        self.server = factories.server(owner_id, "Home", machine_id="m" * 40)
        self.other_server = factories.server(owner_id, "Cabin", machine_id="c" * 40)
        self.me = factories.person("Me Member", plex_account_id=101)
        self.people = [factories.person(f"Other {n}", plex_account_id=200 + n) for n in range(5)]

    def item(self, title: str, type: str = "movie", *, server: int | None = None, **fields: Any) -> int:
        """An item with a poster."""
        rating_key = fields.pop("rating_key", None) or factories.rating_key()
        fields.setdefault("thumb", f"/library/metadata/{rating_key}/thumb/1")
        return factories.item(server or self.server, title, type, rating_key=rating_key, **fields)

    def show(
        self,
        title: str,
        episodes: int,
        *,
        genres: list[str] | None = None,
        added: datetime | None = None,
        duration_ms: int = 0,
    ) -> tuple[int, list[int]]:
        """A show with one season of `episodes` (episode n added n minutes after `added`); (show id, episode ids)."""
        return factories.show(
            self.server, title, episodes, genres=genres or [], year=2020, rating_key=f"show-{title}",
            thumb=f"/library/metadata/show-{title}/thumb/1",
            episode_fields=[
                {"added_at": (added + timedelta(minutes=n)) if added else None, "duration_ms": duration_ms,
                 "thumb": f"/library/metadata/ep-{title}-{n}/thumb/1"}
                for n in range(1, episodes + 1)
            ],
        )  # fmt: skip

    def event(
        self,
        user: int | None,
        item: int | None,
        kind: str,
        at: datetime,
        progress: float = 0.0,
        *,
        server: int | None = None,
        rating: float = 0.0,
        account: int | None = None,
    ) -> None:
        if account is None and user is not None:
            with session() as s:
                account = s.get(User, user).plex_account_id  # type: ignore[union-attr]
        factories.play(
            server or self.server, user, item, at, kind, progress, plex_account_id=account, user_rating=rating
        )

    def watch(self, user: int, item: int, at: datetime, **options: Any) -> None:
        """A whole viewing: play, pause, resume, scrobble."""
        self.event(user, item, "play", at, 0.0, **options)
        self.event(user, item, "pause", at + timedelta(minutes=20), 0.3, **options)
        self.event(user, item, "resume", at + timedelta(minutes=25), 0.3, **options)
        self.event(user, item, "scrobble", at + timedelta(minutes=90), 1.0, **options)


@pytest.fixture
def world(admin: UserView) -> World:
    return World(admin.id)


def titles(cards: list[dashboard.Card]) -> list[str]:
    return [c.title for c in cards]


def _core(card: dashboard.Card) -> dashboard.Card:
    """The card without the fields a test checks on its own (play link key, backdrop, label, dates, runtime, which
    server and which title across servers)."""
    return dataclasses.replace(
        card, rating_key=None, art_id=None, episode="", added_at=None, duration_min=None, server_id=0, identity=""
    )


def key_of(item_id: int) -> str:
    with session() as s:
        return s.get(MediaItem, item_id).rating_key  # type: ignore[union-attr]


# --------------------------------------------------------------------------- continue watching


def test_continue_watching_keeps_started_unfinished_items_newest_first(world: World) -> None:
    w, me = world, world.me
    half = w.item("Half Watched", genres=["Drama"], year=1999)
    w.event(me, half, "play", NOW - timedelta(hours=5), 0.0)
    w.event(me, half, "pause", NOW - timedelta(hours=4), 0.5)
    w.event(me, half, "rate", NOW - timedelta(hours=3), rating=8.0)  # a rating is not where they got to
    finished = w.item("Finished")
    w.event(me, finished, "pause", NOW - timedelta(hours=3), 0.5)
    w.event(me, finished, "scrobble", NOW - timedelta(hours=2), 1.0)
    w.event(me, w.item("Nearly Done"), "stop", NOW - timedelta(hours=2), 0.95)
    w.event(me, w.item("Barely Started"), "stop", NOW - timedelta(hours=2), 0.01)
    w.event(me, w.item("Gone", removed_at=NOW - timedelta(days=1)), "pause", NOW - timedelta(hours=1), 0.5)
    w.event(me, w.item("Elsewhere", server=w.other_server), "pause", NOW, 0.5, server=w.other_server)
    w.event(w.people[0], w.item("Theirs"), "pause", NOW, 0.5)
    w.event(me, None, "pause", NOW, 0.5)  # an item not synced yet
    show, (ep1, ep2, _) = w.show("Dark Waters", 3, genres=["Mystery"])
    w.event(me, ep1, "pause", NOW - timedelta(hours=2), 0.4)
    w.event(me, ep2, "pause", NOW - timedelta(hours=1), 0.3)
    later = w.item("Newest", year=0, genres=[])
    w.event(me, later, "stop", NOW - timedelta(minutes=1), 0.2)

    cards = dashboard.continue_watching(me, w.server)

    assert titles(cards) == ["Newest", "Dark Waters", "Half Watched"]
    newest, episode, movie = cards
    assert (newest.year, newest.genres, newest.progress) == (None, [], 0.2)
    # An episode plays as itself, under its show's poster and backdrop, labelled "S1 · E2".
    assert (episode.episode, episode.rating_key, episode.art_id) == ("S1 · E2", key_of(ep2), None)
    assert _core(episode) == dashboard.Card(
        media_item_id=ep2,
        title="Dark Waters",
        subtitle="S1 · E2 · Episode 2",
        year=2020,
        type="episode",
        genres=["Mystery"],
        thumb_url=f"/api/images/{show}?w=300",
        progress=0.3,
    )
    assert (movie.media_item_id, movie.progress, movie.year, movie.thumb_url) == (
        half,
        0.5,
        1999,
        f"/api/images/{half}?w=300",
    )
    assert titles(dashboard.continue_watching(me, w.server, limit=2)) == ["Newest", "Dark Waters"]
    assert titles(dashboard.continue_watching(w.people[0], w.server)) == ["Theirs"]
    assert titles(dashboard.continue_watching(me, w.other_server)) == ["Elsewhere"]


# --------------------------------------------------------------------------- recently added


def test_recently_added_groups_episodes_into_their_show(world: World) -> None:
    w = world
    w.item("Old Movie", added_at=NOW - timedelta(days=30))
    w.item("New Movie", added_at=NOW - timedelta(days=1), genres=["Comedy"])
    w.item("Removed Movie", added_at=NOW, removed_at=NOW)
    w.item("Undated Movie")
    w.item("Other Server Movie", added_at=NOW, server=w.other_server)
    show, episodes = w.show("Dark Waters", 30, genres=["Mystery"], added=NOW - timedelta(hours=5))
    orphan = w.item(
        "Lost Episode",
        "episode",
        grandparent_rating_key="missing-show",
        grandparent_title="Nowhere",
        parent_index=2,
        item_index=7,
        added_at=NOW - timedelta(days=2),
    )

    cards = dashboard.recently_added(w.server)

    assert titles(cards) == ["Dark Waters", "New Movie", "Nowhere", "Old Movie"]
    # The show plays as the show, and is as new as its newest episode.
    assert (cards[0].rating_key, cards[0].episode, cards[0].added_at) == ("show-Dark Waters", "", NOW - timedelta(hours=5, minutes=-30))
    assert _core(cards[0]) == dashboard.Card(
        media_item_id=show,
        title="Dark Waters",
        subtitle="S1 · E30 · Episode 30",
        year=2020,
        type="show",
        genres=["Mystery"],
        thumb_url=f"/api/images/{show}?w=300",
        progress=0.0,
    )
    assert (cards[2].media_item_id, cards[2].type, cards[2].subtitle) == (orphan, "episode", "S2 · E7 · Lost Episode")
    # 30 new episodes fill the first look-back window of a short list: it looks further.
    assert titles(dashboard.recently_added(w.server, limit=2)) == ["Dark Waters", "New Movie"]
    assert titles(dashboard.recently_added(w.other_server)) == ["Other Server Movie"]
    assert len(episodes) == 30


# --------------------------------------------------------------------------- trending


def _trending_week(w: World) -> int:
    """Plays whose trending answer is known (see the assertions below); returns the show's id."""
    people = w.people
    hit = w.item("Hit")
    for person in people[:3]:
        w.watch(person, hit, NOW - timedelta(days=2))
    w.watch(people[0], hit, NOW - timedelta(days=1))  # the same person again
    pair = w.item("Pair")  # two people, one of them many times
    for _ in range(5):
        w.event(people[0], pair, "play", NOW - timedelta(days=1))
    w.event(people[1], pair, "play", NOW - timedelta(days=1))
    w.event(people[2], pair, "rate", NOW - timedelta(days=1), rating=10.0)  # a rating is not a play
    w.event(people[3], pair, "play", NOW - timedelta(days=9))  # outside the window
    w.event(people[4], pair, "play", NOW - timedelta(days=1), server=w.other_server)  # another server
    show, (ep1, ep2, ep3) = w.show("Dark Waters", 3)
    w.event(people[0], ep1, "play", NOW - timedelta(days=3))
    w.event(people[1], ep2, "play", NOW - timedelta(days=3))
    w.event(None, ep3, "play", NOW - timedelta(days=3), account=999)  # a Plex account nobody linked yet
    w.event(people[3], ep3, "play", NOW - timedelta(days=3))
    unlinked_twice = w.item("Unlinked Twice")  # one person before and after being linked: counted once
    w.event(None, unlinked_twice, "play", NOW - timedelta(days=1), account=201)
    w.event(people[1], unlinked_twice, "play", NOW - timedelta(days=1))
    w.event(people[2], unlinked_twice, "play", NOW - timedelta(days=1))

    return show


def test_trending_counts_distinct_people_and_hides_titles_below_three(world: World) -> None:
    w = world
    show = _trending_week(w)

    trends = dashboard.trending(w.server, now=NOW)

    assert [(t.card.title, t.members) for t in trends] == [("Dark Waters", 4), ("Hit", 3)]
    assert (trends[0].card.media_item_id, trends[0].card.type, trends[0].card.subtitle) == (show, "show", "")
    assert dashboard.trending(w.server, now=NOW, min_members=1) == trends  # the floor cannot be lowered
    assert [t.card.title for t in dashboard.trending(w.server, now=NOW, min_members=4)] == ["Dark Waters"]
    assert dashboard.trending(w.server, now=NOW + timedelta(days=30)) == []
    assert dashboard.trending(w.other_server, now=NOW) == []
    assert set(dataclasses.asdict(trends[0])) == {"card", "members"}  # counts only, never who


def test_trending_on_the_dashboard_and_in_recommendations_agree(world: World) -> None:
    """One rule (services.watching.trending): the dashboard's row and the recommender's trending signal name the
    same titles with the same counts of people, also for ratings, unlinked accounts and the window's edges."""
    w = world
    _trending_week(w)
    edge = w.item("Edge")
    for person in w.people[:3]:
        w.event(person, edge, "play", NOW - timedelta(days=7))  # exactly a week ago: outside (the window is open)
    inside = w.item("Inside")
    for person in w.people[:3]:
        w.event(person, inside, "play", NOW - timedelta(days=7) + timedelta(seconds=1))

    recommendations.clear_cache()  # cached per database URL, which PostgreSQL runs share

    on_dashboard = {(t.card.title, t.card.media_item_id, t.members) for t in dashboard.trending(w.server, now=NOW)}
    listed = recommendations.popular(w.server, limit=100, now=NOW)
    shared = recommendations.index.shared_figures(w.server)

    assert {title for title, _, _ in on_dashboard} == {"Dark Waters", "Hit", "Inside"}
    assert {r.media_item_id for r in listed if r.reason_kind == "trending"} == {item for _, item, _ in on_dashboard}
    assert set(recommendations.index.trending(shared, w.server, NOW).items()) == {(i, n) for _, i, n in on_dashboard}


# --------------------------------------------------------------------------- history


@pytest.fixture
def history_world(world: World) -> World:
    w, me = world, world.me
    amelie = w.item("Amélie", genres=["Romance"])
    day = NOW - timedelta(days=3)
    w.event(me, amelie, "play", day, 0.0)
    w.event(me, amelie, "pause", day + timedelta(minutes=10), 0.2)
    w.event(me, amelie, "resume", day + timedelta(minutes=12), 0.2)
    w.event(me, amelie, "stop", day + timedelta(minutes=50), 0.6)
    w.event(me, amelie, "scrobble", NOW - timedelta(days=2), 1.0)
    _show, (ep1, ep2) = w.show("Ōkami Den", 2)
    w.watch(me, ep1, NOW - timedelta(days=1))
    w.event(me, ep2, "stop", NOW - timedelta(hours=2), 0.4)
    w.event(me, None, "viewed", NOW - timedelta(days=10), 1.0)
    w.watch(w.people[0], amelie, NOW - timedelta(days=1))
    w.watch(me, w.item("100% Pure", server=w.other_server), NOW, server=w.other_server)
    return w


def test_history_is_one_row_per_item_and_day(history_world: World) -> None:
    w = history_world
    page = dashboard.history(w.me, w.server)

    assert (page.total, page.page, page.pages) == (5, 1, 1)
    assert [(r.card.title, r.card.subtitle, r.finished, r.card.progress) for r in page.rows] == [
        ("Ōkami Den", "S1 · E2 · Episode 2", False, 0.4),
        ("Ōkami Den", "S1 · E1 · Episode 1", True, 1.0),
        ("Amélie", "", True, 1.0),
        ("Amélie", "", False, 0.6),  # play, pause, resume and stop of one evening: one row
        (dashboard.UNKNOWN_TITLE, "", True, 1.0),  # an event whose item is not synced yet
    ]
    assert page.rows[0].watched_at == (NOW - timedelta(hours=2)).isoformat()
    assert page.rows[3].watched_at == (NOW - timedelta(days=3, minutes=-50)).isoformat()
    assert page.rows[4].card.thumb_url is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("AMÉLIE", ["Amélie", "Amélie"]),
        ("éli", ["Amélie", "Amélie"]),
        ("ŌKAMI", ["Ōkami Den", "Ōkami Den"]),  # episodes found by their show's title
        ("episode 1", ["Ōkami Den"]),
        ("%", []),  # LIKE wildcards are literal
        ("_", []),
        ("  ", ["Ōkami Den", "Ōkami Den", "Amélie", "Amélie", dashboard.UNKNOWN_TITLE]),
    ],
)
def test_history_search_is_case_insensitive_unicode(history_world: World, query: str, expected: list[str]) -> None:
    page = dashboard.history(history_world.me, history_world.server, query=query)
    assert [r.card.title for r in page.rows] == expected
    assert page.total == len(expected)


def test_history_filters_by_type_and_date(history_world: World) -> None:
    w = history_world
    movies = dashboard.history(w.me, w.server, media_type="movie")
    assert [r.card.title for r in movies.rows] == ["Amélie", "Amélie"]
    assert [r.card.type for r in dashboard.history(w.me, w.server, media_type="show").rows] == ["episode"] * 2
    day = (NOW - timedelta(days=2)).date()
    assert [r.watched_at for r in dashboard.history(w.me, w.server, since=day, until=day).rows] == [
        (NOW - timedelta(days=2)).isoformat()
    ]
    since = dashboard.history(w.me, w.server, since=NOW - timedelta(days=1, hours=1))
    assert [r.card.subtitle for r in since.rows] == ["S1 · E2 · Episode 2", "S1 · E1 · Episode 1"]
    assert dashboard.history(w.me, w.server, until=date(2000, 1, 1)).total == 0
    with pytest.raises(ValueError):
        dashboard.history(w.me, w.server, media_type="podcast")


def test_history_is_the_members_own_on_this_server(history_world: World) -> None:
    w = history_world
    assert [r.card.title for r in dashboard.history(w.people[0], w.server).rows] == ["Amélie"]
    assert [r.card.title for r in dashboard.history(w.me, w.other_server).rows] == ["100% Pure"]
    assert dashboard.history(w.people[1], w.server) == dashboard.HistoryPage(rows=[], total=0, page=1, pages=1)


def test_history_pages(world: World) -> None:
    w = world
    movie = w.item("Daily")
    for n in range(23):
        w.event(w.me, movie, "viewed", NOW - timedelta(days=n), 1.0)
    first = dashboard.history(w.me, w.server, page_size=10)
    last = dashboard.history(w.me, w.server, page=3, page_size=10)
    assert (first.total, first.pages, len(first.rows), len(last.rows)) == (23, 3, 10, 3)
    assert last.rows[-1].watched_at == (NOW - timedelta(days=22)).isoformat()
    seen = [r.watched_at for p in (1, 2, 3) for r in dashboard.history(w.me, w.server, page=p, page_size=10).rows]
    assert len(set(seen)) == 23
    assert dashboard.history(w.me, w.server, page=99, page_size=10) == last  # past the end: the last page
    assert dashboard.history(w.me, w.server, page=0, page_size=10) == first


# --------------------------------------------------------------------------- stats


def test_stats_hours_days_and_shares(world: World) -> None:
    w, me = world, world.me
    hour = 3_600_000
    long_movie = w.item("Long Movie", duration_ms=2 * hour, genres=["Drama", "War"])
    w.watch(me, long_movie, NOW - timedelta(days=1, hours=2))  # Sunday 10:00: 2 h, finished
    _show, (ep1, ep2) = w.show("Dark Waters", 2, genres=["Mystery", "Drama"], duration_ms=hour)
    w.event(me, ep1, "stop", NOW - timedelta(days=10), 0.5)  # Friday 12:00: half an hour
    w.event(me, ep2, "stop", NOW - timedelta(days=10), 0.95)  # nearly to the end: finished, a whole hour
    epic = w.item("Epic", duration_ms=3 * hour, genres=["War"])
    w.event(me, epic, "viewed", NOW - timedelta(days=100), 1.0)
    w.event(me, w.item("No Duration", genres="Drama"), "viewed", NOW - timedelta(hours=1), 1.0)  # type: ignore[arg-type]
    w.event(me, epic, "viewed", NOW - timedelta(days=400), 1.0)  # more than a year ago
    w.event(me, None, "stop", NOW - timedelta(days=2), 0.5)  # no item: a play without hours or type
    w.watch(w.people[0], epic, NOW - timedelta(days=1))
    w.watch(me, w.item("Elsewhere", duration_ms=hour, server=w.other_server), NOW, server=w.other_server)

    stats = dashboard.stats(me, w.server, NOW)

    # This calendar week (from Monday 00:00), month and year; Sunday's long movie was last week.
    assert (stats.hours_week, stats.hours_month, stats.hours_year) == (0.0, 3.5, 6.5)
    assert stats.plays == 6
    assert stats.favourite_genres == [("Drama", 3), ("Mystery", 2), ("War", 2)]
    assert stats.by_type == {"movie": 3, "episode": 2}
    days = dict(stats.plays_per_day)
    assert len(stats.plays_per_day) == 30 and stats.plays_per_day[-1][0] == "2026-06-15"
    assert stats.plays_per_day[0][0] == "2026-05-17"
    assert (days["2026-06-15"], days["2026-06-14"], days["2026-06-13"], days["2026-06-05"]) == (1, 1, 1, 2)
    assert sum(days.values()) == 5  # the 100-day-old play is outside the 30 days
    # Mon: No Duration; Fri: both episodes; Sat: Epic (7 March) and the unknown item; Sun: Long Movie.
    assert stats.by_weekday == [1, 0, 0, 0, 2, 2, 1]
    assert [(hour, n) for hour, n in enumerate(stats.by_hour) if n] == [(10, 1), (11, 1), (12, 4)]


def test_stats_count_in_the_members_time_zone(world: World) -> None:
    w, me = world, world.me
    hour = 3_600_000
    w.watch(me, w.item("Sunday Movie", duration_ms=2 * hour), NOW - timedelta(hours=26))  # Sun 10:00 UTC
    w.watch(me, w.item("Monday Movie", duration_ms=hour), NOW - timedelta(hours=2))  # Mon 10:00 UTC
    w.watch(me, w.item("March Movie", duration_ms=hour), datetime(2026, 3, 7, 12, 0, tzinfo=UTC))  # winter time

    utc = dashboard.stats(me, w.server, NOW)
    new_york = dashboard.stats(me, w.server, NOW, tz=clock.zone("America/New_York"))
    kiritimati = dashboard.stats(me, w.server, NOW, tz=clock.zone("Pacific/Kiritimati"))  # UTC+14: already Tuesday

    assert [h for h, n in enumerate(utc.by_hour) if n] == [10, 12]
    assert [h for h, n in enumerate(new_york.by_hour) if n] == [6, 7]  # EDT -4 in June, EST -5 in March
    assert new_york.by_hour[6] == 2
    assert utc.hours_week == new_york.hours_week == 1.0  # Sunday is last week in both
    assert kiritimati.hours_week == 3.0  # Kiritimati's Monday began at Sunday 10:00 UTC
    assert kiritimati.by_weekday == [1, 1, 0, 0, 0, 0, 1]  # Mon, Tue local; 8 March (there) was a Sunday
    assert kiritimati.plays_per_day[-1] == ("2026-06-16", 1) and kiritimati.plays_per_day[-2] == ("2026-06-15", 1)


def test_stats_of_nobody_are_zeros(world: World) -> None:
    stats = dashboard.stats(world.me, world.server, NOW)
    assert (stats.hours_year, stats.plays, stats.favourite_genres, stats.by_type) == (
        0.0,
        0,
        [],
        {"movie": 0, "episode": 0},
    )
    assert [count for _, count in stats.plays_per_day] == [0] * 30
    assert stats.by_weekday == [0] * 7 and stats.by_hour == [0] * 24


# --------------------------------------------------------------------------- item detail


def test_item_detail_counts_other_people_only_from_three(world: World) -> None:
    w, me, people = world, world.me, world.people
    movie = w.item(
        "Classic",
        year=1972,
        genres=["Crime"],
        summary="An offer.",
        rating=9.1,
        audience_rating=9.5,
        duration_ms=10_500_000,
    )
    w.watch(me, movie, NOW - timedelta(days=5))
    w.watch(me, movie, NOW - timedelta(days=1))
    w.watch(people[0], movie, NOW - timedelta(days=1))  # finished
    w.event(people[1], movie, "rate", NOW, rating=8.0)  # rated it well
    w.event(people[2], movie, "rate", NOW, rating=5.0)  # rated it poorly: not counted
    w.event(people[3], movie, "stop", NOW, 0.4)  # gave up: not counted
    w.event(None, movie, "scrobble", NOW, 1.0, account=101)  # me, before my account was linked
    w.watch(people[4], movie, NOW, server=w.other_server)  # another server's history says nothing here

    detail = dashboard.item_detail(me, w.server, movie)
    assert detail == dashboard.Detail(
        media_item_id=movie,
        title="Classic",
        subtitle="",
        year=1972,
        type="movie",
        genres=["Crime"],
        summary="An offer.",
        rating=9.1,
        audience_rating=9.5,
        duration_min=175,
        thumb_url=f"/api/images/{movie}?w=300",
        your_plays=2,
        liked_by_count=None,
        rating_key=key_of(movie),
        last_played_at=NOW - timedelta(days=1) + timedelta(minutes=90),
        finished=True,
        server_id=w.server,
    )
    assert dashboard.your_plays_sentence(detail, UTC, NOW) == "You played it twice, last yesterday."  # type: ignore[arg-type]

    w.event(people[3], movie, "stop", NOW + timedelta(minutes=1), 0.92)  # now nearly finished: the third
    assert dashboard.item_detail(me, w.server, movie).liked_by_count == 3  # type: ignore[union-attr]
    assert dashboard.item_detail(people[0], w.server, movie).liked_by_count == 3  # type: ignore[union-attr]


def test_item_detail_of_a_show_counts_its_episodes(world: World) -> None:
    w = world
    show, (ep1, ep2) = w.show("Dark Waters", 2, genres=["Mystery"])
    w.watch(w.me, ep1, NOW - timedelta(days=2))
    w.watch(w.me, ep2, NOW - timedelta(days=1))
    for person in w.people[:3]:
        w.watch(person, ep1, NOW)
    detail = dashboard.item_detail(w.me, w.server, show)
    assert (detail.title, detail.type, detail.your_plays, detail.liked_by_count) == ("Dark Waters", "show", 2, 3)  # type: ignore[union-attr]
    episode = dashboard.item_detail(w.me, w.server, ep2)
    assert (episode.title, episode.subtitle, episode.your_plays, episode.liked_by_count) == (  # type: ignore[union-attr]
        "Dark Waters",
        "S1 · E2 · Episode 2",
        1,
        None,
    )


def test_item_detail_tolerates_missing_data_and_other_servers(world: World) -> None:
    w = world
    bare = w.item("", year=0, genres=[], duration_ms=0, thumb=None)
    detail = dashboard.item_detail(w.me, w.server, bare)
    assert detail == dashboard.Detail(
        media_item_id=bare,
        title=dashboard.UNKNOWN_TITLE,
        subtitle="",
        year=None,
        type="movie",
        genres=[],
        summary="",
        rating=None,
        audience_rating=None,
        duration_min=None,
        thumb_url=None,
        your_plays=0,
        liked_by_count=None,
        rating_key=key_of(bare),
        server_id=w.server,
    )
    assert dashboard.your_plays_sentence(detail, UTC, NOW) == "You haven't watched it yet."  # type: ignore[arg-type]
    assert dashboard.item_detail(w.me, w.other_server, bare) is None
    assert dashboard.item_detail(w.me, w.server, 987_654) is None


# --------------------------------------------------------------------------- all at once


def test_member_dashboard_returns_every_section_on_one_connection(world: World) -> None:
    w = world
    movie = w.item("Hit", added_at=NOW - timedelta(days=1))
    for person in w.people[:3]:
        w.watch(person, movie, NOW - timedelta(days=1))
    w.event(w.me, movie, "pause", NOW - timedelta(hours=1), 0.5)
    checkouts: list[object] = []

    def checked_out(*args: object) -> None:
        checkouts.append(args)

    engine = get_engine()
    sa.event.listen(engine, "checkout", checked_out)
    try:
        board = dashboard.member_dashboard(w.me, w.server, now=NOW)
    finally:
        sa.event.remove(engine, "checkout", checked_out)
    assert len(checkouts) == 1
    assert titles(board.continue_watching) == ["Hit"]
    assert titles(board.recently_added) == ["Hit"]
    assert [(t.card.title, t.members) for t in board.trending] == [("Hit", 4)]
    assert [r.card.title for r in board.history.rows] == ["Hit"]
    assert board.stats.plays == 1


def test_broken_genre_json_reads_as_no_genres(world: World, db_kind: str) -> None:
    if db_kind == "postgres":
        pytest.skip("PostgreSQL's json type refuses broken JSON")
    w = world
    movie = w.item("Broken", added_at=NOW)
    with get_engine().begin() as conn:
        conn.execute(
            sa.text("UPDATE media_item SET genres = :broken WHERE id = :id"), {"broken": '["Drama", oops', "id": movie}
        )
    w.event(w.me, movie, "pause", NOW, 0.5)
    assert [c.genres for c in dashboard.recently_added(w.server)] == [[]]
    assert dashboard.continue_watching(w.me, w.server)[0].genres == []
    assert dashboard.stats(w.me, w.server, NOW + timedelta(minutes=1)).favourite_genres == []
