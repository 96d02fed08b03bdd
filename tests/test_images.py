"""The poster proxy end to end: the real route (TestClient on create_api()), the real database and the Plex
simulator over HTTP, the disk cache in a scratch data folder."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from smartplex.api import create_api
from smartplex.config import reload_settings
from smartplex.db import session
from smartplex.models import MediaItem
from smartplex.services.plex import posters
from smartplex.models import Role
from smartplex.services import auth
from smartplex.services.auth import UserView
from smartplex.simulators.plex import ART_SIZE, POSTER_SIZE, PlexSimulator
from tests import factories
from tests.conftest import PASSWORD
from tests.plex_fixtures import dead_url



@pytest.fixture(autouse=True)
def scratch_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder (so an image cache) of this test's own, and no remembered Plex failures."""
    monkeypatch.setenv("SMARTPLEX_DATA_DIR", str(tmp_path / "data"))
    reload_settings()
    posters.reset()
    yield tmp_path / "data" / "image-cache"
    monkeypatch.undo()
    reload_settings()
    posters.reset()


@pytest.fixture
def client(admin_session: str) -> Iterator[TestClient]:
    with TestClient(create_api()) as c:
        c.cookies.set("sp_session", admin_session)
        yield c


@pytest.fixture
def server_id(admin: UserView, plex_sim: PlexSimulator) -> int:
    return factories.simulated_server(admin.id, plex_sim)


def add_item(server_id: int, rating_key: int | str, thumb: str | None) -> int:
    with session() as s:
        item = MediaItem(server_id=server_id, rating_key=str(rating_key), type="movie", title="Poster", thumb=thumb)
        s.add(item)
        s.flush()
        return item.id or 0


def movie_keys(sim: PlexSimulator, n: int) -> list[int]:
    return [item.rating_key for item in sim.ordered(1, "movie")[:n]]


def sim_item(server_id: int, sim: PlexSimulator, rating_key: int) -> int:
    item = sim.get(rating_key)
    assert item is not None
    return add_item(server_id, rating_key, item.thumb)


def thumb_requests(sim: PlexSimulator) -> list[str]:
    return [r for r in sim.requests if "/thumb/" in r]


