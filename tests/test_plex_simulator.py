"""The Plex simulator, exercised over real HTTP on 127.0.0.1 with plexapi, httpx and lxml."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest
from lxml import etree
from plexapi.exceptions import BadRequest, NotFound, Unauthorized
from plexapi.server import PlexServer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from smartplex.simulators.plex import PlaySession, PlexLibrary, PlexSimulator
from smartplex.simulators.plex_webhooks import webhook_multipart, webhook_payload
from smartplex.simulators.server import ThreadedServer, subprocess_server

NOW = datetime(2026, 6, 1, tzinfo=UTC)
SHARED_USER = 5129384


@pytest.fixture(scope="module")
def sim() -> Iterator[PlexSimulator]:
    """A read-only simulator shared by the tests that do not mutate or break it."""
    simulator = PlexSimulator(movies=320, shows=6, seasons=2, episodes=5, seed=7, now=NOW)
    with simulator.serve():
        yield simulator


@pytest.fixture
def fresh() -> Iterator[PlexSimulator]:
    """A small simulator of one's own, for mutations and faults."""
    simulator = PlexSimulator(movies=120, shows=3, seasons=2, episodes=3, seed=11, now=NOW)
    with simulator.serve():
        yield simulator
        simulator.faults.reset()


@pytest.fixture(scope="module")
def plex(sim: PlexSimulator) -> PlexServer:
    return PlexServer(sim.url, sim.token)


def get(sim: PlexSimulator, path: str, **params: Any) -> httpx.Response:
    return httpx.get(sim.url + path, params=params, headers={"X-Plex-Token": sim.token}, timeout=5)


def get_json(sim: PlexSimulator, path: str, **params: Any) -> Any:
    headers = {"X-Plex-Token": sim.token, "Accept": "application/json"}
    response = httpx.get(sim.url + path, params=params, headers=headers, timeout=5)
    assert response.headers["content-type"] == "application/json"
    return response.json()


def xml(response: httpx.Response) -> etree._Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/xml;charset=utf-8"
    return etree.fromstring(response.content)  # strict parser: fails on any malformed XML


# --------------------------------------------------------------------------- plexapi sees a PMS


def test_plexapi_connects_and_lists_sections(sim: PlexSimulator, plex: PlexServer) -> None:
    assert plex.friendlyName == sim.friendly_name
    assert plex.machineIdentifier == sim.machine_identifier == plex.identity().machineIdentifier
    sections = plex.library.sections()
    assert [(s.key, s.type, s.title) for s in sections] == [(1, "movie", "Movies"), (2, "show", "TV Shows")]
    assert sections[0].locations == ["/data/media/Movies"]


def test_section_all_pages_every_item_exactly_once(plex: PlexServer) -> None:
    movies = plex.library.section("Movies").all()  # plexapi pages by 100
    keys = [movie.ratingKey for movie in movies]
    assert len(keys) == 320 == len(set(keys))


def test_movie_guids_genres_and_file_size(sim: PlexSimulator, plex: PlexServer) -> None:
    movie = next(m for m in plex.library.section("Movies").all() if m.guid.startswith("plex://movie/") and m.genres)
    assert re.fullmatch(r"plex://movie/[0-9a-f]{24}", movie.guid)
    assert [g.id.split("://")[0] for g in movie.guids] == ["imdb", "tmdb", "tvdb"]
    assert re.fullmatch(r"imdb://tt\d{7}", movie.guids[0].id)
    assert 1 <= len(movie.genres) <= 3
    assert movie.media[0].parts[0].size > 100_000_000
    assert movie.media[0].parts[0].file.startswith("/data/media/Movies/")
    item = sim.items[movie.ratingKey]
    assert movie.thumb == f"/library/metadata/{item.rating_key}/thumb/{item.updated_at}"
    detail = plex.fetchItem(movie.ratingKey)
    assert detail.title == movie.title and detail.directors and detail.roles
    assert detail.librarySectionID == 1


def test_legacy_agents_have_no_guid_children(plex: PlexServer) -> None:
    legacy = [m for m in plex.library.section("Movies").all() if m.guid.startswith("com.plexapp.agents")]
    assert 10 <= len(legacy) <= 60  # ~10% of 320
    assert re.fullmatch(r"com\.plexapp\.agents\.imdb://tt\d{7}\?lang=en", legacy[0].guid)
    assert plex.fetchItem(legacy[0].ratingKey).guids == []


