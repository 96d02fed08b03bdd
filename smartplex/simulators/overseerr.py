"""An Overseerr / Seerr simulator: a real, stateful HTTP server speaking Seerr's API (`/api/v1`) on 127.0.0.1.

It holds a TMDB-like catalogue (movies and shows with seasons, TMDB-style poster paths whose images it serves
under `/imageproxy/tmdb/t/p/{size}/{file}` like Seerr's image proxy), Seerr users (with Plex ids and emails),
media with their availability, and requests that move pending -> approved -> processing -> available (or
declined, failed). It checks `X-Api-Key` (401 without one, 403 for a wrong one) and acts as the user named by
`X-API-User`, whose permissions decide (request, auto-approve, manage requests). Like Seerr's request validator
it answers 400 to unknown query parameters and to reserved characters left unencoded in a query value.

Each change of a request fires Seerr's webhook (its default JSON template, every value a string) at
`webhook_url` with the `Authorization` header set in `webhook_auth`, from a thread, as Seerr does after the fact.
`faults` (latency, status, hang, drop = an empty 200, only on some paths, N times), `malformed` and `delays` (per search query)
make it misbehave on demand.

    sim = OverseerrSimulator()
    with sim.serve():
        httpx.get(sim.url + "/api/v1/search?query=Face%2FOff", headers={"X-Api-Key": sim.api_key})

Run standalone: `python -m smartplex.simulators.overseerr --port 5055`.
"""

from __future__ import annotations

import argparse
import asyncio
import colorsys
import hashlib
import itertools
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from smartplex.simulators.plex import Faults, solid_jpeg
from smartplex.simulators.server import Served

VERSION = "2.7.3"
API = "/api/v1"
PAGE_SIZE = 20

# Seerr's numbers: MediaRequestStatus and MediaStatus.
PENDING, APPROVED, DECLINED, FAILED, COMPLETED = 1, 2, 3, 4, 5
UNKNOWN, MEDIA_PENDING, PROCESSING, PARTIALLY_AVAILABLE, AVAILABLE = 1, 2, 3, 4, 5
MEDIA_STATUS_NAMES = {1: "UNKNOWN", 2: "PENDING", 3: "PROCESSING", 4: "PARTIALLY_AVAILABLE", 5: "AVAILABLE"}
# Permission bits (server/lib/permissions.ts).
ADMIN, MANAGE_REQUESTS, REQUEST, AUTO_APPROVE = 2, 16, 32, 128

_UNRESERVED = re.compile(r"^[A-Za-z0-9\-._~%]*$")
QUERY_PARAMETERS = {
    f"{API}/search": {"query", "page", "language"},
    f"{API}/request": {"take", "skip", "filter", "sort", "requestedBy"},
    f"{API}/user": {"take", "skip", "sort"},
}

CATALOGUE: tuple[tuple[str, int, str, int, int | None, int], ...] = (
    # (media type, tmdb id, title, year, tvdb id, seasons)
    ("movie", 754, "Face/Off", 1997, None, 0),
    ("movie", 194, "Amélie", 2001, None, 0),
    ("movie", 129, "千と千尋の神隠し", 2001, None, 0),
    ("movie", 603, "The Matrix", 1999, None, 0),
    ("movie", 604, "The Matrix Reloaded", 2003, None, 0),
    ("movie", 605, "The Matrix Revolutions", 2003, None, 0),
    ("movie", 438631, "Dune", 2021, None, 0),
    ("movie", 693134, "Dune: Part Two", 2024, None, 0),
    ("movie", 27205, "Inception", 2010, None, 0),
    ("movie", 157336, "Interstellar", 2014, None, 0),
    ("movie", 496243, "Parasite", 2019, None, 0),
    ("movie", 8392, "My Neighbor Totoro", 1988, None, 0),
    ("movie", 101, "Léon: The Professional", 1994, None, 0),
    ("movie", 508442, "Soul", 2020, None, 0),
    ("movie", 346698, "Barbie", 2023, None, 0),
    ("movie", 872585, "Oppenheimer", 2023, None, 0),
    ("tv", 1396, "Breaking Bad", 2008, 81189, 5),
    ("tv", 66732, "Stranger Things", 2016, 305288, 4),
    ("tv", 1399, "Game of Thrones", 2011, 121361, 8),
    ("tv", 94605, "Arcane", 2021, 371028, 2),
    ("tv", 95396, "Severance", 2022, 371980, 2),
    ("tv", 136315, "The Bear", 2022, 403245, 3),
    ("tv", 100088, "The Last of Us", 2023, 392256, 2),
    ("tv", 76479, "The Boys", 2019, 355567, 4),
    ("tv", 60625, "Rick and Morty", 2013, 275274, 7),
    ("tv", 84958, "Loki", 2021, 362472, 2),
)


