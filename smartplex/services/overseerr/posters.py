"""TMDB posters of Seerr's search results for the browser, through our own route (`/api/images/tmdb/{file}?w=300`).

SmartPlex fetches them from the connected Seerr's image proxy (`/imageproxy/tmdb/t/p/w{width}/{file}`, which
caches TMDB's images), shrinks them with the Plex posters' code and keeps them in the same disk cache. The
browser never sees Seerr's address or key; only TMDB-style file names (27 or so letters and digits plus an
extension) are accepted, so the route cannot be pointed anywhere else.
"""

from __future__ import annotations

import hashlib
import re
import time

import httpx

from smartplex.log import get_logger
from smartplex.models import IntegrationKind
from smartplex.services.integrations import store
from smartplex.services.plex import posters

log = get_logger(__name__)

FILE = re.compile(r"^[A-Za-z0-9_-]{8,64}\.(?:jpg|jpeg|png|webp)$")
SOURCE_WIDTH = 780  # TMDB's largest fixed poster width below "original"
TIMEOUT = httpx.Timeout(6.0, connect=2.0)
FAILURE_BACKOFF_S = 30.0
MAX_BYTES = 10 * 1024 * 1024
_failed_until = 0.0
_http: httpx.Client | None = None  # one pooled client (safe across threads): posters come twenty at a time


def poster_url(poster_path: str | None, width: int = posters.DEFAULT_WIDTH) -> str:
    """Our route's URL for a TMDB poster path ("/abc.jpg"); "" when there is none or it is not a TMDB path."""
    file = (poster_path or "").lstrip("/")
    return f"/api/images/tmdb/{file}?w={int(width)}" if FILE.match(file) else ""


def cache_key(file: str, width: int) -> str:
    return hashlib.sha256(f"tmdb\0{file}\0{int(width)}\0{posters.ENCODING}".encode()).hexdigest()


def render(file: str, width: int, cache: posters.DiskCache | None = None) -> bytes:
    """The poster as a JPEG `width` wide: from the cache, else fetched through Seerr, shrunk and cached.
    PosterNotFound for a file name that is not TMDB's or that Seerr does not have; PosterUnavailable when Seerr
    is not connected or not answering."""
    if not FILE.match(file):
        raise posters.PosterNotFound
    cache = cache or posters.default_cache()
    key = cache_key(file, width)
    body = cache.get(key)
    if body is None:
        body = posters.shrink(_fetch(file), width)
        try:
            cache.put(key, body)
        except OSError as exc:
            log.warning("poster_cache.write_failed", error=type(exc).__name__)
    return body


def _fetch(file: str) -> bytes:
    global _failed_until
    if time.monotonic() < _failed_until:
        raise posters.PosterUnavailable("Overseerr / Seerr is not answering; trying again shortly.")
    connection = store.connection(IntegrationKind.OVERSEERR)
    if connection is None:
        raise posters.PosterUnavailable("Overseerr / Seerr is not connected.")
    url = f"{connection.base_url.rstrip('/')}/imageproxy/tmdb/t/p/w{SOURCE_WIDTH}/{file}"
    global _http
    if _http is None:
        _http = httpx.Client(timeout=TIMEOUT, follow_redirects=False)
    try:
        response = _http.get(url)
    except httpx.HTTPError as exc:
        _failed_until = time.monotonic() + FAILURE_BACKOFF_S
        log.warning("tmdb_poster.fetch_failed", error=type(exc).__name__)
        raise posters.PosterUnavailable("Overseerr / Seerr did not send the poster.") from None
    if response.status_code == 404:
        raise posters.PosterNotFound
    if response.status_code != 200 or len(response.content) > MAX_BYTES:
        raise posters.PosterUnavailable("Overseerr / Seerr did not send the poster.")
    _failed_until = 0.0
    return response.content


def reset() -> None:
    global _failed_until
    _failed_until = 0.0