def test_show_seasons_episodes(plex: PlexServer) -> None:
    show = plex.library.section("TV Shows").all()[0]
    seasons = show.seasons()
    assert [season.index for season in seasons] == [1, 2]
    episodes = seasons[1].episodes()
    assert [episode.index for episode in episodes] == [1, 2, 3, 4, 5]
    episode = episodes[0]
    assert (episode.grandparentTitle, episode.parentIndex) == (show.title, 2)
    assert episode.grandparentRatingKey == show.ratingKey and episode.parentRatingKey == seasons[1].ratingKey
    assert episode.show().ratingKey == show.ratingKey
    assert len(show.episodes()) == 10 and show.childCount == 2 and show.leafCount == 10


def test_history_accounts_sessions(sim: PlexSimulator, plex: PlexServer) -> None:
    history = plex.history()
    assert len(history) == len(sim.accounts) * 40
    assert history[0].viewedAt >= history[-1].viewedAt  # plexapi asks for viewedAt:desc
    mine = plex.history(accountID=SHARED_USER)
    assert len(mine) == 40 and {row.accountID for row in mine} == {SHARED_USER}
    accounts = {account.id: account.name for account in plex.systemAccounts()}
    assert accounts[1] == "PlexOwner" and accounts[SHARED_USER] == "alice.w" and 0 in accounts

    assert plex.sessions() == []
    movie = next(item for item in sim.items.values() if item.type == "movie")
    sim.set_sessions([PlaySession(account_id=SHARED_USER, rating_key=movie.rating_key, view_offset=60_000)])
    try:
        (session,) = plex.sessions()
        assert (session.ratingKey, session.usernames, session.viewOffset) == (movie.rating_key, ["alice.w"], 60_000)
        assert session.player.state == "playing" and session.session.location in ("lan", "wan")
    finally:
        sim.set_sessions([])


def test_history_genre_preferences_give_signal(sim: PlexSimulator) -> None:
    for account in sim.accounts:
        plays = [sim.items[p.rating_key] for p in sim.history if p.account_id == account.id]
        liked = [item for item in plays if set(item.show.genres) & set(account.favourite_genres)]
        assert len(liked) / len(plays) > 0.6


def test_recently_added(plex: PlexServer) -> None:
    recent = plex.library.recentlyAdded()
    assert 0 < len(recent) <= 50
    assert [item.addedAt for item in recent] == sorted((item.addedAt for item in recent), reverse=True)
    newest = plex.library.section("Movies").recentlyAdded(maxresults=5)
    assert [m.addedAt for m in newest] == sorted((m.addedAt for m in newest), reverse=True)


# --------------------------------------------------------------------------- auth, formats, paging


def test_token_required_except_identity(sim: PlexSimulator) -> None:
    for token in (None, "wrong"):
        headers = {"X-Plex-Token": token} if token else {}
        response = httpx.get(sim.url + "/library/sections", headers=headers)
        assert response.status_code == 401
        assert b"<h1>401 Unauthorized</h1>" in response.content
    assert httpx.get(sim.url + "/library/sections", params={"X-Plex-Token": sim.token}).status_code == 200
    identity = xml(httpx.get(sim.url + "/identity"))
    assert identity.attrib == {
        "size": "0",
        "claimed": "1",
        "machineIdentifier": sim.machine_identifier,
        "version": identity.get("version"),
    }
    with pytest.raises(Unauthorized):
        PlexServer(sim.url, "wrong")


def test_json_mode(sim: PlexSimulator) -> None:
    body = get_json(sim, "/library/sections/1/all", includeGuids=1, **{"X-Plex-Container-Size": 50})
    container = body["MediaContainer"]
    assert (container["size"], container["totalSize"], container["offset"]) == (50, 320, 0)
    assert container["allowSync"] is True and container["librarySectionID"] == 1
    movie = next(m for m in container["Metadata"] if "Guid" in m and "Genre" in m and m.get("year"))
    assert isinstance(movie["ratingKey"], str) and isinstance(movie["year"], int)
    assert isinstance(movie["addedAt"], int) and isinstance(movie["Media"][0]["Part"][0]["size"], int)
    assert [g["id"].split("://")[0] for g in movie["Guid"]] == ["imdb", "tmdb", "tvdb"]
    assert all(set(genre) == {"tag"} for genre in movie["Genre"])
    sections = get_json(sim, "/library/sections")["MediaContainer"]["Directory"]
    assert [s["type"] for s in sections] == ["movie", "show"]
    assert get_json(sim, "/accounts")["MediaContainer"]["Account"][1]["id"] == 1
    identity = httpx.get(sim.url + "/identity", headers={"Accept": "application/json"}).json()["MediaContainer"]
    assert identity["claimed"] is True
    detail = get_json(sim, f"/library/metadata/{movie['ratingKey']}")["MediaContainer"]["Metadata"][0]
    assert detail["librarySectionID"] == 1 and detail["Guid"] == movie["Guid"]


