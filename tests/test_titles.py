"""What the streaming pages show about titles: the drawer's seasons and people, the hero's slides, library search,
similar titles, cards as views (New badge, Play in Plex, placeholder tint), and local history dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from smartplex.services import clock, dashboard, recommendations
from smartplex.services.auth import UserView
from smartplex.services.dashboard import hero
from smartplex.services.dashboard.search import search_titles
from smartplex.services.plex.links import PlayLinks
from smartplex.state.views import ViewContext, card_view, detail_view, hero_view, history_view, tint
from tests import factories

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    recommendations.clear_cache()


@pytest.fixture
def server(admin: UserView) -> int:
    return factories.server(admin.id, machine_id="m" * 40)


def _show(server: int, title: str = "Ōkami Den") -> tuple[int, list[int]]:
    show_id, episodes = factories.show(
        server, title, 3, rating_key="show-okami", year=2019, genres=["Drama"], actors=["Aiko", "Ben"],
        content_rating="TV-14", art="/library/metadata/show-okami/art/1", thumb="/library/metadata/show-okami/thumb/1",
        episode_fields=[{"duration_ms": 45 * 60_000, "directors": ["Dee"]}] * 3,
    )  # fmt: skip
    return show_id, episodes


def test_a_shows_drawer_lists_its_seasons_with_the_members_marks(server: int, member: UserView) -> None:
    show_id, (ep1, ep2, ep3) = _show(server)
    factories.item(server, "Bonus", "episode", grandparent_rating_key="show-okami", parent_index=0, item_index=1)
    factories.play(server, member.id, ep1, NOW - timedelta(days=40), "scrobble", 1.0)
    factories.play(server, member.id, ep2, NOW - timedelta(days=2), "stop", 0.4)

    detail = dashboard.item_detail(member.id, server, show_id)

    assert detail is not None
    assert [(s.number, s.title, [(e.label, e.watched, e.progress) for e in s.episodes]) for s in detail.seasons] == [
        (1, "Season 1", [("E1", True, 0.0), ("E2", False, 0.4), ("E3", False, 0.0)]),
        (0, "Specials", [("E1", False, 0.0)]),  # specials last, as Plex lists them
    ]
    assert (detail.content_rating, detail.cast, detail.art_id, detail.rating_key) == ("TV-14", ["Aiko", "Ben"], show_id, "show-okami")
    assert dashboard.your_plays_sentence(detail, UTC, NOW) == "You watched 1 of 4 episodes, last on Saturday."
    view = detail_view(detail, ViewContext(links={server: PlayLinks("m" * 40)}, now=NOW), [])
    assert view.open_season == "season-1" and view.seasons[0].watched_label == "1 of 3 watched"
    assert view.seasons[0].episodes[0].runtime == "45 min"
    assert view.play_url.endswith("details?key=%2Flibrary%2Fmetadata%2Fshow-okami")

    episode = dashboard.item_detail(member.id, server, ep2)
    assert episode is not None and (episode.progress, episode.directors, episode.cast, episode.show_id) == (0.4, ["Dee"], ["Aiko", "Ben"], show_id)
    assert dashboard.your_plays_sentence(episode, UTC, NOW) == "You're 40% into it, last on Saturday."
    assert dashboard.item_detail(member.id, server, ep3).seasons == detail.seasons  # type: ignore[union-attr]


def test_hero_leads_with_the_first_pick_then_prefers_backdrops(server: int) -> None:
    plain = factories.item(server, "Plain", year=2001, duration_ms=95 * 60_000, summary="No art here.")
    arty = factories.item(server, "Arty", art="/library/metadata/9/art/1", content_rating="PG")
    _show_id, (ep1, _ep2, _ep3) = _show(server)
    other_server = factories.server(factories.person("Other Owner"), machine_id="o" * 40)
    elsewhere = factories.item(other_server, "Elsewhere", art="/a")
    gone = factories.item(server, "Gone", art="/a", removed_at=NOW)

    picks = [hero.Pick(plain, "Continue watching", 0.3), hero.Pick(elsewhere, "x"), hero.Pick(gone, "x"),
             hero.Pick(plain, "again"), hero.Pick(ep1, "Because you watched X"), hero.Pick(arty, "Trending")]  # fmt: skip
    slides = hero.slides(server, picks)

    assert [(s.card.title, s.reason) for s in slides] == [
        ("Plain", "Continue watching"), ("Ōkami Den", "Because you watched X"), ("Arty", "Trending")
    ]  # fmt: skip
    view = hero_view(slides[1], ViewContext(origin="https://sp.example", links={server: PlayLinks("m" * 40)}, now=NOW))
    assert view.art_url.startswith("https://sp.example/api/images/") and "kind=art&w=1280" in view.art_url
    assert "w=640" in view.art_small_url and view.subtitle == "S1 · E1 · Episode 1"
    assert view.facts == ["2019", "45 min", "TV-14"]
    first = hero_view(slides[0], ViewContext())
    assert (first.facts, first.art_url, first.play_url, first.progress) == (["2001", "1 h 35 min"], "", "", 0.3)
    assert hero.slides(server, []) == [] and hero.slides(server, [hero.Pick(987_654, "x")]) == []


@pytest.mark.parametrize(("query", "found"), [("deja", ["Déjà Vu"]), ("AMELIE", ["Amélie"]), ("okami", ["Ōkami Den"]),
                                             ("den", ["Den of Thieves", "Ōkami Den"]), ("50%", []), ("", []), ("   ", [])])  # fmt: skip
def test_library_search_folds_accents_and_case(server: int, query: str, found: list[str]) -> None:
    factories.item(server, "Déjà Vu")
    factories.item(server, "Amélie")
    factories.item(server, "Den of Thieves")
    factories.item(server, "Removed Den", removed_at=NOW)
    _show(server)
    assert [c.title for c in search_titles(server, query)] == found


def test_similar_titles_share_genres_and_people_never_the_title_itself(server: int) -> None:
    base = factories.item(server, "Heist", genres=["Crime", "Thriller"], directors=["Ann"])
    twin = factories.item(server, "Heist 2", genres=["Crime", "Thriller"], directors=["Ann"])
    cousin = factories.item(server, "Caper", genres=["Crime", "Comedy"])
    factories.item(server, "Romance", genres=["Romance"])
    factories.item(server, "Gone Heist", genres=["Crime", "Thriller"], removed_at=NOW)
    assert [r.media_item_id for r in recommendations.similar(server, base)] == [twin, cousin]
    assert recommendations.similar(server, 987_654) == [] and recommendations.similar(server, base, limit=0) == []


def test_a_sync_that_changed_the_library_rebuilds_in_the_background(server: int) -> None:
    factories.item(server, "First", genres=["Drama"])
    before = recommendations.popular(server, limit=10, now=NOW)
    added = factories.item(server, "Second", genres=["Drama"])
    recommendations.refresh_soon(server)  # what plex.runs.close_run does after a sync that changed items
    recommendations.wait_for_rebuilds()
    after = recommendations.popular(server, limit=10, now=NOW)
    assert added not in {r.media_item_id for r in before} and added in {r.media_item_id for r in after}


def test_cards_as_views_new_badge_play_link_and_tint(server: int, member: UserView) -> None:
    fresh = factories.item(server, "Fresh", added_at=NOW - timedelta(days=2), thumb="/t")
    stale = factories.item(server, "Stale", added_at=NOW - timedelta(days=8))
    cards = {c.title: c for c in dashboard.recently_added(server)}
    ctx = ViewContext(origin="http://h", links={server: PlayLinks("m" * 40)}, now=NOW)
    new, old = card_view(cards["Fresh"], ctx), card_view(cards["Stale"], ctx)
    assert (new.is_new, old.is_new) == (True, False)
    assert new.thumb_url == f"http://h/api/images/{fresh}?w=300" and old.thumb_url == ""
    assert "details?key=%2Flibrary%2Fmetadata%2F" in new.play_url
    assert tint("Stale") == old.tint != new.tint and "hsl(" in old.tint
    assert stale and card_view(cards["Stale"], ViewContext(now=NOW)).play_url == ""


def test_history_dates_and_filters_in_the_members_zone(server: int, member: UserView) -> None:
    movie = factories.item(server, "Late Show")
    factories.play(server, member.id, movie, datetime(2026, 6, 14, 23, 30, tzinfo=UTC))  # Monday 01:30 in Berlin
    berlin = clock.zone("Europe/Berlin")
    monday = dashboard.history(member.id, server, since=date(2026, 6, 15), until=date(2026, 6, 15), tz=berlin)
    assert [r.card.title for r in monday.rows] == ["Late Show"]
    assert dashboard.history(member.id, server, since=date(2026, 6, 15), until=date(2026, 6, 15)).rows == []  # UTC: Sunday
    row = history_view(monday.rows[0], ViewContext(tz=berlin, now=NOW))
    assert (row.watched_label, row.watched_ago) == ("Today, 01:30", "12 hours ago")
