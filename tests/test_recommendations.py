"""The recommendation engine on a real database with hand-made libraries and histories whose right answer is known."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from smartplex.db import get_engine, session
from smartplex.models import MediaItem
from smartplex.services import recommendations, untidy
from smartplex.services.auth import UserView
from smartplex.services.recommendations import Recommendation, popular, recommend
from tests import factories

NOW = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=400)
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """The shared figures are cached per database URL; PostgreSQL runs reuse one URL for every test."""
    recommendations.clear_cache()
    yield
    recommendations.clear_cache()


@pytest.fixture
def server(admin: UserView) -> int:
    return factories.server(admin.id)


person = factories.person


def item(server_id: int, title: str, kind: str = "movie", **fields: Any) -> int:
    """A title added long ago (so it never counts as new)."""
    fields.setdefault("added_at", LONG_AGO)
    return factories.item(server_id, title, kind, **fields)


def show(server_id: int, title: str, genres: list[str], episodes: int = 2) -> tuple[int, list[int]]:
    """A show with one season; (show id, episode ids)."""
    return factories.show(server_id, title, episodes, genres=genres, added_at=LONG_AGO)


def play(server_id: int, user_id: int | None, item_id: int | None, when: datetime = NOW - timedelta(days=30),
         event: str = "scrobble", progress: float = 1.0, **fields: Any) -> None:  # fmt: skip
    factories.play(server_id, user_id, item_id, when, event, progress, **fields)


def ids(recs: list[Recommendation]) -> list[int]:
    return [r.media_item_id for r in recs]


def by_id(recs: list[Recommendation]) -> dict[int, Recommendation]:
    return {r.media_item_id: r for r in recs}


# --------------------------------------------------------------------------- content


def test_three_sci_fi_movies_make_the_fourth_come_first_because_of_the_closest(server: int) -> None:
    member = person("Max")
    watched = [
        item(server, "Alien Dawn", genres=["Science Fiction", "Horror"], year=1979, directors=["R. Scott"]),
        item(server, "Blade Circuit", genres=["Science Fiction"], year=1982, directors=["R. Scott"]),
        item(server, "Dune Sea", genres=["Science Fiction", "Adventure"], year=2021, directors=["D. Villeneuve"]),
    ]
    for n, movie in enumerate(watched):
        play(server, member, movie, NOW - timedelta(days=10 - n))
    arrival = item(server, "Arrival Signal", genres=["Science Fiction", "Adventure"], year=2016,
                   directors=["D. Villeneuve"], rating=6.0)  # fmt: skip
    for title, genre in [("Love Actually Again", "Romance"), ("Laugh Track", "Comedy"), ("Saddle Up", "Western"),
                         ("Tiny Feet", "Family"), ("Gone Missing", "Mystery")]:  # fmt: skip
        item(server, title, genres=[genre], year=2016, rating=9.5)  # rated higher: content must still win

    recs = recommend(member, server, limit=5, now=NOW)

    assert recs[0].media_item_id == arrival
    assert (recs[0].reason_kind, recs[0].reason) == ("because_watched", "Because you watched Dune Sea")
    assert (recs[0].title, recs[0].year, recs[0].type, recs[0].genres) == (
        "Arrival Signal", 2016, "movie", ["Science Fiction", "Adventure"]
    )
    assert not set(watched) & set(ids(recs))


def test_finished_started_and_removed_titles_are_never_recommended(server: int) -> None:
    member = person("Max")
    scrobbled = item(server, "Scrobbled", genres=["Drama"])
    viewed = item(server, "Viewed In History", genres=["Drama"])
    stopped_at_95 = item(server, "Stopped Near The End", genres=["Drama"])
    half_watched = item(server, "Half Watched", genres=["Drama"])
    rated_only = item(server, "Rated", genres=["Drama"])
    removed = item(server, "Removed Drama", genres=["Drama"], removed_at=NOW - timedelta(days=1))
    series, episodes = show(server, "Watched One Episode Of", ["Drama"])
    play(server, member, scrobbled)
    play(server, member, viewed, event="viewed")
    play(server, member, stopped_at_95, event="stop", progress=0.95)
    play(server, member, half_watched, event="play", progress=0.0)
    play(server, member, half_watched, event="stop", progress=0.5)
    play(server, member, rated_only, event="rate", progress=0.0, user_rating=8.0)
    play(server, member, episodes[0])
    fresh = [item(server, f"Unseen Drama {n}", genres=["Drama"]) for n in range(3)]
    other_show, _ = show(server, "Unseen Drama Series", ["Drama"])

    recs = recommend(member, server, limit=50, now=NOW)

    assert sorted(ids(recs)) == sorted([*fresh, other_show])
    assert {r.type for r in recs} == {"movie", "show"}
    assert removed not in ids(recs) and series not in ids(recs)


def test_watching_episodes_recommends_other_shows_by_the_show(server: int) -> None:
    member = person("Max")
    watched_show, episodes = show(server, "Harbour Detectives", ["Crime", "Drama"], episodes=3)
    for n, episode in enumerate(episodes):
        play(server, member, episode, NOW - timedelta(days=3 - n))
    similar_show, _ = show(server, "Night Precinct", ["Crime"])
    item(server, "Sunny Cartoon", genres=["Animation"])

    recs = recommend(member, server, limit=10, now=NOW)

    assert recs[0].media_item_id == similar_show
    assert (recs[0].type, recs[0].reason) == ("show", "Because you watched Harbour Detectives")
    assert watched_show not in ids(recs)
    assert all(r.type in ("movie", "show") for r in recs)


# --------------------------------------------------------------------------- similar people and privacy


def shared_taste(server: int, supporters: int) -> tuple[int, int, list[int]]:
    """Four members who all watched three westerns; `supporters` of the other three also watched a documentary
    the fourth did not. Returns (the fourth member, the documentary, the westerns)."""
    westerns = [item(server, f"Western {n}", genres=["Western"], year=1960 + n) for n in range(3)]
    documentary = item(server, "Deep Ocean", genres=["Documentary"], year=2020)
    item(server, "Unrelated Comedy", genres=["Comedy"], year=2020, rating=9.0)
    members = [person(name) for name in ("Ann", "Ben", "Cat", "Dan")]
    for member in members:
        for n, western in enumerate(westerns):
            play(server, member, western, NOW - timedelta(days=40 + n))
    for member in members[:supporters]:
        play(server, member, documentary, NOW - timedelta(days=20))
    return members[3], documentary, westerns


def test_what_three_similar_members_watched_comes_with_their_shared_taste(server: int) -> None:
    member, documentary, _ = shared_taste(server, supporters=3)

    recs = by_id(recommend(member, server, limit=5, now=NOW))

    assert recs[documentary].reason_kind == "similar_people"
    western_titles = {f"Western {n}" for n in range(3)}
    assert recs[documentary].reason.removeprefix("Popular with people who like ") in western_titles
    assert recommend(member, server, limit=1, now=NOW)[0].media_item_id == documentary


def test_two_supporters_are_not_enough_to_say_what_similar_people_watched(server: int) -> None:
    member, documentary, _ = shared_taste(server, supporters=2)

    recs = recommend(member, server, limit=5, now=NOW)

    assert "similar_people" not in {r.reason_kind for r in recs}
    assert by_id(recs)[documentary].reason_kind == "top_rated"  # still in the library, for no server-wide reason
    assert by_id(recs)[documentary].reason == "From your library"
    assert not any("Popular" in r.reason or "Trending" in r.reason for r in recs)


def rating_key(item_id: int) -> str:
    with session() as s:
        return s.get(MediaItem, item_id).rating_key  # type: ignore[union-attr]


def test_other_servers_plays_never_count(admin: UserView, server: int) -> None:
    other = factories.server(admin.id, "Cabin")
    member = person("Dan")
    western = item(server, "Western", genres=["Western"])
    documentary = item(server, "Deep Ocean", genres=["Documentary"])
    play(server, member, western)
    elsewhere_western = item(other, "Western", genres=["Western"])
    elsewhere_documentary = item(other, "Deep Ocean", genres=["Documentary"])
    for name in ("Ann", "Ben", "Cat", "Eve"):  # four people on the other server, recently: similar and trending there
        neighbour = person(name)
        play(other, neighbour, elsewhere_western, NOW - timedelta(days=2))
        play(other, neighbour, elsewhere_documentary, NOW - timedelta(days=1))
        # Plex rating keys are small numbers that repeat across servers: a play there, not synced yet, must
        # not land on this server's item with the same key.
        play(other, neighbour, None, NOW - timedelta(days=1), rating_key=rating_key(documentary))
    play(other, member, elsewhere_western, NOW - timedelta(days=1))

    recs = recommend(member, server, limit=5, now=NOW)

    assert ids(recs) == [documentary]
    assert recs[0].reason_kind == "top_rated"
    assert [(r.media_item_id, r.reason_kind) for r in popular(server, now=NOW)] == [
        (western, "top_rated"), (documentary, "top_rated")
    ]
    assert {r.reason_kind for r in recommend(member, other, limit=5, now=NOW)} == {"similar_people"}


# --------------------------------------------------------------------------- trending, new, cold start


def test_trending_needs_three_people_within_seven_days(server: int) -> None:
    trending = item(server, "This Week's Hit", genres=["Thriller"], rating=5.0)
    last_month = item(server, "Last Month's Hit", genres=["Thriller"], rating=5.0)
    two_people = item(server, "Two People's Pick", genres=["Thriller"], rating=9.0)
    people = [person(name) for name in ("Ann", "Ben", "Cat", "Dan")]
    for n, who in enumerate(people[:3]):
        play(server, who, trending, NOW - timedelta(days=6, hours=n))
        play(server, who, last_month, NOW - timedelta(days=40 + n))
    play(server, people[0], trending, NOW - timedelta(days=1))  # a rewatch is the same person
    for who in people[:2]:
        play(server, who, two_people, NOW - timedelta(hours=5))
    newcomer = person("Zoe")

    recs = recommend(newcomer, server, limit=3, now=NOW)

    assert [(r.media_item_id, r.reason_kind, r.reason) for r in recs] == [
        (trending, "trending", "Trending on your server"),
        (last_month, "top_rated", "Popular on your server"),
        (two_people, "top_rated", "Highly rated"),  # two viewers count for nothing; its 9.0 does
    ]
    assert recs == popular(server, limit=3, now=NOW)
    later = recommend(newcomer, server, limit=3, now=NOW + timedelta(days=2))
    assert by_id(later)[trending].reason_kind == "top_rated"
    back_then = by_id(recommend(newcomer, server, limit=3, now=NOW - timedelta(days=38)))  # before the recent index
    assert (back_then[last_month].reason_kind, back_then[trending].reason_kind) == ("trending", "top_rated")


def test_plays_arriving_after_a_request_make_a_title_trend_at_once(server: int) -> None:
    hit = item(server, "Sudden Hit", genres=["Thriller"], rating=3.0)
    item(server, "Classic", genres=["Drama"], rating=9.0)
    newcomer = person("Zoe")
    old = person("Old")
    play(server, old, hit, NOW - timedelta(days=60))
    assert recommend(newcomer, server, limit=1, now=NOW)[0].title == "Classic"

    for name in ("Ann", "Ben", "Cat"):
        play(server, person(name), hit, NOW - timedelta(hours=1))

    assert [(r.media_item_id, r.reason_kind) for r in recommend(newcomer, server, limit=1, now=NOW)] == [
        (hit, "trending")
    ]


def test_new_additions_are_new_for_fourteen_days(server: int) -> None:
    member = person("Max")
    play(server, member, item(server, "Seen", genres=["Drama"]))
    fresh = item(server, "Just Added", genres=["Music"], added_at=NOW - timedelta(days=2))
    older = item(server, "Added Last Month", genres=["Music"], added_at=NOW - timedelta(days=20))
    undated = item(server, "No Date", genres=["Music"], added_at=None)

    ranked = recommend(member, server, limit=10, now=NOW)

    recs = by_id(ranked)
    assert ranked[0].media_item_id == fresh
    assert (recs[fresh].reason_kind, recs[fresh].reason) == ("new", "New on your server")
    assert recs[older].reason_kind == recs[undated].reason_kind == "top_rated"


def test_a_member_without_history_gets_trending_then_top_rated(server: int) -> None:
    watcher = [person(name) for name in ("Ann", "Ben", "Cat")]
    hit = item(server, "Everyone's Watching", genres=["Action"], rating=4.0)
    for who in watcher:
        play(server, who, hit, NOW - timedelta(days=1))
    best = item(server, "Critics' Darling", genres=["Drama"], rating=9.1)
    good = item(server, "Solid Pick", genres=["Drama"], audience_rating=7.5, rating=3.0)
    unknown = item(server, "Never Rated", genres=[])

    recs = recommend(person("Zoe"), server, limit=10, now=NOW)

    assert [(r.media_item_id, r.reason_kind) for r in recs] == [
        (hit, "trending"), (best, "top_rated"), (good, "top_rated"), (unknown, "top_rated")
    ]
    assert [r.reason for r in recs[1:]] == ["Highly rated", "Highly rated", "From your library"]
    assert ids(popular(server, exclude_user_id=watcher[0], now=NOW)) == [best, good, unknown]


# --------------------------------------------------------------------------- missing data


def raw(sql: str, **params: Any) -> None:
    with get_engine().begin() as conn:
        conn.execute(sa.text(sql), params)


def test_missing_values_anywhere_do_not_break_recommendations(server: int, db_kind: str) -> None:
    """The old design died on `'>=' not supported between 'NoneType' and 'int'` comparing a missing year or
    rating with a number. Every missing value the schema lets through is fed here, plus SQLite's freedom to
    store text in a numeric column, which reads back as neither None nor a number."""
    member = person("Max", plex_account_id=4242)
    bare = item(server, "Bare", year=0, rating=0.0, audience_rating=0.0, genres=[], directors=[], actors=[],
                added_at=None, thumb=None)  # fmt: skip
    dramatic = item(server, "Dramatic", genres=["Drama"], year=0, rating=0.0)
    sparse_drama = item(server, "Sparse Drama", genres=["Drama"], year=1999)
    orphan_episode = item(server, "Lost Episode", "episode", parent_rating_key=None, grandparent_rating_key=None)
    raw("INSERT INTO media_item (server_id, rating_key, type, title, genres, directors, actors, synced_at) VALUES "
        "(:s, 'null-json', 'movie', 'JSON Null', 'null', 'null', 'null', :t), "
        "(:s, 'tag-json', 'movie', 'Tag Objects', :tags, '[null, 3, \"\"]', '{}', :t)",
        s=server, t=NOW, tags='[{"tag": "Drama"}, {"id": 1}]')  # fmt: skip
    if db_kind == "sqlite":  # SQLite keeps text in numeric and JSON columns as text
        raw("INSERT INTO media_item (server_id, rating_key, type, title, year, rating, audience_rating, genres,"
            " directors, actors, added_at, synced_at) VALUES (:s, 'texty', 'movie', 'Texty', 'unknown', 'n/a', '',"
            " 'not json', '', 'x', 'yesterday', :t)", s=server, t=NOW)  # fmt: skip
    for movie in (bare, dramatic, orphan_episode):
        play(server, member, movie)
    play(server, None, sparse_drama, plex_account_id=4242)  # before the account was linked: still the member's
    play(server, None, None, rating_key=None, plex_account_id=None)  # nobody, nothing
    play(server, member, None, rating_key=None)  # the member, nothing
    play(server, member, None, rating_key="null-json")  # not synced when played: found by rating key
    play(server, None, bare, plex_account_id=None)  # an unattributed play
    play(server, None, dramatic, plex_account_id=999)  # an account no member is linked to
    play(server, member, dramatic, event="rate", progress=0.0, user_rating=0.0)
    if db_kind == "sqlite":
        raw("INSERT INTO watch_event (server_id, user_id, event, viewed_at, progress, user_rating, source,"
            " dedupe_key) VALUES (:s, :u, 'stop', :t, 'half', 'great', 'webhook', 'texty-event')",
            s=server, u=member, t=NOW)  # fmt: skip

    recs = recommend(member, server, limit=20, now=NOW)
    cold = recommend(person("Zoe"), server, limit=20, now=NOW)

    titles = {r.title for r in recs}
    assert titles.isdisjoint({"Bare", "Dramatic", "Sparse Drama", "JSON Null", "Lost Episode"})
    assert recs[0].title == "Tag Objects" and recs[0].genres == ["Drama"]
    assert recs[0].reason == "Because you watched Dramatic"  # played twice (a scrobble, a rating of 0 = none)
    assert {"Tag Objects"} <= titles and all(r.year >= 0 and math.isfinite(r.score) for r in recs + cold)
    assert {r.title for r in cold} >= {"Bare", "Dramatic", "JSON Null", "Tag Objects"}
    if db_kind == "sqlite":
        texty = next(r for r in cold if r.title == "Texty")
        assert (texty.year, texty.genres) == (0, [])


def test_untidy_values_read_as_unknown() -> None:
    number, names = untidy.number, untidy.tag_names
    assert [number(v) for v in (None, "", "n/a", float("nan"), float("inf"), "7.5", 8)] == [0, 0, 0, 0, 0, 7.5, 8]
    assert names(None) == names("null") == names("{}") == names("not json") == names(b"[1, 2]") == ()
    assert names('["Drama", " Drama ", {"tag": "Crime"}, {"id": 3}, null, ""]') == ("Drama", "Crime")
    assert names(["Comedy"]) == ("Comedy",)


# --------------------------------------------------------------------------- the list as a whole


def test_one_reason_fills_at_most_sixty_percent_of_any_leading_part_while_others_are_available(server: int) -> None:
    westerns = [item(server, f"Western {n}", genres=["Western"]) for n in range(8)]
    documentaries = [item(server, f"Documentary {n}", genres=["Documentary"], rating=5.0) for n in range(10)]
    members = [person(name) for name in ("Ann", "Ben", "Cat", "Dan", "Eve")]
    for who in members:
        for western in westerns[:2]:
            play(server, who, western)
    for who in members[:4]:
        for documentary in documentaries:
            play(server, who, documentary)

    recs = recommend(members[4], server, limit=10, now=NOW)

    kinds = Counter(r.reason_kind for r in recs)
    assert kinds == {"similar_people": 6, "because_watched": 4}  # the ten documentaries alone score higher
    assert [r.reason_kind for r in recs[:3]] == ["similar_people", "similar_people", "because_watched"]
    assert len(recs) == len(set(ids(recs))) == 10
    assert {r.reason for r in recs if r.reason_kind == "similar_people"} == {  # both played titles get named
        "Popular with people who like Western 0", "Popular with people who like Western 1"
    }
    assert Counter(r.reason_kind for r in recommend(members[4], server, limit=20, now=NOW)) == {
        "similar_people": 10, "because_watched": 6  # the others ran out: the cap gives way
    }


def test_a_slightly_favourite_genre_does_not_take_every_slot(server: int) -> None:
    member = person("Max")
    for n in range(3):
        play(server, member, item(server, f"Seen Western {n}", genres=["Western"]), NOW - timedelta(days=1 + n))
        play(server, member, item(server, f"Seen Comedy {n}", genres=["Comedy"]), NOW - timedelta(days=20 + n))
    for n in range(6):
        item(server, f"Western {n}", genres=["Western"])
        item(server, f"Comedy {n}", genres=["Comedy"])

    recs = recommend(member, server, limit=4, now=NOW)

    assert recs[0].genres == ["Western"]  # watched more recently, so a little more telling
    assert Counter(r.genres[0] for r in recs) == {"Western": 3, "Comedy": 1}


def test_same_database_same_list_and_new_plays_are_seen_at_once(server: int) -> None:
    member, documentary, _ = shared_taste(server, supporters=3)
    first = recommend(member, server, limit=5, now=NOW)
    recommendations.clear_cache()
    assert recommend(member, server, limit=5, now=NOW) == first

    play(server, member, documentary, NOW - timedelta(hours=1))  # folded in from the cache, no rebuild
    assert documentary not in ids(recommend(member, server, limit=5, now=NOW))

    added = item(server, "Brand New Western", genres=["Western"], added_at=NOW - timedelta(hours=2))
    # A library change: the previous list is served at once while the figures rebuild in the background...
    assert added not in ids(recommend(member, server, limit=5, now=NOW))
    recommendations.wait_for_rebuilds()
    # ...and the next request gets the new ones.
    assert recommend(member, server, limit=5, now=NOW)[0].media_item_id == added


def test_no_list_for_no_slots(server: int) -> None:
    assert recommend(person("Max"), server, limit=0, now=NOW) == [] == popular(server, limit=0, now=NOW)