def test_paging_by_headers_and_query_params(sim: PlexSimulator) -> None:
    by_header = httpx.get(
        sim.url + "/library/sections/1/all",
        headers={"X-Plex-Token": sim.token, "X-Plex-Container-Start": "300", "X-Plex-Container-Size": "50"},
    )
    root = xml(by_header)
    assert (root.get("size"), root.get("totalSize"), root.get("offset")) == ("20", "320", "300")
    assert by_header.headers["X-Plex-Container-Start"] == "300"
    assert by_header.headers["X-Plex-Container-Total-Size"] == "320"
    by_query = xml(get(sim, "/library/sections/1/all", **{"X-Plex-Container-Start": 300, "X-Plex-Container-Size": 50}))
    assert [v.get("ratingKey") for v in by_query] == [v.get("ratingKey") for v in root]
    totals = xml(get(sim, "/library/sections/2/all", type=4, includeMeta=1, **{"X-Plex-Container-Size": 0}))
    assert (totals.get("size"), totals.get("totalSize")) == ("0", "60")
    assert totals.find("Meta/FieldType[@type='date']") is not None


def test_show_section_types(sim: PlexSimulator) -> None:
    shows = xml(get(sim, "/library/sections/2/all"))
    assert {(el.tag, el.get("type")) for el in shows} == {("Directory", "show")} and len(shows) == 6
    seasons = xml(get(sim, "/library/sections/2/all", type=3))
    assert {(el.tag, el.get("type")) for el in seasons} == {("Directory", "season")} and len(seasons) == 12
    episodes = xml(get(sim, "/library/sections/2/all", type=4, includeGuids=1))
    assert {(el.tag, el.get("type")) for el in episodes} == {("Video", "episode")} and len(episodes) == 60
    episode = episodes[0]
    for name in (
        "parentRatingKey",
        "grandparentRatingKey",
        "parentTitle",
        "grandparentTitle",
        "index",
        "parentIndex",
        "parentKey",
        "grandparentKey",
        "grandparentThumb",
    ):
        assert episode.get(name), name
    assert xml(get(sim, "/library/sections/1/all", type=1)).find("Video/Guid") is None  # no includeGuids


def test_date_filters_and_sort(sim: PlexSimulator) -> None:
    movies = [item for item in sim.items.values() if item.type == "movie"]
    cutoff = sorted(m.updated_at for m in movies)[-25]
    expected = {str(m.rating_key) for m in movies if m.updated_at >= cutoff}
    raw = httpx.get(f"{sim.url}/library/sections/1/all?type=1&updatedAt%3E%3E={cutoff}&X-Plex-Token={sim.token}")
    assert {v.get("ratingKey") for v in xml(raw)} == expected
    assert {v.get("ratingKey") for v in xml(get(sim, "/library/sections/1/all", **{"updatedAt>": cutoff}))} == expected
    before = xml(get(sim, "/library/sections/1/all", **{"addedAt<<": cutoff}))
    assert all(int(v.get("addedAt")) <= cutoff for v in before) and len(before) > 0
    recent = xml(get(sim, "/library/sections/1/all", sort="addedAt:desc", **{"addedAt>>": "-3650d"}))
    added = [int(v.get("addedAt")) for v in recent]
    assert added == sorted(added, reverse=True) and len(added) == 320


