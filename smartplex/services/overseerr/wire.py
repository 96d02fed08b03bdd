"""Seerr's JSON read defensively into typed values: any field may be missing, null or of the wrong type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Seerr's numbers (MediaRequestStatus, MediaStatus).
REQUEST_PENDING, REQUEST_APPROVED, REQUEST_DECLINED, REQUEST_FAILED, REQUEST_COMPLETED = 1, 2, 3, 4, 5
MEDIA_UNKNOWN, MEDIA_PENDING, MEDIA_PROCESSING, MEDIA_PARTIALLY_AVAILABLE, MEDIA_AVAILABLE = 1, 2, 3, 4, 5
MEDIA_STATUS_BY_NAME = {"UNKNOWN": 1, "PENDING": 2, "PROCESSING": 3, "PARTIALLY_AVAILABLE": 4, "AVAILABLE": 5}


def integer(value: Any) -> int | None:
    """A whole number from JSON (numbers, or digits in a string as webhooks send them); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def text(value: Any, limit: int = 1000) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def moment(value: Any) -> datetime | None:
    """An ISO 8601 time as Seerr writes them ("2020-09-12T10:00:27.000Z"); None when it is not one."""
    raw = text(value, 40)
    try:
        found = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
    except ValueError:
        return None
    return found if found is None or found.tzinfo else None


def year_of(date: Any) -> int:
    found = integer(text(date)[:4])
    return found if found and 1800 < found < 3000 else 0


@dataclass(frozen=True)
class Season:
    number: int
    episodes: int = 0
    status: int = MEDIA_UNKNOWN  # Seerr's availability of the season


@dataclass(frozen=True)
class RequestRef:
    """A request as a title's mediaInfo lists it: who asked (their Seerr id), for which seasons, where it stands."""

    id: int
    status: int
    requested_by: int | None
    seasons: tuple[int, ...] = ()


@dataclass(frozen=True)
class Title:
    """A movie or show from search or details, with what Seerr knows of it."""

    tmdb_id: int
    media_type: str  # movie | tv
    title: str
    year: int = 0
    overview: str = ""
    poster_path: str | None = None
    tvdb_id: int | None = None
    media_status: int = MEDIA_UNKNOWN
    seasons: tuple[Season, ...] = ()
    requests: tuple[RequestRef, ...] = ()


@dataclass(frozen=True)
class Request:
    """A Seerr request (`MediaRequest`) with its media."""

    id: int
    status: int
    media_type: str
    tmdb_id: int
    tvdb_id: int | None = None
    media_status: int = MEDIA_UNKNOWN
    seasons: tuple[int, ...] = ()
    season_status: dict[int, int] = field(default_factory=dict)
    requested_by: int | None = None
    requested_by_email: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    plex_id: int | None = None


def _seasons_of_media(media: dict[str, Any]) -> dict[int, int]:
    found: dict[int, int] = {}
    for season in _list(media.get("seasons")):
        number, status = integer(_dict(season).get("seasonNumber")), integer(_dict(season).get("status"))
        if number is not None and status is not None:
            found[number] = status
    return found


def _request_ref(raw: Any) -> RequestRef | None:
    data = _dict(raw)
    request_id, status = integer(data.get("id")), integer(data.get("status"))
    if request_id is None or status is None:
        return None
    by = integer(_dict(data.get("requestedBy")).get("id"))
    seasons = tuple(n for s in _list(data.get("seasons")) if (n := integer(_dict(s).get("seasonNumber"))) is not None)
    return RequestRef(request_id, status, by, seasons)


def title(raw: Any) -> Title | None:
    """A search result or details answer; None for people and for anything without an id and a type."""
    data = _dict(raw)
    media_type, tmdb_id = data.get("mediaType"), integer(data.get("id"))
    if media_type not in ("movie", "tv"):
        media_type = "tv" if "firstAirDate" in data or "name" in data and "title" not in data else "movie" if "title" in data else None
    if media_type is None or tmdb_id is None or tmdb_id <= 0:
        return None
    media = _dict(data.get("mediaInfo"))
    availability = _seasons_of_media(media)
    seasons = tuple(
        Season(number, integer(_dict(s).get("episodeCount")) or 0, availability.get(number, MEDIA_UNKNOWN))
        for s in _list(data.get("seasons"))
        if (number := integer(_dict(s).get("seasonNumber"))) is not None and number > 0
    )
    name = text(data.get("title") if media_type == "movie" else data.get("name")) or text(data.get("originalTitle"))
    tvdb = integer(_dict(data.get("externalIds")).get("tvdbId")) or integer(media.get("tvdbId"))
    return Title(
        tmdb_id=tmdb_id,
        media_type=media_type,
        title=name or f"TMDB {tmdb_id}",
        year=year_of(data.get("releaseDate") if media_type == "movie" else data.get("firstAirDate")),
        overview=text(data.get("overview"), 2000),
        poster_path=text(data.get("posterPath"), 512) or None,
        tvdb_id=tvdb,
        media_status=integer(media.get("status")) or MEDIA_UNKNOWN,
        seasons=seasons,
        requests=tuple(ref for r in _list(media.get("requests")) if (ref := _request_ref(r)) is not None),
    )


def titles(raw: Any) -> list[Title]:
    return [found for r in _list(_dict(raw).get("results")) if (found := title(r)) is not None]


def request(raw: Any) -> Request | None:
    data = _dict(raw)
    ref = _request_ref(data)
    media = _dict(data.get("media"))
    tmdb_id = integer(media.get("tmdbId"))
    if ref is None or tmdb_id is None:
        return None
    media_type = data.get("type") if data.get("type") in ("movie", "tv") else media.get("mediaType")
    return Request(
        id=ref.id,
        status=ref.status,
        media_type=media_type if media_type in ("movie", "tv") else "movie",
        tmdb_id=tmdb_id,
        tvdb_id=integer(media.get("tvdbId")),
        media_status=integer(media.get("status")) or MEDIA_UNKNOWN,
        seasons=ref.seasons,
        season_status=_seasons_of_media(media),
        requested_by=ref.requested_by,
        requested_by_email=text(_dict(data.get("requestedBy")).get("email"), 254),
        updated_at=moment(data.get("updatedAt")),
    )


def requests(raw: Any) -> tuple[list[Request], int]:
    """A page of requests and the total Seerr reports."""
    data = _dict(raw)
    found = [r for raw_request in _list(data.get("results")) if (r := request(raw_request)) is not None]
    return found, integer(_dict(data.get("pageInfo")).get("results")) or len(found)


def users(raw: Any) -> tuple[list[User], int]:
    data = _dict(raw)
    found = []
    for entry in _list(data.get("results")):
        user = _dict(entry)
        user_id = integer(user.get("id"))
        if user_id is None:
            continue
        name = text(user.get("displayName"), 255) or text(user.get("plexUsername"), 255) or text(user.get("username"), 255)
        found.append(User(user_id, text(user.get("email"), 254).strip().lower(), name or f"User {user_id}", integer(user.get("plexId"))))
    return found, integer(_dict(data.get("pageInfo")).get("results")) or len(found)