def jpeg_size(body: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG"
        return image.size


def test_a_signed_in_browser_gets_the_poster_resized_and_cached(
    client: TestClient, server_id: int, plex_sim: PlexSimulator, scratch_cache: Path
) -> None:
    item = sim_item(server_id, plex_sim, movie_keys(plex_sim, 1)[0])
    ratio = POSTER_SIZE[1] / POSTER_SIZE[0]

    first = client.get(f"/api/images/{item}?w=300")
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "image/jpeg"
    assert first.headers["cache-control"] == "private, max-age=86400"
    assert jpeg_size(first.content) == (300, round(300 * ratio))
    assert len(thumb_requests(plex_sim)) == 1

    again = client.get(f"/api/images/{item}")  # 300 is the default width
    assert (again.status_code, again.content, again.headers["etag"]) == (200, first.content, first.headers["etag"])
    assert len(thumb_requests(plex_sim)) == 1  # from the disk cache, Plex not asked
    assert len(list(scratch_cache.glob("*/*.jpg"))) == 1

    small = client.get(f"/api/images/{item}?w=150")
    assert jpeg_size(small.content) == (150, round(150 * ratio))
    assert small.headers["etag"] != first.headers["etag"]
    assert jpeg_size(client.get(f"/api/images/{item}?w=600").content) == (600, 900)
    assert len(thumb_requests(plex_sim)) == 3


def test_a_backdrop_comes_through_the_same_route_resized_and_cached(
    client: TestClient, server_id: int, plex_sim: PlexSimulator, scratch_cache: Path
) -> None:
    key = movie_keys(plex_sim, 1)[0]
    item = sim_item(server_id, plex_sim, key)
    with session() as s:
        s.get(MediaItem, item).art = f"/library/metadata/{key}/art/1"  # type: ignore[union-attr]
    poster = client.get(f"/api/images/{item}?w=300")

    art = client.get(f"/api/images/{item}?kind=art")  # 1280 is a backdrop's default width
    assert art.status_code == 200, art.text
    assert jpeg_size(art.content) == (1280, round(1280 * ART_SIZE[1] / ART_SIZE[0]))
    assert art.headers["etag"] != poster.headers["etag"]
    assert client.get(f"/api/images/{item}?kind=art&w=1280").content == art.content  # cached
    assert [r for r in plex_sim.requests if "/art/" in r] == [f"GET /library/metadata/{key}/art/1"]
    assert jpeg_size(client.get(f"/api/images/{item}?kind=art&w=640").content)[0] == 640
    assert posters.art_url(item) == f"/api/images/{item}?kind=art&w=1280"


@pytest.mark.parametrize("query", ["kind=art&w=300", "kind=poster&w=1280", "kind=banner", "kind=art&w=1281"])
def test_a_width_the_kind_is_not_served_at_is_422(client: TestClient, server_id: int, plex_sim: PlexSimulator, query: str) -> None:
    item = sim_item(server_id, plex_sim, movie_keys(plex_sim, 1)[0])
    answer = client.get(f"/api/images/{item}?{query}")
    assert answer.status_code == 422
    assert plex_sim.requests == [] or all("/art/" not in r and "/thumb/" not in r for r in plex_sim.requests)


def test_an_item_without_a_backdrop_is_404(client: TestClient, server_id: int, plex_sim: PlexSimulator) -> None:
    item = sim_item(server_id, plex_sim, movie_keys(plex_sim, 1)[0])  # a poster, no art
    answer = client.get(f"/api/images/{item}?kind=art")
    assert (answer.status_code, answer.json()) == (404, {"error": "no art for this item"})
    with session() as s:
        s.get(MediaItem, item).art = "https://elsewhere.example/art.jpg"  # type: ignore[union-attr]
    assert client.get(f"/api/images/{item}?kind=art").status_code == 404  # never our token to another host


def test_revalidation_answers_304_without_the_image(
    client: TestClient, server_id: int, plex_sim: PlexSimulator
) -> None:
    item = sim_item(server_id, plex_sim, movie_keys(plex_sim, 1)[0])
    etag = client.get(f"/api/images/{item}").headers["etag"]
    plex_sim.requests.clear()

    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        answer = client.get(f"/api/images/{item}", headers={"If-None-Match": header})
        assert (answer.status_code, answer.content, answer.headers["etag"]) == (304, b"", etag)
        assert answer.headers["cache-control"] == "private, max-age=86400"
    assert client.get(f"/api/images/{item}", headers={"If-None-Match": '"stale"'}).status_code == 200
    assert list(plex_sim.requests) == []


@pytest.mark.parametrize("cookie", [None, "", "not-a-session", "x" * 300])
def test_no_session_no_poster(admin: UserView, server_id: int, plex_sim: PlexSimulator, cookie: str | None) -> None:
    item = sim_item(server_id, plex_sim, movie_keys(plex_sim, 1)[0])
    with TestClient(create_api()) as anonymous:
        if cookie is not None:
            anonymous.cookies.set("sp_session", cookie)
        answer = anonymous.get(f"/api/images/{item}")
    assert (answer.status_code, answer.json()) == (401, {"error": "sign in to see posters"})
    assert answer.headers["cache-control"] == "no-store"
    assert thumb_requests(plex_sim) == []


def test_members_see_posters_too(member_session: str, server_id: int, plex_sim: PlexSimulator) -> None:
    item = sim_item(server_id, plex_sim, movie_keys(plex_sim, 1)[0])
    with TestClient(create_api()) as browser:
        browser.cookies.set("sp_session", member_session)
        assert browser.get(f"/api/images/{item}").status_code == 200


def test_missing_items_and_thumbs_are_404(client: TestClient, server_id: int, plex_sim: PlexSimulator) -> None:
    no_thumb = add_item(server_id, "9001", None)
    elsewhere = add_item(server_id, "9002", "https://posters.example.com/poster.jpg")  # not a path on the server
    gone_on_plex = add_item(server_id, "9003", "/library/metadata/999999/thumb/1")
    for item in (987_654, no_thumb, elsewhere, gone_on_plex):
        answer = client.get(f"/api/images/{item}")
        assert (answer.status_code, answer.json()) == (404, {"error": "no poster for this item"}), item
    assert thumb_requests(plex_sim) == ["GET /library/metadata/999999/thumb/1"]


@pytest.mark.parametrize("item", ["99999999999999999999999", str(2**63), str(2**63 - 1)])
def test_ids_past_the_database_range_are_404_not_500(client: TestClient, server_id: int, item: str) -> None:
    answer = client.get(f"/api/images/{item}")
    assert (answer.status_code, answer.json()) == (404, {"error": "no poster for this item"})


def test_a_poster_on_another_owners_server_is_404(
    admin: UserView, member_session: str, server_id: int, plex_sim: PlexSimulator
) -> None:
    """A member sees the household's server, not a server another admin connected for themselves."""
    ours = sim_item(server_id, plex_sim, movie_keys(plex_sim, 1)[0])
    other_owner = auth.create_user("Olga Other", "olga@example.com", PASSWORD, role=Role.ADMIN)
    theirs_server = factories.server(other_owner.id, "Olga's", urls=[plex_sim.url], token=plex_sim.token)
    theirs = sim_item(theirs_server, plex_sim, movie_keys(plex_sim, 2)[1])
    with TestClient(create_api()) as browser:
        browser.cookies.set("sp_session", member_session)
        assert browser.get(f"/api/images/{ours}").status_code == 200
        answer = browser.get(f"/api/images/{theirs}")
        assert (answer.status_code, answer.json()) == (404, {"error": "no poster for this item"})
        browser.cookies.set("sp_session", auth.login(other_owner.email, PASSWORD)[1])
        assert browser.get(f"/api/images/{theirs}").status_code == 200  # its owner does see it


@pytest.mark.parametrize("query", ["w=301", "w=0", "w=big", "w=-300"])
def test_bad_widths_are_422(client: TestClient, server_id: int, plex_sim: PlexSimulator, query: str) -> None:
    item = sim_item(server_id, plex_sim, movie_keys(plex_sim, 1)[0])
    assert client.get(f"/api/images/{item}?{query}").status_code == 422
    assert client.get("/api/images/0").status_code == 422
    assert thumb_requests(plex_sim) == []


def test_plex_down_is_502_fast_and_then_not_asked_again(
    admin: UserView, client: TestClient, plex_sim: PlexSimulator
) -> None:
    server = factories.simulated_server(admin.id, plex_sim, urls=[dead_url()])
    first, second = (sim_item(server, plex_sim, key) for key in movie_keys(plex_sim, 2))
    began = time.perf_counter()
    answer = client.get(f"/api/images/{first}")
    assert time.perf_counter() - began < 1.0
    assert (answer.status_code, answer.json()) == (502, {"error": "Plex did not send the poster."})
    assert answer.headers["cache-control"] == "no-store"
    again = client.get(f"/api/images/{second}")  # within the back-off: answered without trying
    assert (again.status_code, again.json()) == (502, {"error": "Plex is not answering; trying again shortly."})


def test_plex_failing_is_502(client: TestClient, server_id: int, plex_sim: PlexSimulator) -> None:
    item = sim_item(server_id, plex_sim, movie_keys(plex_sim, 1)[0])
    plex_sim.faults.status = 500
    assert client.get(f"/api/images/{item}").status_code == 502
    assert len(thumb_requests(plex_sim)) == 1  # one attempt, no retries
    plex_sim.faults.reset()
    posters.reset()
    assert client.get(f"/api/images/{item}").status_code == 200


def test_neither_token_nor_address_ever_leaves(admin: UserView, client: TestClient, plex_sim: PlexSimulator) -> None:
    good = factories.simulated_server(admin.id, plex_sim)
    item = sim_item(good, plex_sim, movie_keys(plex_sim, 1)[0])
    answers = [client.get(f"/api/images/{item}"), client.get(f"/api/images/{item}?w=150")]
    answers.append(client.get(f"/api/images/{item}", headers={"If-None-Match": answers[0].headers["etag"]}))
    plex_sim.faults.status = 500
    answers.append(client.get(f"/api/images/{item}?w=600"))
    answers.append(client.get(f"/api/images/{add_item(good, '9004', '/library/metadata/999999/thumb/1')}"))
    address = plex_sim.url.removeprefix("http://")
    port = address.rsplit(":", 1)[1]
    assert [a.status_code for a in answers] == [200, 200, 304, 502, 502]
    for answer in answers:
        exposed = answer.content + str(answer.headers).encode()
        assert plex_sim.token.encode() not in exposed
        assert address.encode() not in exposed and f":{port}".encode() not in exposed
        assert plex_sim.machine_identifier.encode() not in exposed


def test_the_disk_cache_evicts_the_least_recently_used(
    client: TestClient, server_id: int, plex_sim: PlexSimulator, scratch_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [sim_item(server_id, plex_sim, key) for key in movie_keys(plex_sim, 5)]
    one_poster = len(client.get(f"/api/images/{items[0]}").content)
    monkeypatch.setattr(posters, "CACHE_MAX_BYTES", int(one_poster * 3.5))  # room for three
    for item in items[1:3]:
        client.get(f"/api/images/{item}")
    time.sleep(0.01)
    client.get(f"/api/images/{items[0]}")  # used again: now the most recent
    for item in items[3:]:
        time.sleep(0.01)
        client.get(f"/api/images/{item}")

    files = list(scratch_cache.glob("*/*.jpg"))
    assert sum(f.stat().st_size for f in files) <= posters.CACHE_MAX_BYTES
    plex_sim.requests.clear()
    for item in (items[0], items[4]):
        assert client.get(f"/api/images/{item}").status_code == 200
    assert thumb_requests(plex_sim) == []  # still cached
    assert client.get(f"/api/images/{items[1]}").status_code == 200
    assert len(thumb_requests(plex_sim)) == 1  # evicted: fetched again


def test_shrink_never_enlarges_and_rejects_non_images() -> None:
    small = io.BytesIO()
    Image.new("RGB", (100, 150), (10, 20, 30)).save(small, "PNG")
    assert jpeg_size(posters.shrink(small.getvalue(), 300)) == (100, 150)
    with pytest.raises(posters.PosterUnavailable):
        posters.shrink(b"<html>not an image</html>", 300)


def test_the_route_is_documented() -> None:
    operation = create_api().openapi()["paths"]["/api/images/{media_item_id}"]["get"]
    assert operation["summary"] == "An item's poster or backdrop, resized and cached"
    assert {p["name"] for p in operation["parameters"]} == {"media_item_id", "w", "kind"}
    assert operation["security"] == [{"session": []}]
    scheme = create_api().openapi()["components"]["securitySchemes"]["session"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "cookie", "sp_session")
    assert {"200", "304", "401", "404", "422", "502"} <= set(operation["responses"])
    assert "image/jpeg" in operation["responses"]["200"]["content"]


def test_a_cache_that_cannot_write_still_serves(
    client: TestClient, server_id: int, plex_sim: PlexSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(posters.DiskCache, "put", disk_full)
    item = sim_item(server_id, plex_sim, movie_keys(plex_sim, 1)[0])
    assert client.get(f"/api/images/{item}").status_code == 200