def test_unicode_and_escaping_round_trip(sim: PlexSimulator) -> None:
    body = get(sim, "/library/sections/1/all").content
    titles = {el.get("title") for el in etree.fromstring(body)}
    assert {"Amélie", "千と千尋の神隠し", "Ребёнок", 'The "Quoted" <Title>', "Pokémon 🎬 Adventure"} <= titles
    assert "Crouching Tiger & Hidden Dragon" in titles
    json_titles = {m["title"] for m in get_json(sim, "/library/sections/1/all")["MediaContainer"]["Metadata"]}
    assert json_titles == titles


def test_images(sim: PlexSimulator) -> None:
    first, second = list(sim.items.values())[:2]
    thumb = get(sim, first.thumb)
    assert thumb.headers["content-type"] == "image/jpeg"
    assert thumb.content[:2] == b"\xff\xd8" and thumb.content[-2:] == b"\xff\xd9"
    assert thumb.content != get(sim, second.thumb).content  # a colour per item
    transcoded = get(sim, "/photo/:/transcode", url=first.thumb, width=300, height=450)
    assert transcoded.headers["content-type"] == "image/jpeg"
    assert transcoded.content[:2] == b"\xff\xd8" and b"\x01\xc2\x01\x2c" in transcoded.content  # SOF: 450 x 300


# --------------------------------------------------------------------------- mutations


def test_touch_then_filter_returns_only_changed(fresh: PlexSimulator) -> None:
    keys = [item.rating_key for item in list(fresh.items.values())[:3]]
    stamp = fresh.touch(keys[:2], title="Renamed & Remastered")
    changed = xml(get(fresh, "/library/sections/1/all", **{"updatedAt>>": stamp}))
    assert [int(v.get("ratingKey")) for v in changed] == keys[:2]
    assert {v.get("title") for v in changed} == {"Renamed & Remastered"}
    assert {v.get("updatedAt") for v in changed} == {str(stamp)}


def test_add_remove_and_history(fresh: PlexSimulator) -> None:
    plex = PlexServer(fresh.url, fresh.token)
    stamp = int(time.time())
    movie = fresh.add_movie("Brand New <Movie>", now=stamp, year=2026)
    show = next(item for item in fresh.items.values() if item.type == "show")
    episode = fresh.add_episode(show.rating_key, 3, title="Pilot")
    new_movies = xml(get(fresh, "/library/sections/1/all", **{"addedAt>>": stamp}))
    assert [(v.get("title"), v.get("year")) for v in new_movies] == [("Brand New <Movie>", "2026")]
    new_episodes = xml(get(fresh, "/library/sections/2/all", type=4, **{"addedAt>>": stamp}))
    assert [(v.get("title"), v.get("parentIndex"), v.get("index")) for v in new_episodes] == [("Pilot", "3", "1")]
    assert [season.index for season in plex.fetchItem(show.rating_key).seasons()] == [1, 2, 3]

    fresh.add_play(SHARED_USER, movie.rating_key, viewed_at=stamp)
    latest = plex.history(accountID=SHARED_USER, mindate=datetime.fromtimestamp(stamp, UTC))
    assert [(row.ratingKey, row.title) for row in latest] == [(movie.rating_key, "Brand New <Movie>")]

    fresh.remove(movie.rating_key)
    fresh.remove(episode.rating_key)
    with pytest.raises(NotFound):
        plex.fetchItem(movie.rating_key)
    row = xml(get(fresh, "/status/sessions/history/all", accountID=SHARED_USER, sort="viewedAt:desc"))[0]
    assert row.get("title") == "Brand New <Movie>" and row.get("ratingKey") is None
    assert len(plex.library.section("Movies").all()) == 120


def test_delete_through_plexapi(fresh: PlexSimulator) -> None:
    plex = PlexServer(fresh.url, fresh.token)
    movie = plex.library.section("Movies").all()[0]
    movie.delete()
    assert fresh.get(movie.ratingKey) is None


# --------------------------------------------------------------------------- faults


def test_fault_status_and_plexapi_errors(fresh: PlexSimulator) -> None:
    plex = PlexServer(fresh.url, fresh.token)
    fresh.faults.status = 500
    assert get(fresh, "/library/sections").status_code == 500
    with pytest.raises(BadRequest):
        plex.library.section("Movies").all()
    fresh.faults.reset()
    fresh.faults.status, fresh.faults.path_prefix = 503, "/status"
    assert get(fresh, "/status/sessions").status_code == 503
    assert get(fresh, "/library/sections").status_code == 200


