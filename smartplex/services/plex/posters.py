"""Artwork for the browser through our own proxy: an item's poster (`/api/images/{media_item_id}?w=300`) and its
backdrop (`?kind=art&w=1280`, Plex's `art`), one route and one cache for both kinds.

Why it is shaped like this:
- The browser never sees a Plex token or address. We fetch the item's original thumb from the server's
  preferred address with the token in the `X-Plex-Token` header, and shrink it ourselves with Pillow: Plex's
  `/photo/:/transcode` would need the token inside a URL we build.
- The disk cache is keyed by (server machine id, image path, kind, width, encoding). A Plex thumb path carries the
  item's update stamp, so a new poster is a new key and nothing ever needs invalidating; the key doubles as
  the ETag, so a revalidation is answered without reading the cache or asking Plex. Hits refresh a file's
  mtime and the least recently used files go first once the cache passes its cap.
- Plex down: one short attempt and no re-race (sync and the scheduler re-race); after a failure the server is
  skipped for FAILURE_BACKOFF_S, so a page of forty posters fails at once instead of forty times slowly.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path

from PIL import Image
from sqlmodel import select

from smartplex.config import get_settings
from smartplex.db import session
from smartplex.log import get_logger
from smartplex.models import MediaItem, Server
from smartplex.services.plex import connect
from smartplex.services.plex.client import PlexClient, PlexError, PlexNotFound, Timeouts
from smartplex.services.plex.servers import ServerError

log = get_logger(__name__)


class ImageKind(StrEnum):
    POSTER = "poster"  # media_item.thumb, 2:3
    ART = "art"  # media_item.art, the 16:9 backdrop behind a title


class ImageWidth(IntEnum):
    """The widths we serve, three per kind (WIDTHS), so the cache holds at most three sizes of an image."""

    SMALL = 150
    MEDIUM = 300
    LARGE = 600
    ART_SMALL = 640
    ART_MEDIUM = 1280
    ART_LARGE = 1920


WIDTHS: dict[ImageKind, tuple[ImageWidth, ...]] = {
    ImageKind.POSTER: (ImageWidth.SMALL, ImageWidth.MEDIUM, ImageWidth.LARGE),
    ImageKind.ART: (ImageWidth.ART_SMALL, ImageWidth.ART_MEDIUM, ImageWidth.ART_LARGE),
}
DEFAULT_WIDTH = ImageWidth.MEDIUM
DEFAULT_ART_WIDTH = ImageWidth.ART_MEDIUM
CACHE_MAX_BYTES = 500 * 1024 * 1024
EVICT_TO = 0.9  # share of the cap left after an eviction, so not every write evicts
JPEG_QUALITY = 80
ENCODING = f"jpeg-q{JPEG_QUALITY}-v1"  # part of the key: changing the encoding must not serve old files
FETCH_TIMEOUTS = Timeouts(connect=1.5, read=4.0)
FAILURE_BACKOFF_S = 30.0
MAX_SOURCE_PIXELS = 40_000_000  # a poster is a few megapixels; anything far larger is not one
MAX_ID = 2**31 - 1  # ids are INTEGER columns (32-bit in PostgreSQL): a larger one names no item, and would not bind


class PosterNotFound(Exception):
    """No such item, it has no image of that kind, or Plex has none at its path."""


class PosterUnavailable(Exception):
    """Plex did not deliver a usable poster; the message is safe to show (no address, no token)."""


@dataclass(frozen=True)
class PosterRef:
    """Where a poster comes from and its cache key; building one asks nobody but our database."""

    server_id: int
    path: str  # on the Plex server (its thumb or art)
    width: int
    key: str

    @property
    def etag(self) -> str:
        return f'"{self.key[:32]}"'


def image_url(media_item_id: int, kind: ImageKind = ImageKind.POSTER, width: int | None = None) -> str:
    """Our proxy's URL for an item's image: what pages put in <img src>."""
    if kind == ImageKind.POSTER:
        return f"/api/images/{media_item_id}?w={int(width or DEFAULT_WIDTH)}"
    return f"/api/images/{media_item_id}?kind={kind.value}&w={int(width or DEFAULT_ART_WIDTH)}"


def poster_url(media_item_id: int, width: int = DEFAULT_WIDTH) -> str:
    return image_url(media_item_id, ImageKind.POSTER, width)


def art_url(media_item_id: int, width: int = DEFAULT_ART_WIDTH) -> str:
    return image_url(media_item_id, ImageKind.ART, width)


def locate(media_item_id: int, width: int, server_ids: set[int], kind: ImageKind = ImageKind.POSTER) -> PosterRef:
    """The item's image of `kind` at `width`; PosterNotFound when the item is unknown, not on one of
    `server_ids` (those the viewer may see), or has no local image of that kind; ValueError for a width
    that kind is not served at."""
    if width not in WIDTHS[kind]:
        raise ValueError(f"a {kind.value} is served {', '.join(map(str, map(int, WIDTHS[kind])))} pixels wide")
    if not 0 < media_item_id <= MAX_ID:
        raise PosterNotFound
    path_column = MediaItem.art if kind == ImageKind.ART else MediaItem.thumb
    with session() as s:
        row = s.exec(
            select(MediaItem.server_id, path_column, Server.machine_id)
            .join(Server, Server.id == MediaItem.server_id)  # type: ignore[arg-type]
            .where(MediaItem.id == media_item_id)
        ).first()
    # A path that is not a path on the server (an absolute URL) would get our token sent elsewhere.
    if row is None or row[0] not in server_ids or not row[1] or not row[1].startswith("/"):
        raise PosterNotFound
    server_id, path, machine_id = row
    key = hashlib.sha256(f"{machine_id}\0{path}\0{kind.value}\0{int(width)}\0{ENCODING}".encode()).hexdigest()
    return PosterRef(server_id=server_id, path=path, width=int(width), key=key)


def render(ref: PosterRef, cache: DiskCache | None = None) -> bytes:
    """The poster's JPEG: from the disk cache, else fetched from Plex, shrunk and cached."""
    cache = cache or default_cache()
    body = cache.get(ref.key)
    if body is None:
        body = shrink(_fetch(ref), ref.width)
        try:
            cache.put(ref.key, body)
        except OSError as exc:  # a full or read-only disk costs speed, not the poster
            log.warning("poster_cache.write_failed", error=type(exc).__name__)
    return body


