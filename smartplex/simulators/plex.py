"""A Plex Media Server simulator: a real HTTP server speaking PMS's XML/JSON wire format on 127.0.0.1.

`PlexSimulator` generates a deterministic library from a seed (movies, shows with seasons and
episodes, accounts, watch history), serves it the way plexapi and raw clients see a real PMS
(token auth, container paging, `updatedAt>>=` filters, JSON on `Accept: application/json`),
lets tests mutate it at runtime, inject faults, and fire real multipart webhooks.

    sim = PlexSimulator(movies=150, shows=3, seed=7)
    with sim.serve():
        plex = plexapi.server.PlexServer(sim.url, sim.token)

Run standalone: `python -m smartplex.simulators.plex --port 32400 --movies 10000 --shows 400`.
"""

from __future__ import annotations

import argparse
import asyncio
import colorsys
import contextlib
import functools
import gc
import hashlib
import html
import io
import itertools
import logging
import random
import re
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl

import orjson
from PIL import Image
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartplex.simulators.server import Served

if TYPE_CHECKING:
    import httpx
    from _typeshed import SupportsLenAndGetItem

_T = TypeVar("_T")

PMS_VERSION = "1.41.3.9314-a0bfb8370"
MEDIA_TAG_VERSION = 1710434120
MOVIE_SECTION = 1
SHOW_SECTION = 2
SEARCH_TYPES = {"movie": 1, "show": 2, "season": 3, "episode": 4}
DAY = 86_400
HISTORY_DAYS = 365
LIBRARY_YEARS = 6
LEGACY_SHARE = 0.10
XML_TYPE = "text/xml;charset=utf-8"
JSON_TYPE = "application/json"

GENRES = (
    "Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family", "Fantasy",
    "History", "Horror", "Music", "Mystery", "Romance", "Science Fiction", "Thriller", "War", "Western",
)  # fmt: skip
GENRE_IDS = {genre: 40 + 17 * n for n, genre in enumerate(GENRES)}
ADJECTIVES = (
    "Silent", "Broken", "Last", "Hidden", "Crimson", "Eternal", "Lost", "Golden", "Midnight", "Wild",
    "Frozen", "Burning", "Secret", "Forgotten", "Distant", "Electric", "Savage", "Gentle", "Hollow", "Iron",
)  # fmt: skip
NOUNS = (
    "River", "Empire", "Garden", "Horizon", "Shadow", "Kingdom", "Promise", "Storm", "Harbor", "Frontier",
    "Mirror", "Orchard", "Signal", "Voyage", "Winter", "Machine", "Letter", "Island", "Country", "Symphony",
)  # fmt: skip
PLACES = ("Paris", "Tokyo", "Brooklyn", "Marrakesh", "Oslo", "Lagos", "Havana", "Seoul", "Lisbon", "Reykjavík")
SPECIAL_TITLES = (
    "Amélie", "千と千尋の神隠し", "Ребёнок", "Léon: The Professional", "Crouching Tiger & Hidden Dragon",
    'The "Quoted" <Title>', "Pokémon 🎬 Adventure", "Ça & Là", "El Niño's Señor", "Ørkenens Sønner",
    "😀 Emoji Movie", "Das Boot — Director's Cut",
)  # fmt: skip
FIRST_NAMES = (
    "Ava", "Noah", "Mia", "Liam", "Zoe", "Ethan", "Ines", "Omar", "Yuki", "Pavel",
    "Chloé", "Mateo", "Priya", "Jonas", "Amara", "Lucas", "Sofia", "Kwame", "Hana", "Diego",
)  # fmt: skip
LAST_NAMES = (
    "Walker", "Okafor", "Tanaka", "Novak", "García", "Lindqvist", "Moreau", "Haddad", "Kowalski", "Reyes",
    "Sato", "Müller", "O'Brien", "Petrov", "Nguyen", "Costa", "Brennan", "Adeyemi", "Fischer", "Park",
)  # fmt: skip
CHARACTERS = ("Detective", "The Stranger", "Captain", "Dr. Hale", "Mother", "The Kid", "Agent", "Narrator (voice)")
STUDIOS = ("Paramount", "A24", "Warner Bros.", "Studio Ghibli", "Gaumont", "Blumhouse", "Legendary", "Lionsgate")
NETWORKS = ("HBO", "BBC One", "Netflix", "AMC", "FX", "NHK", "Hulu", "Channel 4")
MOVIE_RATINGS = ("G", "PG", "PG-13", "R", "NR")
TV_RATINGS = ("TV-Y", "TV-G", "TV-PG", "TV-14", "TV-MA")
VERBS = ("outrun", "uncover", "protect", "escape", "rebuild", "confront", "deliver", "remember")
STAKES = ("the storm arrives", "the secret gets out", "the city falls", "it is too late", "the last train leaves")
RESOLUTIONS = {
    "480": (720, 480, 2_000),
    "720": (1280, 720, 4_500),
    "1080": (1920, 1080, 10_000),
    "4k": (3840, 2160, 30_000),
}
DEFAULT_ACCOUNTS = ((1, "PlexOwner"), (3972737, "Kids"), (5129384, "alice.w"), (6620417, "bobbytables"),
                    (8801245, "carmen.s"), (2249013, "dimitri_k"))  # fmt: skip
DEVICES = (
    ("Living Room TV", "Android", "Plex for Android (TV)"), ("Chrome", "Chrome", "Plex Web"),
    ("iPhone", "iOS", "Plex for iOS"), ("Roku Ultra", "Roku", "Plex for Roku"), ("Xbox", "Xbox", "Plex for Xbox"),
)  # fmt: skip

El = tuple[str, dict[str, Any], list["El"]]
"""An XML element as (tag, attributes, children); attributes whose value is None are omitted."""


# --------------------------------------------------------------------------- data model


@dataclass(slots=True)
class Section:
    """A library section (`/library/sections/{key}`)."""

    key: int
    type: str
    title: str
    agent: str
    scanner: str
    uuid: str
    location: str
    created_at: int
    updated_at: int


@dataclass(slots=True, eq=False)
class Item:
    """One metadata item (movie, show, season or episode). Cached wire fragments live on it."""

    rating_key: int
    type: str
    section: Section
    title: str
    guid: str
    added_at: int
    updated_at: int
    external_ids: tuple[str, ...] = ()
    parent: Item | None = None
    index: int | None = None
    year: int | None = None
    rating: float | None = None
    audience_rating: float | None = None
    summary: str = ""
    content_rating: str | None = None
    studio: str | None = None
    genres: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()
    roles: tuple[tuple[str, str], ...] = ()
    duration: int | None = None
    originally_available_at: str | None = None
    media_id: int = 0
    resolution: str = "1080"
    size: int | None = None
    file: str | None = None
    children: list[Item] = field(default_factory=list)
    xml_cache: tuple[bytes, bytes] | None = None
    json_cache: tuple[bytes, bytes] | None = None

    @property
    def key(self) -> str:
        suffix = "/children" if self.type in ("show", "season") else ""
        return f"/library/metadata/{self.rating_key}{suffix}"

    @property
    def title_sort(self) -> str:
        for article in ("The ", "A ", "An "):
            if self.title.startswith(article):
                return self.title[len(article) :]
        return self.title

    @property
    def thumb(self) -> str:
        return f"/library/metadata/{self.rating_key}/thumb/{self.updated_at}"

    @property
    def show(self) -> Item:
        """The top-level item of this one's hierarchy (itself for movies and shows)."""
        item = self
        while item.parent is not None:
            item = item.parent
        return item

    def descendants(self) -> Iterable[Item]:
        for child in self.children:
            yield child
            yield from child.descendants()

    def invalidate(self) -> None:
        """Drop cached fragments of this item and everything below it (they embed parent data)."""
        self.xml_cache = self.json_cache = None
        for child in self.children:
            child.invalidate()


@dataclass(frozen=True, slots=True)
class Account:
    """A server account: id 1 is the owner; shared users carry their plex.tv id as `id`."""

    id: int
    name: str
    plex_id: int
    thumb: str
    favourite_genres: tuple[str, ...]
    device_id: int
    device_title: str
    device_platform: str
    product: str
    client_id: str
    public_address: str
    local: bool


@dataclass(slots=True)
class Play:
    """A watch-history row. Title/type/section are snapshots so rows survive item deletion."""

    history_id: int
    account_id: int
    rating_key: int
    viewed_at: int
    device_id: int
    title: str
    type: str
    section_key: int


@dataclass(slots=True)
class PlaySession:
    """An active playback shown by `/status/sessions`."""

    account_id: int
    rating_key: int
    view_offset: int = 0
    state: str = "playing"
    transcode: bool = False