def test_fault_hang_with_client_timeout(fresh: PlexSimulator) -> None:
    fresh.faults.hang = True
    began = time.perf_counter()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(fresh.url + "/identity", timeout=0.3)
    assert time.perf_counter() - began < 2
    fresh.faults.hang = False
    assert httpx.get(fresh.url + "/identity", timeout=2).status_code == 200


def test_fault_drop(fresh: PlexSimulator) -> None:
    fresh.faults.drop = True
    with pytest.raises(httpx.RemoteProtocolError):
        get(fresh, "/library/sections")
    fresh.faults.drop = False
    assert get(fresh, "/library/sections").status_code == 200


def test_fault_latency(fresh: PlexSimulator) -> None:
    fresh.faults.latency = 0.2
    began = time.perf_counter()
    assert httpx.get(fresh.url + "/identity").status_code == 200
    assert time.perf_counter() - began >= 0.2


def test_fault_on_nth_page_once(fresh: PlexSimulator) -> None:
    fresh.faults.fail_on_page_start, fresh.faults.times = 100, 1
    page = {"X-Plex-Container-Size": 100}
    assert get(fresh, "/library/sections/1/all", **page, **{"X-Plex-Container-Start": 0}).status_code == 200
    assert get(fresh, "/library/sections/1/all", **page, **{"X-Plex-Container-Start": 100}).status_code == 500
    assert get(fresh, "/library/sections/1/all", **page, **{"X-Plex-Container-Start": 100}).status_code == 200


def test_fault_after_requests(fresh: PlexSimulator) -> None:
    get(fresh, "/library")
    fresh.faults.fail_after_requests = 2
    assert [get(fresh, "/library").status_code for _ in range(4)] == [200, 200, 500, 500]


def test_wrong_machine_identifier() -> None:
    other = PlexSimulator(movies=1, shows=0, machine_identifier="f" * 40)
    with other.serve():
        assert xml(httpx.get(other.url + "/identity")).get("machineIdentifier") == "f" * 40