def shrink(original: bytes, width: int) -> bytes:
    """`original` as a JPEG `width` pixels wide, keeping its aspect ratio (never enlarged)."""
    try:
        with Image.open(io.BytesIO(original)) as image:
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise PosterUnavailable("The poster on Plex is too large.")
            height = max(1, round(image.height * width / image.width))
            image.draft("RGB", (width, height))  # JPEG: decode at a reduced scale when that is enough
            picture = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise PosterUnavailable("Plex sent something that is not an image.") from None
    if picture.width > width:
        picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


# --------------------------------------------------------------------------- Plex

_failed_until: dict[int, float] = {}  # server id -> monotonic time before which we do not ask it again
# One pooled client per server, kept while its address and token stay the same: a new httpx client costs
# about 25 ms (its TLS context), more than fetching and shrinking a poster.
_clients: dict[int, tuple[tuple[str, str], PlexClient]] = {}
_clients_lock = threading.Lock()


def _fetch(ref: PosterRef) -> bytes:
    if time.monotonic() < _failed_until.get(ref.server_id, 0.0):
        raise PosterUnavailable("Plex is not answering; trying again shortly.")
    try:
        body = _client(ref.server_id).get(ref.path)
    except PlexNotFound:
        raise PosterNotFound from None
    except (PlexError, ServerError) as exc:
        _failed_until[ref.server_id] = time.monotonic() + FAILURE_BACKOFF_S
        log.warning("poster.fetch_failed", server_id=ref.server_id, error=type(exc).__name__)
        raise PosterUnavailable("Plex did not send the poster.") from None
    _failed_until.pop(ref.server_id, None)
    return body


def _client(server_id: int) -> PlexClient:
    """The server's client on its current preferred address (a new one when the address or token changed)."""
    connection = connect.connection(server_id)
    with _clients_lock:
        known = _clients.get(server_id)
        if known is not None and known[0] == connection:
            return known[1]
        client = PlexClient(*connection, timeouts=FETCH_TIMEOUTS, attempts=1)
        _clients[server_id] = (connection, client)
    if known is not None:
        known[1].close()
    return client


def reset() -> None:
    """Forget failures and pooled clients: every server is asked again on the next request (tests)."""
    with _clients_lock:
        clients = [client for _, client in _clients.values()]
        _clients.clear()
    for client in clients:
        client.close()
    _failed_until.clear()


# --------------------------------------------------------------------------- disk cache


class DiskCache:
    """Files named by key under `root`, least recently used evicted once they pass `max_bytes`.

    Safe across threads and processes: writes go to a temporary file renamed into place, and eviction
    measures the folder itself; the running total it keeps between evictions is only an estimate.
    """

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._size: int | None = None
        self._lock = threading.Lock()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.jpg"

    def get(self, key: str) -> bytes | None:
        path = self.path(key)
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # a hit makes it recent
        return body

    def put(self, key: str, body: bytes) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(tmp, path)
        with self._lock:
            self._size = self._measure() if self._size is None else self._size + len(body)
            if self._size > self.max_bytes:
                self._size = self._evict()

    def _files(self) -> list[tuple[float, int, Path]]:
        """(mtime, size, path) of every cached file; files another process removes meanwhile are skipped."""
        found = []
        for path in self.root.glob("*/*.jpg"):
            with contextlib.suppress(FileNotFoundError):
                stat = path.stat()
                found.append((stat.st_mtime, stat.st_size, path))
        return found

    def _measure(self) -> int:
        return sum(size for _, size, _ in self._files())

    def _evict(self) -> int:
        files = sorted(self._files())
        total = sum(size for _, size, _ in files)
        for _, size, path in files:
            if total <= self.max_bytes * EVICT_TO:
                break
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            total -= size
        log.info("poster_cache.evicted", bytes_left=total)
        return total


@functools.cache
def _cache_at(root: Path, max_bytes: int) -> DiskCache:
    return DiskCache(root, max_bytes)


def default_cache() -> DiskCache:
    """The cache under `<data_dir>/image-cache/`, one instance per folder and cap."""
    return _cache_at(get_settings().data_dir / "image-cache", CACHE_MAX_BYTES)
