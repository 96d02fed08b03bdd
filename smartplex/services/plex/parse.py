"""MediaContainer XML -> plain dicts shaped like `media_item` rows (without server_id and bookkeeping).

Hot path of the sync: one pass over each item's attributes and children, no object model. Whatever
Plex leaves out or garbles becomes 0 / 0.0 / [] / "" in the NOT NULL columns and None in the
nullable ones, so a row never fails on a missing number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from smartplex.services import text

MEDIA_TYPES = frozenset({"movie", "show", "season", "episode"})
MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1
_IMDB = re.compile(r"tt\d{1,14}")
_LEGACY = re.compile(r"com\.plexapp\.agents\.([a-z]+)://([^?]*)")
_LEGACY_NUMERIC = {"themoviedb": "tmdb_id", "thetvdb": "tvdb_id"}

# Column lengths of media_item, so an oversized value is clipped rather than failing the page.
_CLIP = {
    "rating_key": 32,
    "section_key": 32,
    "title": 1000,
    "art": 512,
    "content_rating": 32,
    "studio": 255,
    "guid": 512,
    "thumb": 512,
}


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed MediaContainer: the total Plex reports for the listing and the items on this page."""

    total_size: int
    items: list[dict[str, Any]]


def to_int(value: str | None) -> int:
    """An integer from Plex text; "", None, "NaN", "inf" and other garbage give 0."""
    if not value:
        return 0
    try:
        return int(value)
    except ValueError:
        number = to_float(value)
        return int(number)


def _within(number: int, limit: int) -> int:
    """`number` if it fits a column of that size and is not negative, else 0."""
    return number if 0 <= number <= limit else 0


def to_float(value: str | None) -> float:
    if not value:
        return 0.0
    try:
        number = float(value)
    except ValueError:
        return 0.0
    return number if math.isfinite(number) else 0.0


def to_datetime(value: str | None) -> datetime | None:
    """Epoch seconds -> aware UTC datetime; missing, zero or garbage -> None."""
    seconds = to_int(value)
    if seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _positive_id(value: str) -> int | None:
    if not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_INT32 else None


def external_ids(guid_ids: list[str], guid: str | None) -> dict[str, Any]:
    """imdb_id / tmdb_id / tvdb_id from `<Guid id=...>` children, else from a legacy agent guid.

    A legacy guid with a path (`thetvdb://73871/2/15`) belongs to a season or an episode and its
    number is the show's id, so only single-segment legacy guids give an id.
    """
    ids: dict[str, Any] = {"imdb_id": None, "tmdb_id": None, "tvdb_id": None}
    for value in guid_ids:
        scheme, _, rest = value.partition("://")
        if scheme == "imdb" and _IMDB.fullmatch(rest):
            ids["imdb_id"] = rest
        elif scheme == "tmdb":
            ids["tmdb_id"] = _positive_id(rest)
        elif scheme == "tvdb":
            ids["tvdb_id"] = _positive_id(rest)
    if guid_ids or not guid:
        return ids
    match = _LEGACY.match(guid)
    if match is None or "/" in match[2]:
        return ids
    value = match[2]
    if _IMDB.fullmatch(value):
        ids["imdb_id"] = value
    elif column := _LEGACY_NUMERIC.get(match[1]):
        ids[column] = _positive_id(value)
    return ids


def parse_item(el: etree._Element, section_key: str | None) -> dict[str, Any] | None:
    """One `<Video>`/`<Directory>` as a media_item dict, or None if it is no movie/show/season/episode."""
    a = dict(el.items())
    kind = a.get("type")
    rating_key = a.get("ratingKey")
    if kind not in MEDIA_TYPES or not rating_key:
        return None
    genres: list[str] = []
    directors: list[str] = []
    actors: list[str] = []
    guid_ids: list[str] = []
    size = 0
    seen_media = False
    for child in el:
        tag = child.tag
        if tag == "Genre":
            genres.append(child.get("tag") or "")
        elif tag == "Role":
            actors.append(child.get("tag") or "")
        elif tag == "Director":
            directors.append(child.get("tag") or "")
        elif tag == "Guid":
            guid_ids.append(child.get("id") or "")
        elif tag == "Media" and not seen_media:
            seen_media = True
            size = sum(to_int(part.get("size")) for part in child if part.tag == "Part")
    guid = a.get("guid")
    item = {
        "rating_key": rating_key,
        "section_key": a.get("librarySectionID") or section_key,
        "type": kind,
        "title": a.get("title", ""),
        "parent_title": a.get("parentTitle"),
        "grandparent_title": a.get("grandparentTitle"),
        "parent_rating_key": a.get("parentRatingKey"),
        "grandparent_rating_key": a.get("grandparentRatingKey"),
        "item_index": _within(to_int(a.get("index")), MAX_INT32),
        "parent_index": _within(to_int(a.get("parentIndex")), MAX_INT32),
        "year": _within(to_int(a.get("year")), 9999),
        "genres": genres,
        "directors": directors,
        "actors": actors,
        "summary": a.get("summary", ""),
        "content_rating": a.get("contentRating"),
        "studio": a.get("studio"),
        "guid": guid,
        **external_ids(guid_ids, guid),
        "added_at": to_datetime(a.get("addedAt")),
        "updated_at": to_datetime(a.get("updatedAt")),
        "duration_ms": _within(to_int(a.get("duration")), MAX_INT64),
        "rating": to_float(a.get("rating")),
        "audience_rating": to_float(a.get("audienceRating")),
        "file_size_bytes": _within(size, MAX_INT64),
        "thumb": a.get("thumb"),
        "art": a.get("art"),
    }
    for column, length in _CLIP.items():
        value = item[column]
        if value is not None and len(value) > length:
            item[column] = value[:length]
    above = {"episode": item["grandparent_title"], "season": item["parent_title"]}.get(kind)
    item["search_key"] = text.search_key(item["title"], above)
    return item


def parse_items(root: etree._Element, section_key: str | None = None) -> list[dict[str, Any]]:
    """Every media item of a MediaContainer; `section_key` is the fallback when items lack librarySectionID."""
    section_key = root.get("librarySectionID") or section_key
    items = []
    for el in root:
        item = parse_item(el, section_key)
        if item is not None:
            items.append(item)
    return items


def parse_page(root: etree._Element, section_key: str | None = None) -> Page:
    return Page(to_int(root.get("totalSize") or root.get("size")), parse_items(root, section_key))