# --------------------------------------------------------------------------- webhooks


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A Starlette endpoint that parses webhooks with python-multipart, as SmartPlex's route will."""
    received: list[dict[str, Any]] = []

    async def hook(request: Request) -> Response:
        form = await request.form()
        payload, thumb = form["payload"], form.get("thumb")
        assert isinstance(payload, str)  # a plain form field, not a file
        received.append(
            {
                "parts": list(form.keys()),
                "payload": orjson.loads(payload),
                "thumb": None
                if thumb is None or isinstance(thumb, str)
                else (thumb.filename, thumb.content_type, await thumb.read()),
            }
        )
        return Response(status_code=200)

    with ThreadedServer(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as server:
        yield server.url + "/hook", received


def test_webhook_play_with_thumb(sim: PlexSimulator, receiver: tuple[str, list[dict[str, Any]]]) -> None:
    url, received = receiver
    episode = next(item for item in sim.items.values() if item.type == "episode" and item.external_ids)
    response = sim.fire_webhook(url, "media.play", SHARED_USER, episode.rating_key, as_json=True)
    assert response.status_code == 200
    hook = received[-1]
    assert hook["parts"] == ["payload", "thumb"]
    filename, content_type, jpeg = hook["thumb"]
    assert (filename, content_type, jpeg[:2]) == ("thumb.jpg", "image/jpeg", b"\xff\xd8")
    payload = hook["payload"]
    assert (payload["event"], payload["user"], payload["owner"]) == ("media.play", False, True)
    assert payload["Account"]["id"] == SHARED_USER and payload["Account"]["title"] == "alice.w"
    assert payload["Server"] == {"title": sim.friendly_name, "uuid": sim.machine_identifier}
    assert set(payload["Player"]) == {"local", "publicAddress", "title", "uuid"}
    meta = payload["Metadata"]
    assert meta["ratingKey"] == str(episode.rating_key) and meta["librarySectionID"] == 2
    assert meta["grandparentRatingKey"] == str(episode.show.rating_key) and meta["type"] == "episode"
    assert meta["guid"].startswith("plex://episode/") and [g["id"][:4] for g in meta["Guid"]] == [
        "imdb",
        "tmdb",
        "tvdb",
    ]
    assert meta["librarySectionType"] == "show" and isinstance(meta["viewOffset"], int)


def test_webhook_variants(sim: PlexSimulator, receiver: tuple[str, list[dict[str, Any]]]) -> None:
    url, received = receiver
    legacy = next(item for item in sim.items.values() if item.type == "movie" and not item.external_ids)
    with httpx.Client() as client:
        sim.fire_webhook(url, "media.scrobble", 1, legacy.rating_key, client=client)
        scrobble = received[-1]
        sim.fire_webhook(url, "library.new", 1, legacy.rating_key, thumb=False, client=client)
        new = received[-1]
        sim.fire_webhook(url, "media.rate", SHARED_USER, legacy.rating_key, rating=6.0, client=client)
        rate = received[-1]
    assert scrobble["parts"] == ["payload"] and scrobble["thumb"] is None
    meta = scrobble["payload"]["Metadata"]
    assert meta["guid"].startswith("com.plexapp.agents.imdb://") and "Guid" not in meta
    assert scrobble["payload"]["user"] is True and meta["viewOffset"] > 0.9 * (legacy.duration or 0) > 0
    assert "Player" not in new["payload"] and new["parts"] == ["payload"]
    assert rate["payload"]["rating"] == 6.0 and rate["thumb"] is not None


def test_webhook_multipart_shape(sim: PlexSimulator) -> None:
    payload = webhook_payload(sim, "media.pause", 1, next(iter(sim.items)))
    body, content_type = webhook_multipart(payload, as_json=False, boundary="------------------------e9b6fd531fc73c30")
    assert content_type == "multipart/form-data; boundary=------------------------e9b6fd531fc73c30"
    assert body.startswith(
        b'--------------------------e9b6fd531fc73c30\r\nContent-Disposition: form-data; name="payload"\r\n\r\n{'
    )
    assert body.endswith(b"\r\n--------------------------e9b6fd531fc73c30--\r\n")
    with_type, _ = webhook_multipart(payload, as_json=True)
    assert b'name="payload"\r\nContent-Type: application/json\r\n\r\n' in with_type
    assert "Metadata" not in webhook_payload(sim, "admin.database.backup", 1)


def test_legacy_episode_guids() -> None:
    library = PlexLibrary(movies=0, shows=40, seasons=1, episodes=2, seed=3, now=NOW)
    legacy = [item for item in library.items.values() if item.type == "episode" and not item.external_ids]
    assert legacy and all(re.fullmatch(r"com\.plexapp\.agents\.thetvdb://\d+/1/\d\?lang=en", e.guid) for e in legacy)


# --------------------------------------------------------------------------- generation


def snapshot(library: PlexLibrary) -> list[tuple[object, ...]]:
    return [
        (i.rating_key, i.title, i.guid, i.external_ids, i.genres, i.added_at, i.updated_at, i.size)
        for i in library.items.values()
    ]


def test_same_seed_same_library() -> None:
    first, second = (PlexLibrary(movies=300, shows=5, seed=42, now=NOW) for _ in range(2))
    assert snapshot(first) == snapshot(second)
    assert [(p.account_id, p.rating_key, p.viewed_at) for p in first.history] == [
        (p.account_id, p.rating_key, p.viewed_at) for p in second.history
    ]
    assert snapshot(PlexLibrary(movies=300, shows=5, seed=43, now=NOW)) != snapshot(first)


def test_realistic_spread_and_missing_fields() -> None:
    library = PlexLibrary(movies=1000, shows=0, seed=5, now=NOW)
    movies = list(library.items.values())
    assert 0.05 < sum(not m.external_ids for m in movies) / len(movies) < 0.15
    sparse = [m for m in movies if m.year is None]
    assert 0.02 < len(sparse) / len(movies) < 0.05
    assert all(m.rating is None and not m.genres and m.size is None for m in sparse)
    ages = [(library.anchor - m.added_at) / 86_400 / 365 for m in movies]
    assert min(ages) < 0.5 and max(ages) > 4 and all(m.updated_at >= m.added_at for m in movies)


def test_command_line_server() -> None:
    args = ["--movies", "30", "--shows", "2", "--token", "cli-token", "--seed", "9"]
    with subprocess_server("smartplex.simulators.plex", args, ready_path="/identity") as url:
        plex = PlexServer(url, "cli-token")
        assert len(plex.library.section("Movies").all()) == 30
        assert len(plex.machineIdentifier) == 40