# --------------------------------------------------------------------------- helpers


class _Rng(random.Random):
    """`random.Random` with float-based choice/randrange: 4x faster, bias irrelevant for synthetic data."""

    def choice(self, seq: SupportsLenAndGetItem[_T]) -> _T:
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        return start + step * int(self.random() * ((stop - start + step - 1) // step))

    def randint(self, a: int, b: int) -> int:
        return self.randrange(a, b + 1)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building many long-lived objects (it would rescan them repeatedly)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _epoch(now: datetime | float | None) -> int:
    if now is None:
        return int(time.time())
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ValueError("datetimes must be timezone-aware")
        return int(now.timestamp())
    return int(now)


def _hex(seed: str, length: int) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()[:length]


def _tag_id(name: str) -> int:
    return 100_000 + zlib.crc32(name.encode()) % 900_000


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _summary(rng: random.Random) -> str:
    return (
        f"A {rng.choice(ADJECTIVES).lower()} {rng.choice(CHARACTERS).lower()} must {rng.choice(VERBS)} "
        f"a {rng.choice(NOUNS).lower()} in {rng.choice(PLACES)} before {rng.choice(STAKES)}."
    )


def _title(rng: random.Random, n: int) -> str:
    if n % 50 == 7:
        return SPECIAL_TITLES[(n // 50) % len(SPECIAL_TITLES)]
    adjective, noun, other = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(NOUNS)
    pattern = rng.randrange(6)
    if pattern == 0:
        return f"The {adjective} {noun}"
    if pattern == 1:
        return f"{noun} of the {adjective} {other}"
    if pattern == 2:
        return f"{noun} & {other}"
    if pattern == 3:
        return f"A {noun} in {rng.choice(PLACES)}"
    if pattern == 4:
        return f"{adjective} {noun} {rng.choice(('II', 'III', '2', 'Returns', 'Rising'))}"
    return f"{adjective} {noun}"


def _date(rng: random.Random, year: int | None) -> str | None:
    return None if year is None else f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _rating(rng: random.Random) -> float:
    return round(rng.uniform(2.0, 9.8), 1)


def _colour(rating_key: int) -> tuple[int, int, int]:
    """A per-item poster colour from a 48-step hue wheel (so image caches stay small)."""
    hue = (rating_key * 7 % 48) / 48
    red, green, blue = colorsys.hsv_to_rgb(hue, 0.55, 0.8)
    return round(red * 255), round(green * 255), round(blue * 255)


# --------------------------------------------------------------------------- JPEG

POSTER_SIZE = (600, 900)  # what the thumb route serves: about the size of a real Plex poster
ART_SIZE = (1920, 1080)  # what the art route serves: a backdrop the size of a real Plex one


@functools.lru_cache(maxsize=512)
def solid_jpeg(rgb: tuple[int, int, int], width: int = 64, height: int = 96) -> bytes:
    """A valid baseline JPEG of one flat colour."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), rgb).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def item_jpeg(rating_key: int, width: int = 64, height: int = 96) -> bytes:
    """The poster of an item: a small JPEG in the item's colour."""
    return solid_jpeg(_colour(rating_key), width, height)


# --------------------------------------------------------------------------- XML / JSON rendering


_NEEDS_ESCAPE = re.compile(r"[&<>\"'\n\r\t]")


def _open_tag(tag: str, attrs: dict[str, Any]) -> str:
    """`<tag name="value" ...` (unclosed); booleans become 1/0, text is escaped. Hot path: keep it lean."""
    parts = [f"<{tag}"]
    for name, value in attrs.items():
        if value is None:
            continue
        if type(value) is str:
            if _NEEDS_ESCAPE.search(value):
                value = html.escape(value).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
        elif value is True or value is False:
            value = int(value)
        parts.append(f' {name}="{value}"')
    return "".join(parts)


def to_xml(el: El) -> str:
    """Serialise an element (escaped, attributes with None omitted)."""
    tag, attrs, children = el
    head = _open_tag(tag, attrs)
    if not children:
        return head + " />"
    return head + ">" + "".join(map(to_xml, children)) + f"</{tag}>"


_SINGLE_CHILDREN = frozenset({"User", "Player", "Session", "TranscodeSession", "Meta"})


def to_json(el: El) -> dict[str, Any]:
    """The PMS JSON shape of an element: children grouped by tag into arrays (a few as objects)."""
    _, attrs, children = el
    obj = {name: value for name, value in attrs.items() if value is not None}
    for child in children:
        if child[0] in _SINGLE_CHILDREN:
            obj[child[0]] = to_json(child)
        else:
            obj.setdefault(child[0], []).append(to_json(child))
    return obj


def _tag_els(
    tag: str, names: Iterable[str], *, detail: bool, filter_name: str, ids: dict[str, int] | None = None
) -> list[El]:
    if not detail:
        return [(tag, {"tag": name}, []) for name in names]
    els: list[El] = []
    for name in names:
        tag_id = ids[name] if ids else _tag_id(name)
        els.append((tag, {"id": tag_id, "filter": f"{filter_name}={tag_id}", "tag": name}, []))
    return els


def _media_el(item: Item, *, session: PlaySession | None = None) -> El:
    width, height, _ = RESOLUTIONS[item.resolution]
    codec = "hevc" if item.resolution == "4k" else "h264"
    part = {
        "id": item.media_id,
        "key": f"/library/parts/{item.media_id}/{item.added_at}/file.mkv",
        "duration": item.duration,
        "file": item.file,
        "size": item.size,
        "container": "mkv",
        "videoProfile": "main" if codec == "hevc" else "high",
    }
    media = {
        "id": item.media_id,
        "duration": item.duration,
        "bitrate": RESOLUTIONS[item.resolution][2],
        "width": width,
        "height": height,
        "aspectRatio": 1.78,
        "audioChannels": 6,
        "audioCodec": "eac3",
        "videoCodec": codec,
        "videoResolution": item.resolution,
        "container": "mkv",
        "videoFrameRate": "24p",
        "videoProfile": part["videoProfile"],
    }
    if session is not None:
        media["selected"] = part["selected"] = True
        part["decision"] = "transcode" if session.transcode else "directplay"
    return ("Media", media, [("Part", part, [])])


def _ratings_els(item: Item) -> list[El]:
    els: list[El] = []
    if item.rating is not None:
        els.append(
            ("Rating", {"image": "rottentomatoes://image.rating.ripe", "value": item.rating, "type": "critic"}, [])
        )
    if item.audience_rating is not None:
        els.append(
            ("Rating", {"image": "themoviedb://image.rating", "value": item.audience_rating, "type": "audience"}, [])
        )
    return els


def _item_attrs(item: Item, *, section: bool) -> dict[str, Any]:
    """Attributes in PMS order for any item type; `section` adds the librarySection* trio."""
    parent = item.parent
    grandparent = parent.parent if parent else None
    show = item.show
    attrs: dict[str, Any] = {"ratingKey": str(item.rating_key), "key": item.key}
    if parent:
        attrs["parentRatingKey"] = str(parent.rating_key)
    if grandparent:
        attrs["grandparentRatingKey"] = str(grandparent.rating_key)
    attrs["guid"] = item.guid
    if parent:
        attrs["parentGuid"] = parent.guid
    if grandparent:
        attrs["grandparentGuid"] = grandparent.guid
    attrs["studio"] = item.studio
    attrs["type"] = item.type
    attrs["title"] = item.title
    if item.title_sort != item.title:
        attrs["titleSort"] = item.title_sort
    if grandparent:
        attrs["grandparentKey"] = f"/library/metadata/{grandparent.rating_key}"
    if parent:
        attrs["parentKey"] = f"/library/metadata/{parent.rating_key}"
    if section:
        attrs["librarySectionTitle"] = item.section.title
        attrs["librarySectionID"] = item.section.key
        attrs["librarySectionKey"] = f"/library/sections/{item.section.key}"
    if grandparent:
        attrs["grandparentTitle"] = grandparent.title
    if parent:
        attrs["parentTitle"] = parent.title
    attrs["contentRating"] = item.content_rating or (show.content_rating if item is not show else None)
    attrs["summary"] = item.summary
    attrs["index"] = item.index
    attrs["parentIndex"] = parent.index if parent else None
    attrs["rating"] = item.rating
    attrs["audienceRating"] = item.audience_rating
    attrs["year"] = item.year
    attrs["thumb"] = item.thumb
    attrs["art"] = f"/library/metadata/{show.rating_key}/art/{show.updated_at}"
    if parent:
        attrs["parentThumb"] = parent.thumb
    if grandparent:
        attrs["grandparentThumb"] = grandparent.thumb
        attrs["grandparentArt"] = attrs["art"]
        attrs["grandparentTheme"] = f"/library/metadata/{grandparent.rating_key}/theme/{grandparent.updated_at}"
    if item.type == "show":
        attrs["theme"] = f"/library/metadata/{item.rating_key}/theme/{item.updated_at}"
    attrs["duration"] = item.duration
    attrs["originallyAvailableAt"] = item.originally_available_at
    if item.type == "show":
        attrs["leafCount"] = sum(len(season.children) for season in item.children)
        attrs["viewedLeafCount"] = 0
        attrs["childCount"] = len(item.children)
    elif item.type == "season":
        attrs["leafCount"] = len(item.children)
        attrs["viewedLeafCount"] = 0
    attrs["addedAt"] = item.added_at
    attrs["updatedAt"] = item.updated_at
    if item.type == "movie" and item.rating is not None:
        attrs["audienceRatingImage"] = "rottentomatoes://image.rating.upright"
        attrs["ratingImage"] = "rottentomatoes://image.rating.ripe"
    return attrs


def item_el(item: Item, *, detail: bool = False, section: bool = False) -> El:
    """An item without its `<Guid>` children: list form (tag-only tags) or detail form."""
    tag = "Directory" if item.type in ("show", "season") else "Video"
    children: list[El] = []
    if item.type in ("movie", "episode"):
        children.append(_media_el(item))
    children += _tag_els("Genre", item.genres, detail=detail, filter_name="genre", ids=GENRE_IDS)
    children += _tag_els("Director", item.directors, detail=detail, filter_name="director")
    roles = item.roles if detail else item.roles[:3]
    for actor, character in roles:
        attrs: dict[str, Any] = {"tag": actor}
        if detail:
            tag_id = _tag_id(actor)
            attrs = {"id": tag_id, "filter": f"actor={tag_id}", "tag": actor, "role": character}
        children.append(("Role", attrs, []))
    if detail:
        children += _ratings_els(item)
        if item.type == "show":
            children.append(("Location", {"path": f"{item.section.location}/{item.title}"}, []))
    return (tag, _item_attrs(item, section=section or detail), children)


def guid_els(item: Item) -> list[El]:
    return [("Guid", {"id": guid}, []) for guid in item.external_ids]


def item_detail_el(item: Item) -> El:
    tag, attrs, children = item_el(item, detail=True)
    return (tag, attrs, children + guid_els(item))


_CLOSING_TAGS = {"movie": b"</Video>", "episode": b"</Video>", "show": b"</Directory>", "season": b"</Directory>"}


def _cache_xml(item: Item) -> tuple[bytes, bytes]:
    """Render and store an item's list-form XML as (element without closing tag, its `<Guid>`s)."""
    tag, attrs, children = item_el(item)
    opening = _open_tag(tag, attrs) + ">" + "".join(map(to_xml, children))
    item.xml_cache = (opening.encode(), "".join(map(to_xml, guid_els(item))).encode())
    return item.xml_cache


def _cache_json(item: Item) -> tuple[bytes, bytes]:
    """Render and store an item's list-form JSON as (object without closing brace, `,"Guid":[...]` or b"")."""
    guids = b',"Guid":' + orjson.dumps([{"id": guid} for guid in item.external_ids]) if item.external_ids else b""
    item.json_cache = (orjson.dumps(to_json(item_el(item)))[:-1], guids)
    return item.json_cache


# --------------------------------------------------------------------------- faults


class Faults:
    """Runtime misbehaviour, all limited to request paths starting with `path_prefix` (None = all).

    - `latency`: seconds added before answering.
    - `status`: answer with this HTTP status instead (PMS-style HTML body).
    - `drop`: send the status line and headers, then close the connection (clients see a protocol error).
    - `hang`: never answer, until the client disconnects or `hang` is cleared.
    - `fail_after_requests`: the next N matching requests pass, later ones fail (with `status`, default 500,
      or with `drop`/`hang` when set). Counting restarts whenever it is assigned.
    - `fail_on_page_start`: only requests whose container start (header or query) equals this fail.
    - `times`: the failure fires at most this many times, then requests pass again (None = no limit).
    """

    latency: float
    status: int | None
    drop: bool
    hang: bool
    path_prefix: str | None
    fail_on_page_start: int | None
    times: int | None

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Clear every fault."""
        self.latency = 0.0
        self.status = None
        self.drop = False
        self.hang = False
        self.path_prefix = None
        self.fail_on_page_start = None
        self.times = None
        self._fail_after: int | None = None
        self._seen = 0
        self._baseline = 0

    @property
    def fail_after_requests(self) -> int | None:
        return self._fail_after

    @fail_after_requests.setter
    def fail_after_requests(self, value: int | None) -> None:
        self._fail_after = value
        self._baseline = self._seen

    def matches(self, path: str) -> bool:
        return self.path_prefix is None or path.startswith(self.path_prefix)

    def trigger(self, page_start: int | None) -> str | int | None:
        """Count one matching request; return "hang", "drop", an HTTP status, or None to pass."""
        self._seen += 1
        conditional = self._fail_after is not None or self.fail_on_page_start is not None
        if self._fail_after is not None and self._seen - self._baseline <= self._fail_after:
            return None
        if self.fail_on_page_start is not None and page_start != self.fail_on_page_start:
            return None
        action = "hang" if self.hang else "drop" if self.drop else self.status or (500 if conditional else None)
        if action is None or self.times == 0:
            return None
        if self.times is not None:
            self.times -= 1
        return action


def _error_body(status: int) -> bytes:
    phrase = HTTPStatus(status).phrase
    return f"<html><head><title>{phrase}</title></head><body><h1>{status} {phrase}</h1></body></html>".encode()


class _QuietDrops(logging.Filter):
    """Hide uvicorn's error line for connections the `drop` fault closes on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


class _Gate:
    """ASGI middleware: request log, faults, then token auth (everything but /identity)."""

    def __init__(self, app: ASGIApp, sim: PlexSimulator) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sim, path = self.sim, scope["path"]
        query_string = scope["query_string"].decode("latin-1")
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        sim.requests.append(f"{scope['method']} {path}" + (f"?{query_string}" if query_string else ""))
        faults = sim.faults
        if faults.matches(path):
            if faults.latency:
                await asyncio.sleep(faults.latency)
            start = query.get("X-Plex-Container-Start", headers.get("x-plex-container-start"))
            action = faults.trigger(int(start) if start and start.isdigit() else None)
            if action == "hang":
                replay = await self._hang(receive)
                if replay is None:
                    return
                receive = replay
            elif action == "drop":
                await send(
                    {"type": "http.response.start", "status": 200, "headers": [(b"content-type", XML_TYPE.encode())]}
                )
                return
            elif action is not None:
                await self._send(send, int(action), _error_body(int(action)))
                return
        token = query.get("X-Plex-Token") or headers.get("x-plex-token")
        if path != "/identity" and token != sim.token:
            await self._send(send, 401, _error_body(401))
            return
        await self.app(scope, receive, send)

    async def _hang(self, receive: Receive) -> Receive | None:
        """Wait while `hang` is set; None if the client went away, else a receive that replays the body."""
        pending: list[Message] = []
        while self.sim.faults.hang:
            try:
                message = await asyncio.wait_for(receive(), 0.05)
            except TimeoutError:
                continue
            if message["type"] == "http.disconnect":
                return None
            pending.append(message)

        async def replay() -> Message:
            return pending.pop(0) if pending else await receive()

        return replay

    @staticmethod
    async def _send(send: Send, status: int, body: bytes) -> None:
        headers = [(b"content-type", b"text/html"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


# --------------------------------------------------------------------------- query parsing

_FILTER_KEY = re.compile(r"^(?:[a-zA-Z]+\.)?([a-zA-Z]+)(>>|<<|>|<|!)?$")
_RELATIVE = re.compile(r"^-(\d+)(mon|[smhdwy])?$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": DAY, "w": 7 * DAY, "mon": 30 * DAY, "y": 365 * DAY}
_DATE_FIELDS = frozenset({"addedAt", "updatedAt", "viewedAt", "originallyAvailableAt"})
_ITEM_FIELDS: dict[str, Callable[[Item], Any]] = {
    "addedAt": attrgetter("added_at"),
    "updatedAt": attrgetter("updated_at"),
    "year": attrgetter("year"),
    "rating": attrgetter("rating"),
    "audienceRating": attrgetter("audience_rating"),
    "duration": attrgetter("duration"),
    "index": attrgetter("index"),
    "id": attrgetter("rating_key"),
    "ratingKey": attrgetter("rating_key"),
    "titleSort": lambda item: item.title_sort.casefold(),
    "title": lambda item: item.title.casefold(),
    "originallyAvailableAt": attrgetter("originally_available_at"),
}
_PLAY_FIELDS: dict[str, Callable[[Play], Any]] = {
    "viewedAt": attrgetter("viewed_at"),
    "accountID": attrgetter("account_id"),
    "id": attrgetter("history_id"),
    "ratingKey": attrgetter("rating_key"),
}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "": lambda a, b: a == b,
    "!": lambda a, b: a != b,
    ">>": lambda a, b: a >= b,
    ">": lambda a, b: a >= b,
    "<<": lambda a, b: a <= b,
    "<": lambda a, b: a <= b,
}


def _filter_value(field_name: str, raw: str) -> Any:
    """Parse a filter operand: epoch seconds, relative dates (`-30d`, `-3y`, `-3600`), numbers or text."""
    if field_name in _DATE_FIELDS and (relative := _RELATIVE.match(raw)):
        return int(time.time()) - int(relative[1]) * _UNIT_SECONDS[relative[2] or "s"]
    try:
        return float(raw) if "." in raw else int(raw)
    except ValueError:
        return raw


def _contains(getter: Callable[[Any], str], needle: str) -> Callable[[Any], bool]:
    return lambda row: needle in getter(row)


def _compares(getter: Callable[[Any], Any], compare: Callable[[Any, Any], bool], value: Any) -> Callable[[Any], bool]:
    def predicate(row: Any) -> bool:
        current = getter(row)
        return current is not None and compare(current, value)

    return predicate


def parse_filters(
    params: Iterable[tuple[str, str]], fields: dict[str, Callable[[Any], Any]]
) -> list[Callable[[Any], bool]]:
    """Predicates for PMS filter params such as `updatedAt>>=1700000000` (decoded key `updatedAt>>`).

    `>>=`/`>=` mean "at or after", `<<=`/`<=` "at or before"; a `type.` prefix (`episode.addedAt`) is ignored.
    Unknown keys are ignored, as PMS does with parameters it does not filter on.
    """
    predicates: list[Callable[[Any], bool]] = []
    for key, raw in params:
        match = _FILTER_KEY.match(key)
        if not match or match[1] not in fields:
            continue
        getter = fields[match[1]]
        if match[1] in ("title", "titleSort") and not match[2]:
            predicates.append(_contains(getter, raw.casefold()))
        else:
            predicates.append(_compares(getter, _COMPARE[match[2] or ""], _filter_value(match[1], raw)))
    return predicates


def apply_sort(rows: list[Any], sort: str | None, fields: dict[str, Callable[[Any], Any]]) -> list[Any]:
    """Sort by `field[:asc|desc]` terms (comma separated, `movie.` prefixes ignored); nulls go last."""
    if not sort:
        return rows
    for term in reversed(sort.split(",")):
        name, _, direction = term.strip().partition(":")
        getter = fields.get(name.rsplit(".", 1)[-1])
        if getter is None:
            continue
        present = [row for row in rows if getter(row) is not None]
        missing = [row for row in rows if getter(row) is None]
        rows = sorted(present, key=getter, reverse=direction == "desc") + missing
    return rows


def _paging(request: Request) -> tuple[int, int | None, bool]:
    """(start, size or None, paged?) from X-Plex-Container-* query params or headers."""
    values = []
    for name in ("X-Plex-Container-Start", "X-Plex-Container-Size"):
        raw = request.query_params.get(name) or request.headers.get(name)
        values.append(int(raw) if raw and raw.lstrip("-").isdigit() else None)
    start, size = values
    return max(start or 0, 0), None if size is None else max(size, 0), start is not None or size is not None


# --------------------------------------------------------------------------- the library


class PlexLibrary:
    """A deterministic Plex library: two sections, items, accounts, history and sessions.

    The same `seed` and `now` give the same library; `now` anchors every generated date (default: today
    00:00 UTC). `accounts` are (id, name) pairs, id 1 being the owner. All state changes go through the
    methods below, under one lock, so a test thread can mutate the library while the server serves it.
    """

    def __init__(
        self,
        *,
        movies: int = 200,
        shows: int = 10,
        seasons: int = 2,
        episodes: int = 6,
        seed: int = 1,
        now: datetime | None = None,
        accounts: Sequence[tuple[int, str]] = DEFAULT_ACCOUNTS,
        plays_per_account: int = 40,
    ) -> None:
        self.seed = seed
        self.anchor = _epoch(now or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0))
        self.lock = threading.RLock()
        self.items: dict[int, Item] = {}
        self.sessions: list[PlaySession] = []
        self.history: list[Play] = []
        self._orders: dict[tuple[int, str, str], list[Item]] = {}
        self._rating_keys = itertools.count(1001)
        self._media_ids = itertools.count(20_001)
        created = self.anchor - LIBRARY_YEARS * 365 * DAY
        self.sections = {
            MOVIE_SECTION: Section(
                MOVIE_SECTION,
                "movie",
                "Movies",
                "tv.plex.agents.movie",
                "Plex Movie",
                self._uuid("movies"),
                "/data/media/Movies",
                created,
                self.anchor,
            ),
            SHOW_SECTION: Section(
                SHOW_SECTION,
                "show",
                "TV Shows",
                "tv.plex.agents.series",
                "Plex TV Series",
                self._uuid("shows"),
                "/data/media/TV Shows",
                created,
                self.anchor,
            ),
        }
        rng = _Rng(seed)
        with _gc_paused():
            for n in range(movies):
                self._index(self._new_movie(rng, n))
            for n in range(shows):
                self._index(self._new_show(rng, n, seasons, episodes))
            self.accounts = self._new_accounts(rng, accounts)
            self._generate_history(rng, plays_per_account)

    # ----- generation

    def _uuid(self, name: str) -> str:
        digest = _hex(f"{self.seed}-{name}", 32)
        return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}"

    def _added(self, rng: random.Random) -> tuple[int, int]:
        """(addedAt, updatedAt) spread over the past years, skewed to recent."""
        added = self.anchor - int(LIBRARY_YEARS * 365 * DAY * rng.random() ** 1.6)
        return added, min(self.anchor, added + rng.randrange(0, 60 * DAY))

    def _media_fields(self, rng: random.Random, duration: int | None, path: str, sparse: bool) -> dict[str, Any]:
        resolution = rng.choice(("480", "720", "1080", "1080", "1080", "4k"))
        bitrate = RESOLUTIONS[resolution][2]
        size = None if sparse or duration is None else duration * bitrate // 8 + rng.randrange(1 << 20)
        return {"media_id": next(self._media_ids), "resolution": resolution, "size": size, "file": path}

    def _new_movie(self, rng: random.Random, n: int, **overrides: Any) -> Item:
        sparse = n % 33 == 5
        title = overrides.pop("title", None) or _title(rng, n)
        year = None if sparse else rng.randint(1950, datetime.fromtimestamp(self.anchor, UTC).year)
        added, updated = self._added(rng)
        imdb = f"tt{rng.randrange(100_000, 9_999_999):07d}"
        external: tuple[str, ...]
        if rng.random() < LEGACY_SHARE:
            guid, external = f"com.plexapp.agents.imdb://{imdb}?lang=en", ()
        else:
            guid = f"plex://movie/{rng.getrandbits(96):024x}"
            external = (
                f"imdb://{imdb}",
                f"tmdb://{rng.randrange(10, 999_999)}",
                f"tvdb://{rng.randrange(10, 399_999)}",
            )
        duration = rng.randrange(80, 180) * 60_000 + rng.randrange(60_000)
        label = f"{title} ({year})" if year else title
        section = self.sections[MOVIE_SECTION]
        fields: dict[str, Any] = dict(
            rating_key=next(self._rating_keys),
            type="movie",
            section=section,
            title=title,
            guid=guid,
            external_ids=external,
            added_at=added,
            updated_at=updated,
            year=year,
            rating=None if sparse else _rating(rng),
            audience_rating=None if sparse else _rating(rng),
            summary=_summary(rng),
            content_rating=None if sparse else rng.choice(MOVIE_RATINGS),
            studio=rng.choice(STUDIOS),
            genres=() if sparse else tuple(rng.sample(GENRES, rng.randint(1, 3))),
            directors=(_person(rng),),
            roles=tuple((_person(rng), rng.choice(CHARACTERS)) for _ in range(rng.randint(2, 5))),
            duration=duration,
            originally_available_at=_date(rng, year),
            **self._media_fields(rng, duration, f"{section.location}/{label}/{label}.mkv", sparse),
        )
        fields.update(overrides)
        return Item(**fields)

    def _new_show(self, rng: random.Random, n: int, seasons: int, episodes: int) -> Item:
        title = SPECIAL_TITLES[(n // 20 + 3) % len(SPECIAL_TITLES)] if n % 20 == 3 else _title(rng, n + 1)
        added, updated = self._added(rng)
        tvdb = rng.randrange(70_000, 450_000)
        legacy = rng.random() < LEGACY_SHARE
        external: tuple[str, ...]
        if legacy:
            guid, external = f"com.plexapp.agents.thetvdb://{tvdb}?lang=en", ()
        else:
            guid = f"plex://show/{rng.getrandbits(96):024x}"
            external = (
                f"imdb://tt{rng.randrange(100_000, 9_999_999):07d}",
                f"tmdb://{rng.randrange(1000, 250_000)}",
                f"tvdb://{tvdb}",
            )
        year = rng.randint(1990, datetime.fromtimestamp(self.anchor, UTC).year)
        show = Item(
            rating_key=next(self._rating_keys),
            type="show",
            section=self.sections[SHOW_SECTION],
            title=title,
            guid=guid,
            external_ids=external,
            added_at=added,
            updated_at=updated,
            index=1,
            year=year,
            rating=_rating(rng),
            audience_rating=_rating(rng),
            summary=_summary(rng),
            content_rating=rng.choice(TV_RATINGS),
            studio=rng.choice(NETWORKS),
            genres=tuple(rng.sample(GENRES, rng.randint(1, 3))),
            roles=tuple((_person(rng), rng.choice(CHARACTERS)) for _ in range(rng.randint(2, 4))),
            duration=rng.choice((22, 30, 45, 60)) * 60_000,
            originally_available_at=_date(rng, year),
        )
        for season_index in range(1, seasons + 1):
            season = self._new_season(rng, show, season_index, legacy, tvdb)
            for episode_index in range(1, episodes + 1):
                season.children.append(self._new_episode(rng, season, episode_index, legacy, tvdb))
        return show

    def _new_season(
        self, rng: random.Random, show: Item, index: int, legacy: bool, tvdb: int, added: int | None = None
    ) -> Item:
        guid = (
            f"com.plexapp.agents.thetvdb://{tvdb}/{index}?lang=en"
            if legacy
            else f"plex://season/{rng.getrandbits(96):024x}"
        )
        added_at = added or min(self.anchor, show.added_at + (index - 1) * 120 * DAY)
        season = Item(
            rating_key=next(self._rating_keys),
            type="season",
            section=show.section,
            title=f"Season {index}",
            guid=guid,
            external_ids=() if legacy else (f"tvdb://{rng.randrange(10_000, 999_999)}",),
            added_at=added_at,
            updated_at=max(added_at, show.updated_at),
            parent=show,
            index=index,
            year=show.year + index - 1 if show.year else None,
        )
        show.children.append(season)
        return season

    def _new_episode(
        self, rng: random.Random, season: Item, index: int, legacy: bool, tvdb: int, **overrides: Any
    ) -> Item:
        show = season.show
        sparse = index % 37 == 11
        title = overrides.pop("title", None) or f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
        added_at = min(self.anchor, season.added_at + (index - 1) * 7 * DAY)
        external: tuple[str, ...]
        if legacy:
            guid, external = f"com.plexapp.agents.thetvdb://{tvdb}/{season.index}/{index}?lang=en", ()
        else:
            guid = f"plex://episode/{rng.getrandbits(96):024x}"
            external = (
                f"imdb://tt{rng.randrange(100_000, 9_999_999):07d}",
                f"tmdb://{rng.randrange(10_000, 5_000_000)}",
                f"tvdb://{rng.randrange(10_000, 9_999_999)}",
            )
        year = None if sparse or season.year is None else season.year
        duration = (show.duration or 1_800_000) + rng.randrange(-120_000, 120_000)
        folder = f"{show.section.location}/{show.title}/Season {season.index:02d}"
        path = f"{folder}/{show.title} - s{season.index:02d}e{index:02d}.mkv"
        fields: dict[str, Any] = dict(
            rating_key=next(self._rating_keys),
            type="episode",
            section=show.section,
            title=title,
            guid=guid,
            external_ids=external,
            added_at=added_at,
            updated_at=min(self.anchor, added_at + rng.randrange(0, 5 * DAY)),
            parent=season,
            index=index,
            year=year,
            audience_rating=None if sparse else _rating(rng),
            summary=_summary(rng),
            directors=(_person(rng),),
            duration=duration,
            originally_available_at=_date(rng, year),
            **self._media_fields(rng, duration, path, sparse),
        )
        fields.update(overrides)
        return Item(**fields)

    def _new_accounts(self, rng: random.Random, accounts: Sequence[tuple[int, str]]) -> list[Account]:
        pairs = list(accounts) if any(account_id == 1 for account_id, _ in accounts) else [(1, "PlexOwner"), *accounts]
        result = []
        for device_id, (account_id, name) in enumerate(pairs, start=1):
            device_title, platform, product = DEVICES[(device_id - 1) % len(DEVICES)]
            result.append(
                Account(
                    id=account_id,
                    name=name,
                    plex_id=rng.randrange(1_000_000, 40_000_000) if account_id == 1 else account_id,
                    thumb=f"https://plex.tv/users/{_hex(f'{self.seed}-{name}', 16)}/avatar?c={self.anchor - 400 * DAY}",
                    favourite_genres=tuple(rng.sample(GENRES, 3)),
                    device_id=device_id,
                    device_title=device_title,
                    device_platform=platform,
                    product=product,
                    client_id=_hex(f"{self.seed}-device-{device_id}", 24),
                    public_address=f"203.0.113.{10 + device_id}",
                    local=device_id % 2 == 1,
                )
            )
        return result

    def _generate_history(self, rng: random.Random, plays_per_account: int) -> None:
        """Plays biased 80/20 toward each account's favourite genres, so recommendations have signal."""
        movies = [item for item in self.items.values() if item.type == "movie"]
        shows = [item for item in self.items.values() if item.type == "show" and item.children]
        everything = movies + shows
        plays: list[tuple[int, int, int, int]] = []
        for account in self.accounts:
            favourites = set(account.favourite_genres)
            pool = [item for item in everything if favourites.intersection(item.genres)] or everything
            for _ in range(plays_per_account if pool else 0):
                item = rng.choice(pool if rng.random() < 0.8 else everything)
                if item.type == "show":
                    item = rng.choice(rng.choice(item.children).children or [item])
                earliest = max(item.added_at, self.anchor - HISTORY_DAYS * DAY)
                viewed = rng.randint(earliest, self.anchor) if earliest < self.anchor else self.anchor
                plays.append((viewed, account.id, item.rating_key, account.device_id))
        for viewed, account_id, rating_key, device_id in sorted(plays):
            self._append_play(account_id, rating_key, viewed, device_id)

    def _index(self, item: Item) -> None:
        self.items[item.rating_key] = item
        for child in item.descendants():
            self.items[child.rating_key] = child

    def _append_play(self, account_id: int, rating_key: int, viewed_at: int, device_id: int) -> Play:
        item = self.items[rating_key]
        play = Play(
            len(self.history) + 1, account_id, rating_key, viewed_at, device_id, item.title, item.type, item.section.key
        )
        self.history.append(play)
        return play

    # ----- queries

    def account(self, account_id: int) -> Account:
        """The account with this id (or this plex.tv id)."""
        for account in self.accounts:
            if account_id in (account.id, account.plex_id):
                return account
        raise KeyError(f"no account {account_id}")

    def get(self, rating_key: int | str) -> Item | None:
        return self.items.get(int(rating_key))

    def ordered(self, section_key: int, item_type: str, sort: str | None = None) -> list[Item]:
        """A section's items of one type in PMS default order (title; episodes by show/season/index)."""
        cache_key = (section_key, item_type, sort or "")
        with self.lock:
            if cache_key not in self._orders:
                if sort:
                    rows = apply_sort(self.ordered(section_key, item_type), sort, _ITEM_FIELDS)
                else:
                    rows = self._default_order(section_key, item_type)
                self._orders[cache_key] = rows
            return self._orders[cache_key]

    def _default_order(self, section_key: int, item_type: str) -> list[Item]:
        top_type = self.sections[section_key].type
        tops = [item for item in self.items.values() if item.section.key == section_key and item.parent is None]
        tops.sort(key=lambda item: (item.title_sort.casefold(), item.rating_key))
        if item_type == top_type:
            return tops
        seasons = [season for show in tops for season in show.children] if top_type == "show" else []
        if item_type == "season":
            return seasons
        return [episode for season in seasons for episode in season.children] if item_type == "episode" else []

    def fragment(self, item: Item, *, as_json: bool, guids: bool) -> bytes:
        """The cached list-form wire fragment of an item (XML or JSON), with or without `<Guid>`s."""
        if as_json:
            head, guid_part = item.json_cache or _cache_json(item)
            return head + (guid_part if guids else b"") + b"}"
        head, guid_part = item.xml_cache or _cache_xml(item)
        return head + (guid_part if guids else b"") + _CLOSING_TAGS[item.type]

    def warm(self) -> None:
        """Render every item's XML fragment now, so the first full sync is as fast as later ones."""
        with self.lock, _gc_paused():
            for item in self.items.values():
                self.fragment(item, as_json=False, guids=False)

    # ----- mutations

    def _changed(self, items: Iterable[Item]) -> None:
        for item in items:
            item.invalidate()
        self._orders.clear()

    def touch(
        self,
        rating_keys: Iterable[int | str],
        now: datetime | int | None = None,
        *,
        title: str | None = None,
        rating: float | None = None,
    ) -> int:
        """Set updatedAt (and optionally title/rating) of items; returns the epoch used."""
        stamp = _epoch(now)
        with self.lock:
            items = [self.items[int(key)] for key in rating_keys]
            for item in items:
                item.updated_at = stamp
                item.title = title or item.title
                item.rating = item.rating if rating is None else rating
            self._changed(items)
        return stamp

    def add_movie(self, title: str | None = None, *, now: datetime | int | None = None, **fields: Any) -> Item:
        """Add a movie (addedAt = updatedAt = now); unspecified fields are generated from the seed."""
        stamp = _epoch(now)
        with self.lock:
            rng = _Rng(f"{self.seed}-movie-{len(self.items)}")
            movie = self._new_movie(rng, 0, title=title, added_at=stamp, updated_at=stamp, **fields)
            self._index(movie)
            self._changed([movie])
        return movie

    def add_episode(
        self,
        show_rating_key: int | str,
        season_index: int,
        *,
        index: int | None = None,
        title: str | None = None,
        now: datetime | int | None = None,
    ) -> Item:
        """Add an episode (creating the season if needed) with addedAt = updatedAt = now."""
        stamp = _epoch(now)
        with self.lock:
            show = self.items[int(show_rating_key)]
            rng = _Rng(f"{self.seed}-episode-{len(self.items)}")
            legacy = show.guid.startswith("com.plexapp.agents")
            tvdb = int(re.findall(r"\d+", show.guid)[0]) if legacy else 0
            season = next((s for s in show.children if s.index == season_index), None)
            if season is None:
                season = self._new_season(rng, show, season_index, legacy, tvdb, added=stamp)
                show.children.sort(key=attrgetter("index"))
                self._index(season)
            index = index or max((e.index or 0 for e in season.children), default=0) + 1
            episode = self._new_episode(rng, season, index, legacy, tvdb, title=title, added_at=stamp, updated_at=stamp)
            season.children.append(episode)
            season.children.sort(key=attrgetter("index"))
            self._index(episode)
            self._changed([show])
        return episode

    def remove(self, rating_key: int | str) -> None:
        """Delete an item and everything below it (history rows stay, without a ratingKey)."""
        with self.lock:
            item = self.items.pop(int(rating_key))
            for child in item.descendants():
                self.items.pop(child.rating_key, None)
            if item.parent is not None:
                item.parent.children.remove(item)
            self.sessions = [s for s in self.sessions if s.rating_key in self.items]
            self._changed([item.show] if item.parent else [])

    def add_play(self, account_id: int, rating_key: int | str, viewed_at: datetime | int | None = None) -> Play:
        """Append a watch-history row."""
        with self.lock:
            return self._append_play(account_id, int(rating_key), _epoch(viewed_at), self.account(account_id).device_id)

    def set_sessions(self, sessions: Iterable[PlaySession]) -> None:
        """Replace the list of active playback sessions."""
        with self.lock:
            self.sessions = list(sessions)


# --------------------------------------------------------------------------- the server


def _wants_json(request: Request) -> bool:
    return JSON_TYPE in request.headers.get("accept", "")


def _truthy(request: Request, name: str) -> bool:
    return request.query_params.get(name, "0") not in ("", "0")


def _container(
    request: Request,
    attrs: dict[str, Any],
    parts: Callable[[bool], list[bytes]],
    json_key: str = "Metadata",
    *,
    meta: El | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A MediaContainer response in XML or (on Accept: application/json) JSON from item fragments."""
    as_json = _wants_json(request)
    fragments = parts(as_json)
    if as_json:
        container = orjson.dumps(attrs | ({"Meta": to_json(meta)} if meta else {}))[:-1]
        items = b',"' + json_key.encode() + b'":[' + b",".join(fragments) + b"]" if fragments else b""
        return Response(b'{"MediaContainer":' + container + items + b"}}", headers=headers, media_type=JSON_TYPE)
    opening = f'<?xml version="1.0" encoding="UTF-8"?>\n{_open_tag("MediaContainer", attrs)}>\n'
    if meta:
        opening += to_xml(meta) + "\n"
    body = opening.encode() + b"\n".join(fragments) + (b"\n" if fragments else b"") + b"</MediaContainer>\n"
    return Response(body, headers=headers, media_type=XML_TYPE)


def _not_found() -> Response:
    return Response(_error_body(404), 404, media_type="text/html")


def _els(els: list[El]) -> Callable[[bool], list[bytes]]:
    return lambda as_json: [orjson.dumps(to_json(el)) if as_json else to_xml(el).encode() for el in els]


def _section_meta(section: Section) -> El:
    """A minimal `<Meta>` block so plexapi's filter/sort validation works (`filters={"updatedAt>>": ...}`)."""
    types = ("movie",) if section.type == "movie" else ("show", "season", "episode")
    fields = (
        ("title", "string", "Title"),
        ("year", "integer", "Year"),
        ("addedAt", "date", "Date Added"),
        ("genre", "tag", "Genre"),
    )
    sorts = (("titleSort", "Title"), ("addedAt", "Date Added"), ("year", "Year"), ("rating", "Critic Rating"))
    type_els: list[El] = []
    for libtype in types:
        prefix = "" if libtype == "movie" else f"{libtype}."
        children: list[El] = [
            ("Sort", {"defaultDirection": "asc", "descKey": f"{key}:desc", "key": key, "title": title}, [])
            for key, title in sorts
        ]
        children += [("Field", {"key": prefix + key, "title": title, "type": kind}, []) for key, kind, title in fields]
        attrs = {
            "key": f"/library/sections/{section.key}/all?type={SEARCH_TYPES[libtype]}",
            "type": libtype,
            "title": libtype.title(),
            "active": libtype == types[0],
        }
        type_els.append(("Type", attrs, children))
    operators = {
        "date": ((">>=", "is after"), ("<<=", "is before")),
        "integer": (("=", "is"), ("!=", "is not"), (">>=", "is greater than"), ("<<=", "is less than")),
        "string": (("=", "contains"), ("!=", "does not contain"), ("==", "is"), ("!==", "is not")),
        "tag": (("=", "is"), ("!=", "is not")),
    }
    field_types: list[El] = [
        ("FieldType", {"type": kind}, [("Operator", {"key": key, "title": title}, []) for key, title in ops])
        for kind, ops in operators.items()
    ]
    return ("Meta", {}, type_els + field_types)


class PlexSimulator(PlexLibrary, Served):
    """A simulated Plex Media Server: the library plus identity, token, faults and a Starlette app.

    Construct with the `PlexLibrary` arguments plus `token`, `machine_identifier` (use a different
    one to simulate "wrong server"), `friendly_name`. `serve()` runs it on 127.0.0.1 in a thread.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        machine_identifier: str | None = None,
        friendly_name: str = "SmartPlex Sim",
        **library: Any,
    ) -> None:
        super().__init__(**library)
        self.token = token or _hex(f"{self.seed}-token", 20)
        self.machine_identifier = machine_identifier or _hex(f"{self.seed}-machine", 40)
        self.friendly_name = friendly_name
        self.faults = Faults()
        self.requests: deque[str] = deque(maxlen=10_000)
        self.app = Starlette(routes=self._routes(), middleware=[Middleware(_Gate, sim=self)])

    def fire_webhook(
        self, url: str, event: str, account_id: int, rating_key: int | str | None = None, **options: Any
    ) -> httpx.Response:
        """POST a real Plex webhook; see `plex_webhooks.fire_webhook` for the options."""
        from smartplex.simulators.plex_webhooks import fire_webhook

        return fire_webhook(self, url, event, account_id, rating_key, **options)

    def _routes(self) -> list[Route]:
        return [
            Route("/", self._root),
            Route("/identity", self._identity),
            Route("/library", self._library),
            Route("/library/sections", self._sections),
            Route("/library/sections/", self._sections),
            Route("/library/sections/{section:int}/all", self._section_all),
            Route("/library/sections/{section:int}/collections", self._collections),
            Route("/library/sections/{section:int}/refresh", self._refresh),
            Route("/library/recentlyAdded", self._recently_added),
            Route("/library/metadata/{keys}", self._metadata, methods=["GET", "DELETE"]),
            Route("/library/metadata/{key:int}/children", self._children),
            Route("/library/metadata/{key:int}/allLeaves", self._all_leaves),
            Route("/library/metadata/{key:int}/thumb/{stamp}", self._image),
            Route("/library/metadata/{key:int}/art/{stamp}", self._image),
            Route("/photo/:/transcode", self._transcode),
            Route("/status/sessions", self._sessions),
            Route("/status/sessions/history/all", self._history),
            Route("/accounts", self._accounts),
            Route("/devices", self._devices),
            Route("/__sim__/touch", self._sim_touch, methods=["POST"]),
        ]

    # ----- server-level endpoints

    def _library_attrs(self, section: Section | None = None) -> dict[str, Any]:
        attrs: dict[str, Any] = {"allowSync": True, "identifier": "com.plexapp.plugins.library"}
        if section:
            attrs |= {
                "librarySectionID": section.key,
                "librarySectionTitle": section.title,
                "librarySectionUUID": section.uuid,
            }
        return attrs | {"mediaTagPrefix": "/system/bundle/media/flags/", "mediaTagVersion": MEDIA_TAG_VERSION}

    async def _root(self, request: Request) -> Response:
        owner = self.account(1)
        attrs = {
            "size": 4,
            "allowCameraUpload": True,
            "allowChannelAccess": True,
            "allowMediaDeletion": True,
            "allowSharing": True,
            "allowSync": True,
            "backgroundProcessing": True,
            "countryCode": "usa",
            "friendlyName": self.friendly_name,
            "hubSearch": True,
            "machineIdentifier": self.machine_identifier,
            "multiuser": True,
            "myPlex": True,
            "myPlexMappingState": "mapped",
            "myPlexSigninState": "ok",
            "myPlexSubscription": True,
            "myPlexUsername": owner.name,
            "platform": "Linux",
            "platformVersion": "6.1.0-18-amd64",
            "transcoderActiveVideoSessions": 0,
            "transcoderVideo": True,
            "updatedAt": self.anchor,
            "version": PMS_VERSION,
        }
        dirs: list[El] = [
            ("Directory", {"count": 1, "key": key, "title": key}, [])
            for key in ("accounts", "devices", "library", "status")
        ]
        return _container(request, attrs, _els(dirs), "Directory")

    async def _identity(self, request: Request) -> Response:
        attrs = {"size": 0, "claimed": True, "machineIdentifier": self.machine_identifier, "version": PMS_VERSION}
        return _container(request, attrs, _els([]))

    async def _library(self, request: Request) -> Response:
        dirs: list[El] = [
            ("Directory", {"key": key, "title": title}, [])
            for key, title in (
                ("sections", "Library Sections"),
                ("recentlyAdded", "Recently Added Content"),
                ("onDeck", "On Deck Content"),
            )
        ]
        attrs = {"size": len(dirs), **self._library_attrs(), "title1": "Plex Library"}
        return _container(request, attrs, _els(dirs), "Directory")

    async def _sections(self, request: Request) -> Response:
        dirs: list[El] = []
        for section in self.sections.values():
            attrs = {
                "allowSync": True,
                "art": f"/:/resources/{section.type}-fanart.jpg",
                "filters": True,
                "refreshing": False,
                "thumb": f"/:/resources/{section.type}.png",
                "key": str(section.key),
                "type": section.type,
                "title": section.title,
                "agent": section.agent,
                "scanner": section.scanner,
                "language": "en-US",
                "uuid": section.uuid,
                "updatedAt": section.updated_at,
                "createdAt": section.created_at,
                "scannedAt": self.anchor,
                "content": True,
                "directory": True,
                "hidden": 0,
            }
            dirs.append(("Directory", attrs, [("Location", {"id": section.key, "path": section.location}, [])]))
        attrs = {"size": len(dirs), "allowSync": False, "title1": "Plex Library"}
        return _container(request, attrs, _els(dirs), "Directory")

    # ----- item listings

    def _page(
        self,
        request: Request,
        rows: list[Any],
        attrs: dict[str, Any],
        render: Callable[[list[Any]], Callable[[bool], list[bytes]]],
        meta: El | None = None,
    ) -> Response:
        """Slice rows by the container start/size and answer with totals and paging headers."""
        start, size, paged = _paging(request)
        window = rows[start:] if size is None else rows[start : start + size]
        totals = {"totalSize": len(rows), "offset": start} if paged else {}
        headers = (
            {"X-Plex-Container-Start": str(start), "X-Plex-Container-Total-Size": str(len(rows))} if paged else None
        )
        return _container(request, {"size": len(window), **totals, **attrs}, render(window), meta=meta, headers=headers)

    def _items(self, request: Request) -> Callable[[list[Item]], Callable[[bool], list[bytes]]]:
        guids = _truthy(request, "includeGuids")
        return lambda items: lambda as_json: [self.fragment(item, as_json=as_json, guids=guids) for item in items]

    def _filtered(self, request: Request, rows: list[Item]) -> list[Item]:
        predicates = parse_filters(request.query_params.multi_items(), _ITEM_FIELDS)
        genre = request.query_params.get("genre")
        if genre:
            predicates.append(lambda item: any(genre in (g, str(GENRE_IDS[g])) for g in item.genres))
        return [row for row in rows if all(p(row) for p in predicates)] if predicates else rows

    async def _section_all(self, request: Request) -> Response:
        section = self.sections.get(request.path_params["section"])
        if section is None:
            return _not_found()
        requested = request.query_params.get("type", "")
        type_number = int(requested) if requested.isdigit() else SEARCH_TYPES[section.type]
        item_type = next((name for name, number in SEARCH_TYPES.items() if number == type_number), "")
        with self.lock:
            rows = self._filtered(request, self.ordered(section.key, item_type, request.query_params.get("sort")))
            attrs = {
                **self._library_attrs(section),
                "thumb": f"/:/resources/{section.type}.png",
                "title1": section.title,
                "title2": f"All {section.title}",
                "viewGroup": item_type,
                "viewMode": 65592,
            }
            meta = _section_meta(section) if _truthy(request, "includeMeta") else None
            return self._page(request, rows, attrs, self._items(request), meta)

    async def _collections(self, request: Request) -> Response:
        return _container(request, {"size": 0, "totalSize": 0, "offset": 0, **self._library_attrs()}, _els([]))

    async def _refresh(self, request: Request) -> Response:
        return Response(b"", 200)

    async def _recently_added(self, request: Request) -> Response:
        limit = int(request.query_params.get("limit") or 50)
        with self.lock:
            playable = [item for item in self.items.values() if item.type in ("movie", "episode")]
            recent = sorted(playable, key=lambda item: (item.added_at, item.rating_key), reverse=True)[:limit]
            guids = _truthy(request, "includeGuids")
            els = [item_el(item, section=True) for item in recent]
            if guids:
                els = [
                    (tag, attrs, children + guid_els(item))
                    for (tag, attrs, children), item in zip(els, recent, strict=True)
                ]
            return self._page(request, els, {**self._library_attrs(), "title1": "Recently Added"}, _els)

    async def _metadata(self, request: Request) -> Response:
        with self.lock:
            items = [self.get(key) for key in request.path_params["keys"].split(",") if key.isdigit()]
            found = [item for item in items if item is not None]
            if not found:
                return _not_found()
            if request.method == "DELETE":
                for item in found:
                    self.remove(item.rating_key)
                return Response(b"", 200)
            attrs = {"size": len(found), **self._library_attrs(found[0].section)}
            return _container(request, attrs, _els([item_detail_el(item) for item in found]))

    async def _children(self, request: Request) -> Response:
        with self.lock:
            parent = self.get(request.path_params["key"])
            if parent is None:
                return _not_found()
            view = "season" if parent.type == "show" else "episode"
            attrs = {
                **self._library_attrs(parent.section),
                "key": str(parent.rating_key),
                "parentTitle": parent.title,
                "title1": parent.title,
                "title2": parent.title,
                "viewGroup": view,
            }
            return self._page(request, self._filtered(request, list(parent.children)), attrs, self._items(request))

    async def _all_leaves(self, request: Request) -> Response:
        with self.lock:
            show = self.get(request.path_params["key"])
            if show is None:
                return _not_found()
            leaves = [item for item in show.descendants() if item.type == "episode"]
            attrs = {
                **self._library_attrs(show.section),
                "key": str(show.rating_key),
                "title1": show.title,
                "title2": "All episodes",
                "viewGroup": "episode",
            }
            return self._page(request, self._filtered(request, leaves), attrs, self._items(request))

    # ----- images

    async def _image(self, request: Request) -> Response:
        if self.get(request.path_params["key"]) is None:
            return _not_found()
        size = ART_SIZE if "/art/" in request.url.path else POSTER_SIZE
        return Response(item_jpeg(request.path_params["key"], *size), media_type="image/jpeg")

    async def _transcode(self, request: Request) -> Response:
        match = re.search(r"/library/metadata/(\d+)/", request.query_params.get("url", ""))
        width, height = (
            min(max(int(request.query_params.get(name) or default), 8), 1024)
            for name, default in (("width", 240), ("height", 360))
        )
        return Response(item_jpeg(int(match[1]) if match else 0, width, height), media_type="image/jpeg")

    # ----- status and accounts

    def _session_el(self, number: int, session: PlaySession) -> El | None:
        item = self.get(session.rating_key)
        if item is None:
            return None
        account = self.account(session.account_id)
        tag, attrs, children = item_el(item, section=True)
        attrs |= {"sessionKey": str(number), "viewOffset": session.view_offset}
        children = [_media_el(item, session=session), *children[1:]]
        children.append(("User", {"id": str(account.id), "thumb": account.thumb, "title": account.name}, []))
        children.append(
            (
                "Player",
                {
                    "address": "192.168.1.20" if account.local else account.public_address,
                    "device": account.device_platform,
                    "machineIdentifier": account.client_id,
                    "model": "bundled",
                    "platform": account.device_platform,
                    "platformVersion": "14",
                    "product": account.product,
                    "profile": account.device_platform,
                    "state": session.state,
                    "title": account.device_title,
                    "version": "10.18.0",
                    "local": account.local,
                    "relayed": False,
                    "secure": True,
                    "userID": account.id,
                },
                [],
            )
        )
        session_id = _hex(f"{self.seed}-session-{number}-{account.id}", 24)
        children.append(
            ("Session", {"id": session_id, "bandwidth": 12_000, "location": "lan" if account.local else "wan"}, [])
        )
        if session.transcode:
            children.append(
                (
                    "TranscodeSession",
                    {
                        "key": f"/transcode/sessions/{session_id}",
                        "throttled": False,
                        "progress": 5.3,
                        "speed": 6.9,
                        "videoDecision": "transcode",
                        "audioDecision": "copy",
                        "protocol": "dash",
                    },
                    [],
                )
            )
        return (tag, attrs, children)

    async def _sessions(self, request: Request) -> Response:
        with self.lock:
            els = [el for n, s in enumerate(self.sessions, start=1) if (el := self._session_el(n, s))]
        return _container(request, {"size": len(els)}, _els(els))

    def _history_el(self, play: Play) -> El:
        """A history row as PMS lists it; rows of deleted items keep only the snapshot title and type."""
        item = self.get(play.rating_key)
        attrs: dict[str, Any] = {"historyKey": f"/status/sessions/history/{play.history_id}"}
        if item is not None:
            attrs |= {"key": f"/library/metadata/{item.rating_key}", "ratingKey": str(item.rating_key)}
        attrs |= {"librarySectionID": str(play.section_key), "title": play.title, "type": play.type}
        if item is not None:
            attrs |= {"title": item.title, "thumb": item.thumb}
            season = item.parent
            if season is not None and season.parent is not None:
                show = season.parent
                attrs |= {
                    "parentKey": f"/library/metadata/{season.rating_key}",
                    "parentRatingKey": str(season.rating_key),
                    "grandparentKey": f"/library/metadata/{show.rating_key}",
                    "grandparentRatingKey": str(show.rating_key),
                    "parentTitle": season.title,
                    "grandparentTitle": show.title,
                    "parentThumb": season.thumb,
                    "grandparentThumb": show.thumb,
                    "grandparentArt": f"/library/metadata/{show.rating_key}/art/{show.updated_at}",
                    "index": item.index,
                    "parentIndex": season.index,
                }
            attrs["originallyAvailableAt"] = item.originally_available_at
        attrs |= {"viewedAt": play.viewed_at, "accountID": play.account_id, "deviceID": play.device_id}
        return ("Video", attrs, [])

    async def _history(self, request: Request) -> Response:
        params = request.query_params
        with self.lock:
            predicates = parse_filters(params.multi_items(), _PLAY_FIELDS)
            plays = [play for play in self.history if all(p(play) for p in predicates)]
            if section_id := params.get("librarySectionID"):
                plays = [play for play in plays if str(play.section_key) == section_id]
            if (item_id := params.get("metadataItemID", "")).isdigit():
                item = self.get(item_id)
                keys = {int(item_id)} | ({d.rating_key for d in item.descendants()} if item else set())
                plays = [play for play in plays if play.rating_key in keys]
            plays = apply_sort(plays, params.get("sort"), _PLAY_FIELDS)
            return self._page(request, plays, {}, lambda window: _els([self._history_el(play) for play in window]))

    async def _accounts(self, request: Request) -> Response:
        system = {
            "id": 0,
            "key": "/accounts/0",
            "name": "",
            "defaultAudioLanguage": "en",
            "autoSelectAudio": True,
            "defaultSubtitleLanguage": "en",
            "subtitleMode": 1,
            "thumb": "",
        }
        els: list[El] = [("Account", system, [])]
        for account in self.accounts:
            attrs = system | {
                "id": account.id,
                "key": f"/accounts/{account.id}",
                "name": account.name,
                "autoSelectAudio": False,
                "subtitleMode": 0,
                "thumb": account.thumb,
            }
            els.append(("Account", attrs, []))
        return _container(
            request, {"size": len(els), "identifier": "com.plexapp.system.accounts"}, _els(els), "Account"
        )

    async def _devices(self, request: Request) -> Response:
        els: list[El] = [
            (
                "Device",
                {
                    "id": account.device_id,
                    "name": account.device_title,
                    "platform": account.device_platform,
                    "clientIdentifier": account.client_id,
                    "createdAt": self.anchor - 300 * DAY,
                },
                [],
            )
            for account in self.accounts
        ]
        return _container(request, {"size": len(els), "identifier": "com.plexapp.system.devices"}, _els(els), "Device")

    async def _sim_touch(self, request: Request) -> Response:
        """Not Plex: lets a test touch items of a simulator in another process, as `touch()` does (token required).

        Body: `{"rating_keys": [...], "now": epoch?, "title": str?}`; answers `{"updatedAt": epoch}`.
        """
        body = orjson.loads(await request.body())
        stamp = self.touch(body["rating_keys"], body.get("now"), title=body.get("title"))
        return Response(orjson.dumps({"updatedAt": stamp}), media_type=JSON_TYPE)


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> None:
    """Serve a generated library on 127.0.0.1 until interrupted."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=32400)
    parser.add_argument("--movies", type=int, default=200)
    parser.add_argument("--shows", type=int, default=10)
    parser.add_argument("--seasons", type=int, default=2)
    parser.add_argument("--episodes", type=int, default=6)
    parser.add_argument("--plays", type=int, default=40, help="watch-history rows per account")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--token", default=None)
    parser.add_argument("--machine-identifier", default=None)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    sim = PlexSimulator(
        movies=args.movies,
        shows=args.shows,
        seasons=args.seasons,
        episodes=args.episodes,
        seed=args.seed,
        plays_per_account=args.plays,
        token=args.token,
        machine_identifier=args.machine_identifier,
    )
    built = time.perf_counter()
    sim.warm()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("smartplex.simulators.plex").info(
        "plex simulator: %d items built in %.2fs, rendered in %.2fs; http://127.0.0.1:%d token=%s machineIdentifier=%s",
        len(sim.items),
        built - began,
        time.perf_counter() - built,
        args.port,
        sim.token,
        sim.machine_identifier,
    )
    uvicorn.run(sim.app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, lifespan="off")


if __name__ == "__main__":
    main()