def poster_path(tmdb_id: int, media_type: str) -> str:
    """A TMDB-style poster path: a slash and 27 characters of base62, then .jpg."""
    digest = hashlib.sha256(f"{media_type}-{tmdb_id}".encode()).digest()
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "/" + "".join(alphabet[b % 62] for b in digest[:27]) + ".jpg"


def poster_jpeg(path: str, width: int) -> bytes:
    """The poster behind a path: a flat colour from its hash, 2:3."""
    hue = int(hashlib.sha256(path.encode()).hexdigest()[:4], 16) % 360 / 360
    rgb = tuple(round(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.5, 0.75))
    return solid_jpeg(rgb, width, width * 3 // 2)  # type: ignore[arg-type]


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Title:
    tmdb_id: int
    media_type: str  # movie | tv
    title: str
    year: int
    tvdb_id: int | None = None
    seasons: dict[int, int] = field(default_factory=dict)  # season number -> episodes
    overview: str = ""

    @property
    def poster_path(self) -> str:
        return poster_path(self.tmdb_id, self.media_type)


@dataclass
class User:
    id: int
    email: str
    username: str
    plex_id: int | None = None
    permissions: int = REQUEST
    movie_quota: int | None = None  # Seerr's own per-user quota (per 7 days); None = unlimited

    def may(self, bit: int) -> bool:
        return bool(self.permissions & (ADMIN | bit))

    def as_json(self, requests: int = 0) -> dict[str, Any]:
        return {
            "id": self.id, "email": self.email, "username": self.username, "plexUsername": self.username,
            "plexId": self.plex_id, "displayName": self.username, "userType": 1 if self.plex_id else 2,
            "permissions": self.permissions, "avatar": f"/avatars/{self.id}.png", "createdAt": _iso(0),
            "updatedAt": _iso(0), "requestCount": requests,
        }  # fmt: skip


@dataclass
class Media:
    id: int
    title: Title
    status: int = UNKNOWN
    seasons: dict[int, int] = field(default_factory=dict)  # season number -> MediaStatus
    updated: float = field(default_factory=time.time)


@dataclass
class MediaRequest:
    id: int
    media: Media
    requested_by: User
    status: int
    seasons: list[int]
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    modified_by: User | None = None


class OverseerrSimulator(Served):
    """The catalogue, users, media and requests of one Seerr, and the Starlette app serving them."""

    def __init__(self, *, api_key: str = "sim-overseerr-api-key", extra_movies: int = 0) -> None:
        self.api_key = api_key
        self.lock = threading.RLock()
        self.titles: dict[tuple[str, int], Title] = {}
        for media_type, tmdb_id, name, year, tvdb_id, seasons in CATALOGUE:
            self.add_title(media_type, tmdb_id, name, year, tvdb_id=tvdb_id, seasons=seasons)
        for n in range(extra_movies):
            self.add_title("movie", 900_000 + n, f"Catalogue Movie {n}", 1980 + n % 45)
        self.users: dict[int, User] = {1: User(1, "admin@seerr.local", "seerr-admin", 1, ADMIN)}
        self.media: dict[tuple[str, int], Media] = {}
        self.requests: dict[int, MediaRequest] = {}
        self._ids = itertools.count(1)
        self._user_ids = itertools.count(2)
        self.faults = Faults()
        self.malformed = False  # answer 200 with a body that is not JSON
        self.delays: dict[str, float] = {}  # search query (as decoded) -> seconds before answering
        self.answered: dict[str, float] = {}  # search query -> time.time() its answer was ready (the last one)
        self.webhook_url: str | None = None
        self.webhook_auth: str | None = None
        self.deliveries: list[tuple[str, int | str]] = []  # (notification_type, HTTP status or error)
        self.seen: list[str] = []  # "METHOD /path?query X-API-User" of every request
        self.app = Starlette(routes=self._routes())

    # ----- setting the scene

    def add_title(
        self, media_type: str, tmdb_id: int, title: str, year: int, *, tvdb_id: int | None = None, seasons: int = 0
    ) -> Title:
        entry = Title(tmdb_id, media_type, title, year, tvdb_id, {n: 8 + n for n in range(1, seasons + 1)},
                      overview=f"{title}: a story worth requesting.")  # fmt: skip
        with self.lock:
            self.titles[(media_type, tmdb_id)] = entry
        return entry

    def add_user(
        self, username: str, email: str, *, plex_id: int | None = None, permissions: int = REQUEST, movie_quota: int | None = None
    ) -> User:
        with self.lock:
            user = User(next(self._user_ids), email, username, plex_id, permissions, movie_quota)
            self.users[user.id] = user
        return user

    def set_available(self, media_type: str, tmdb_id: int, seasons: Iterable[int] | None = None) -> Media:
        """Mark a title (or some seasons of a show) available, as Seerr's Plex scan would."""
        with self.lock:
            media = self._media(self.titles[(media_type, tmdb_id)])
            if media_type == "tv":
                for number in seasons if seasons is not None else media.title.seasons:
                    media.seasons[number] = AVAILABLE
                media.status = AVAILABLE if len(media.seasons) >= len(media.title.seasons) and all(
                    s == AVAILABLE for s in media.seasons.values()) else PARTIALLY_AVAILABLE  # fmt: skip
            else:
                media.status = AVAILABLE
            media.updated = time.time()
        return media

    def advance(self, request_id: int, to: str) -> MediaRequest:
        """Move a request on, as Seerr and its *arr would: approved, processing, available, declined or failed;
        fires the matching webhook."""
        with self.lock:
            request = self.requests[request_id]
            media = request.media
            kind = {"approved": "MEDIA_APPROVED", "declined": "MEDIA_DECLINED", "failed": "MEDIA_FAILED",
                    "available": "MEDIA_AVAILABLE", "processing": None}[to]  # fmt: skip
            if to == "approved":
                request.status, media.status = APPROVED, PROCESSING
            elif to == "processing":
                request.status, media.status = APPROVED, PROCESSING
            elif to == "declined":
                request.status = DECLINED
                media.status = UNKNOWN if not self._open_requests(media, exclude=request) else media.status
            elif to == "failed":
                request.status = FAILED
            elif to == "available":
                request.status = COMPLETED
                self.set_available(media.title.media_type, media.title.tmdb_id,
                                   request.seasons if media.title.media_type == "tv" else None)  # fmt: skip
            request.updated = media.updated = time.time()
        if kind:
            self._fire(kind, request)
        return request

    def _routes(self) -> list[Route]:
        return [
            Route(f"{API}/status", self._status),
            Route(f"{API}/auth/me", self._me),
            Route(f"{API}/search", self._search),
            Route(f"{API}/movie/{{tmdb_id:int}}", self._movie),
            Route(f"{API}/tv/{{tmdb_id:int}}", self._tv),
            Route(f"{API}/request", self._requests, methods=["GET", "POST"]),
            Route(f"{API}/request/{{request_id}}", self._request, methods=["GET", "DELETE"]),
            Route(f"{API}/request/{{request_id}}/{{status}}", self._set_status, methods=["POST"]),
            Route(f"{API}/user", self._users),
            Route("/imageproxy/tmdb/t/p/{size}/{file}", self._poster),
        ]

    async def _gate(self, request: Request, *, public: bool = False) -> Response | User | None:
        """Faults, the validator, then the API key and the acting user; a Response ends the request."""
        raw_query = request.scope["query_string"].decode("latin-1")
        acting = request.headers.get("x-api-user", "")
        self.seen.append(f"{request.method} {request.url.path}{'?' + raw_query if raw_query else ''} {acting}".rstrip())
        faults = self.faults
        if faults.matches(request.url.path):
            if faults.latency:
                await asyncio.sleep(faults.latency)
            action = faults.trigger(None)
            if action == "hang":
                while self.faults.hang and not await request.is_disconnected():
                    await asyncio.sleep(0.05)
                return Response(status_code=499)
            if action == "drop":  # headers, then nothing a client can parse
                return Response(b"", 200, media_type="application/json")
            if action is not None:
                return _error(int(action), "Internal Server Error")
        problem = _validate_query(request.url.path, raw_query)
        if problem:
            return _error(400, problem)
        if public:
            return None
        key = request.headers.get("x-api-key")
        if not key:
            return _error(401, "Unauthorized")
        if key != self.api_key:
            return _error(403, "You do not have permission to access this endpoint")
        with self.lock:
            user = self.users.get(int(acting)) if acting.isdigit() else self.users[1] if not acting else None
        if user is None:
            return _error(403, "You do not have permission to access this endpoint")
        return user

    def _json(self, body: Any, status: int = 200) -> Response:
        if self.malformed:
            return Response(b'{"results": [', status, media_type="application/json")
        return Response(orjson.dumps(body), status, media_type="application/json")

    async def _status(self, request: Request) -> Response:
        gate = await self._gate(request, public=True)
        if isinstance(gate, Response):
            return gate
        return self._json({"version": VERSION, "commitTag": f"v{VERSION}", "updateAvailable": False,
                           "commitsBehind": 0, "restartRequired": False})  # fmt: skip

    async def _me(self, request: Request) -> Response:
        gate = await self._gate(request)
        if isinstance(gate, Response):
            return gate
        return self._json(gate.as_json())  # type: ignore[union-attr]

    async def _search(self, request: Request) -> Response:
        gate = await self._gate(request)
        if isinstance(gate, Response):
            return gate
        query = request.query_params.get("query")
        if query is None:
            return _error(400, "Request must have required property 'query'")
        await asyncio.sleep(self.delays.get(query, 0.0))
        page = max(int(float(request.query_params.get("page", "1") or 1)), 1)
        needle = query.casefold()
        with self.lock:
            found = [t for t in self.titles.values() if needle and needle in t.title.casefold()]
            found.sort(key=lambda t: (not t.title.casefold().startswith(needle), t.title))
            results = [self._result(t) for t in found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
        pages = max((len(found) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        self.answered[query] = time.time()
        return self._json({"page": page, "totalPages": pages, "totalResults": len(found), "results": results})

    async def _movie(self, request: Request) -> Response:
        return await self._details(request, "movie")

    async def _tv(self, request: Request) -> Response:
        return await self._details(request, "tv")

    async def _details(self, request: Request, media_type: str) -> Response:
        gate = await self._gate(request)
        if isinstance(gate, Response):
            return gate
        with self.lock:
            title = self.titles.get((media_type, request.path_params["tmdb_id"]))
            if title is None:
                return _error(404, "Unable to retrieve details from TMDB.")
            body = self._result(title)
            if media_type == "tv":
                body["seasons"] = [
                    {"id": title.tmdb_id * 100 + n, "seasonNumber": n, "name": f"Season {n}", "episodeCount": count,
                     "airDate": f"{title.year + n - 1}-01-01", "overview": "", "posterPath": title.poster_path}
                    for n, count in title.seasons.items()
                ]  # fmt: skip
                body["externalIds"] = {"tvdbId": title.tvdb_id}
                body["numberOfSeasons"] = len(title.seasons)
        return self._json(body)

    async def _requests(self, request: Request) -> Response:
        gate = await self._gate(request)
        if isinstance(gate, Response):
            return gate
        user: User = gate  # type: ignore[assignment]
        if request.method == "POST":
            return await self._create(request, user)
        params = request.query_params
        take = int(float(params.get("take") or 20))
        skip = int(float(params.get("skip") or 0))
        wanted = params.get("filter") or "all"
        with self.lock:
            rows = sorted(self.requests.values(), key=lambda r: r.created if params.get("sort") != "modified" else r.updated, reverse=True)
            if not user.may(MANAGE_REQUESTS):
                rows = [r for r in rows if r.requested_by.id == user.id]
            if params.get("requestedBy"):
                rows = [r for r in rows if r.requested_by.id == int(float(params["requestedBy"]))]
            rows = [r for r in rows if _matches(r, wanted)]
            body = {
                "pageInfo": {"pages": max((len(rows) + take - 1) // max(take, 1), 1), "pageSize": take,
                             "results": len(rows), "page": skip // max(take, 1) + 1},
                "results": [self._request_json(r) for r in rows[skip : skip + take]],
            }  # fmt: skip
        return self._json(body)

    async def _create(self, request: Request, user: User) -> Response:
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return _error(400, "Request body is not valid JSON")
        media_type, tmdb_id = body.get("mediaType"), body.get("mediaId")
        if media_type not in ("movie", "tv") or not isinstance(tmdb_id, int):
            return _error(400, "request.body should have required property 'mediaType' and 'mediaId'")
        with self.lock:
            title = self.titles.get((media_type, tmdb_id))
            if title is None:
                return _error(404, "Unable to retrieve details from TMDB.")
            if not user.may(REQUEST):
                return _error(403, f"You do not have permission to make {'movie' if media_type == 'movie' else 'series'} requests.")
            media = self._media(title)
            if media_type == "movie":
                if media.status == AVAILABLE or self._open_requests(media):
                    return _error(409, "Request for this media already exists.")
                if user.movie_quota is not None:
                    week = time.time() - 7 * 86_400
                    used = sum(1 for r in self.requests.values() if r.requested_by is user and r.created > week
                               and r.media.title.media_type == "movie" and r.status != DECLINED)  # fmt: skip
                    if used >= user.movie_quota:
                        return _error(403, "Movie Quota exceeded.")
                seasons: list[int] = []
            else:
                asked = body.get("seasons") or []
                asked = list(title.seasons) if asked == "all" else [int(n) for n in asked]
                taken = {n for r in self._open_requests(media) for n in r.seasons} | {
                    n for n, s in media.seasons.items() if s == AVAILABLE}  # fmt: skip
                seasons = [n for n in asked if n in title.seasons and n not in taken]
                if not seasons:
                    return self._json({"message": "No seasons available to request"}, 202)
            approved = user.may(AUTO_APPROVE)
            made = MediaRequest(next(self._ids), media, user, APPROVED if approved else PENDING, seasons)
            self.requests[made.id] = made
            media.status = PROCESSING if approved else max(media.status, MEDIA_PENDING) if media.status != PARTIALLY_AVAILABLE else media.status
            answer = self._request_json(made)
        self._fire("MEDIA_AUTO_APPROVED" if approved else "MEDIA_PENDING", made)
        return self._json(answer, 201)

    async def _request(self, request: Request) -> Response:
        gate = await self._gate(request)
        if isinstance(gate, Response):
            return gate
        user: User = gate  # type: ignore[assignment]
        with self.lock:
            found = self.requests.get(int(request.path_params["request_id"])) if request.path_params["request_id"].isdigit() else None
            if found is None or (not user.may(MANAGE_REQUESTS) and found.requested_by is not user):
                return _error(404, "Request not found.")
            if request.method == "GET":
                return self._json(self._request_json(found))
            if not user.may(MANAGE_REQUESTS) and found.status != PENDING:
                return _error(401, "You do not have permission to delete this request.")
            del self.requests[found.id]
            if not self._open_requests(found.media) and found.media.status in (MEDIA_PENDING, PROCESSING):
                found.media.status = UNKNOWN
        return Response(status_code=204)

    async def _set_status(self, request: Request) -> Response:
        gate = await self._gate(request)
        if isinstance(gate, Response):
            return gate
        user: User = gate  # type: ignore[assignment]
        status = request.path_params["status"]
        if status not in ("approve", "decline"):
            return _error(400, "request.params.status should be equal to one of the allowed values")
        if not user.may(MANAGE_REQUESTS):
            return _error(403, "You do not have permission to access this endpoint")
        with self.lock:
            found = self.requests.get(int(request.path_params["request_id"])) if request.path_params["request_id"].isdigit() else None
            if found is None:
                return _error(404, "Request not found.")
            found.modified_by = user
        self.advance(found.id, "approved" if status == "approve" else "declined")
        with self.lock:
            return self._json(self._request_json(found))

    async def _users(self, request: Request) -> Response:
        gate = await self._gate(request)
        if isinstance(gate, Response):
            return gate
        if not gate.may(MANAGE_REQUESTS):  # type: ignore[union-attr]
            return _error(403, "You do not have permission to access this endpoint")
        take = int(float(request.query_params.get("take") or 20))
        skip = int(float(request.query_params.get("skip") or 0))
        with self.lock:
            users = sorted(self.users.values(), key=lambda u: u.id)
            counts = {u.id: sum(1 for r in self.requests.values() if r.requested_by is u) for u in users}
            page = [u.as_json(counts[u.id]) for u in users[skip : skip + take]]
        info = {"pages": max((len(users) + take - 1) // max(take, 1), 1), "pageSize": take, "results": len(users),
                "page": skip // max(take, 1) + 1}  # fmt: skip
        return self._json({"pageInfo": info, "results": page})

    async def _poster(self, request: Request) -> Response:
        gate = await self._gate(request, public=True)
        if isinstance(gate, Response):
            return gate
        size, file = request.path_params["size"], request.path_params["file"]
        match = re.fullmatch(r"w(\d{2,4})", size)
        if not match or not re.fullmatch(r"[A-Za-z0-9]{27}\.jpg", file):
            return Response(b"Not Found", 404)
        return Response(poster_jpeg("/" + file, min(int(match.group(1)), 780)), media_type="image/jpeg")

    # ----- JSON as Seerr renders it

    def _media(self, title: Title) -> Media:
        key = (title.media_type, title.tmdb_id)
        if key not in self.media:
            self.media[key] = Media(len(self.media) + 1, title)
        return self.media[key]

    def _open_requests(self, media: Media, exclude: MediaRequest | None = None) -> list[MediaRequest]:
        return [r for r in self.requests.values() if r.media is media and r is not exclude
                and r.status in (PENDING, APPROVED)]  # fmt: skip

    def _media_json(self, media: Media, *, with_requests: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": media.id, "tmdbId": media.title.tmdb_id, "tvdbId": media.title.tvdb_id,
            "mediaType": media.title.media_type, "status": media.status, "status4k": UNKNOWN,
            "seasons": [{"id": media.id * 100 + n, "seasonNumber": n, "status": s} for n, s in sorted(media.seasons.items())],
            "createdAt": _iso(media.updated), "updatedAt": _iso(media.updated),
        }  # fmt: skip
        if with_requests:
            body["requests"] = [self._request_json(r, with_media=False) for r in self.requests.values() if r.media is media]
        return body

    def _request_json(self, request: MediaRequest, *, with_media: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": request.id, "status": request.status, "type": request.media.title.media_type, "is4k": False,
            "createdAt": _iso(request.created), "updatedAt": _iso(request.updated),
            "requestedBy": request.requested_by.as_json(),
            "modifiedBy": request.modified_by.as_json() if request.modified_by else None,
            "seasons": [{"id": request.id * 100 + n, "seasonNumber": n, "status": request.status} for n in request.seasons],
        }  # fmt: skip
        if with_media:
            body["media"] = self._media_json(request.media, with_requests=False)
        return body

    def _result(self, title: Title) -> dict[str, Any]:
        media = self.media.get((title.media_type, title.tmdb_id))
        common = {"id": title.tmdb_id, "mediaType": title.media_type, "popularity": 10.0, "posterPath": title.poster_path,
                  "backdropPath": title.poster_path, "voteCount": 100, "voteAverage": 7.5, "genreIds": [18],
                  "overview": title.overview, "originalLanguage": "en"}  # fmt: skip
        if title.media_type == "movie":
            common |= {"title": title.title, "originalTitle": title.title, "releaseDate": f"{title.year}-06-01",
                       "adult": False, "video": False}  # fmt: skip
        else:
            common |= {"name": title.title, "originalName": title.title, "firstAirDate": f"{title.year}-01-01",
                       "originCountry": ["US"]}  # fmt: skip
        if media is not None:
            common["mediaInfo"] = self._media_json(media)
        return common

    # ----- the webhook

    def webhook_payload(self, notification_type: str, request: MediaRequest | None) -> dict[str, Any]:
        """Seerr's default webhook JSON template, filled in: every value a string; `media` and `request` null on a
        test notification."""
        events = {"MEDIA_PENDING": "New {} Request", "MEDIA_AUTO_APPROVED": "{} Request Automatically Approved",
                  "MEDIA_APPROVED": "{} Request Approved", "MEDIA_DECLINED": "{} Request Declined",
                  "MEDIA_AVAILABLE": "{} Request Now Available", "MEDIA_FAILED": "{} Request Failed",
                  "TEST_NOTIFICATION": "Test Notification"}  # fmt: skip
        if request is None:
            return {"notification_type": notification_type, "event": events.get(notification_type, ""),
                    "subject": "Test Notification", "message": "Check check, 1, 2, 3. Are we coming in clear?",
                    "image": "", "media": None, "request": None, "issue": None, "comment": None, "extra": []}  # fmt: skip
        title = request.media.title
        noun = "Movie" if title.media_type == "movie" else "Series"
        extra = [{"name": "Requested Seasons", "value": ", ".join(map(str, request.seasons))}] if request.seasons else []
        user = request.requested_by
        return {
            "notification_type": notification_type,
            "event": events.get(notification_type, notification_type).format(noun),
            "subject": f"{title.title} ({title.year})",
            "message": title.overview,
            "image": f"https://image.tmdb.org/t/p/w600_and_h900_bestv2{title.poster_path}",
            "media": {"media_type": title.media_type, "tmdbId": str(title.tmdb_id),
                      "tvdbId": str(title.tvdb_id) if title.tvdb_id else "",
                      "status": MEDIA_STATUS_NAMES[request.media.status], "status4k": "UNKNOWN"},
            "request": {"request_id": str(request.id), "requestedBy_email": user.email,
                        "requestedBy_username": user.username, "requestedBy_avatar": f"/avatars/{user.id}.png",
                        "requestedBy_settings_discordId": "", "requestedBy_settings_telegramChatId": ""},
            "issue": None,
            "comment": None,
            "extra": extra,
        }  # fmt: skip

    def fire_webhook(self, notification_type: str, request_id: int | None = None, *, url: str | None = None,
                     auth: str | None = None, body: bytes | None = None) -> httpx.Response:  # fmt: skip
        """POST a webhook now (the test notification when `request_id` is None) and return the answer."""
        with self.lock:
            payload = self.webhook_payload(notification_type, self.requests[request_id] if request_id else None)
        headers = {"Content-Type": "application/json"}
        if auth if auth is not None else self.webhook_auth:
            headers["Authorization"] = auth if auth is not None else self.webhook_auth  # type: ignore[assignment]
        target = url or self.webhook_url
        if target is None:
            raise RuntimeError("no webhook_url set")
        return httpx.post(target, content=body if body is not None else orjson.dumps(payload), headers=headers, timeout=10)

    def _fire(self, notification_type: str, request: MediaRequest) -> None:
        if not self.webhook_url:
            return

        def send() -> None:
            try:
                self.deliveries.append((notification_type, self.fire_webhook(notification_type, request.id).status_code))
            except (httpx.HTTPError, KeyError) as exc:
                self.deliveries.append((notification_type, type(exc).__name__))

        threading.Thread(target=send, daemon=True, name="seerr-webhook").start()


def _matches(request: MediaRequest, wanted: str) -> bool:
    media = request.media.status
    return {
        "all": True,
        "pending": request.status == PENDING,
        "approved": request.status == APPROVED,
        "processing": request.status == APPROVED and media == PROCESSING,
        "available": media in (AVAILABLE, PARTIALLY_AVAILABLE),
        "unavailable": media not in (AVAILABLE, PARTIALLY_AVAILABLE),
        "failed": request.status == FAILED,
    }.get(wanted, True)


def _validate_query(path: str, raw_query: str) -> str | None:
    """Seerr's OpenAPI request validator: no unknown parameters, and values percent-encoded."""
    allowed = QUERY_PARAMETERS.get(path)
    for pair in filter(None, raw_query.split("&")):
        name, _, value = pair.partition("=")
        name = unquote(name)
        if allowed is not None and name not in allowed:
            return f"Unknown query parameter '{name}'"
        if not _UNRESERVED.match(value):
            return f"Parameter '{name}' must be url encoded. Its value may not contain reserved characters."
    return None


def _error(status: int, message: str) -> Response:
    return Response(orjson.dumps({"message": message}), status, media_type="application/json")


def main(argv: list[str] | None = None) -> None:
    """Serve a simulated Seerr on 127.0.0.1 until interrupted."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--api-key", default="sim-overseerr-api-key")
    args = parser.parse_args(argv)
    sim = OverseerrSimulator(api_key=args.api_key)
    print(f"overseerr simulator: http://127.0.0.1:{args.port} api key {args.api_key}", flush=True)
    uvicorn.run(sim.app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, lifespan="off")


if __name__ == "__main__":
    main()
