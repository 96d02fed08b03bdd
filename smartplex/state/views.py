"""Typed view models the states hand to pages: display-safe dataclasses (never a secret), so a page reading a
field that does not exist fails when the app compiles, not silently in the browser."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from smartplex.services.dashboard import Card, Detail, HistoryRow
from smartplex.services.plex.posters import poster_url
from smartplex.services.recommendations import Recommendation


@dataclass(frozen=True)
class CardView:
    """A poster card: a title with its artwork, how far the member got, and why it is shown."""

    media_item_id: int = 0
    title: str = ""
    subtitle: str = ""
    year: int = 0  # 0 = unknown
    type: str = ""
    genres: list[str] = field(default_factory=list)
    thumb_url: str = ""  # absolute URL of our image route; "" = no poster
    progress: float = 0.0
    reason: str = ""
    watched_at: str = ""  # ISO 8601, for history rows
    finished: bool = False


@dataclass(frozen=True)
class DetailView:
    media_item_id: int = 0
    title: str = ""
    subtitle: str = ""
    year: int = 0
    type: str = ""
    genres: list[str] = field(default_factory=list)
    summary: str = ""
    rating: float = 0.0  # 0 = unknown
    duration_min: int = 0
    thumb_url: str = ""
    your_plays: int = 0
    liked_by_count: int = 0  # 0 = below the privacy floor


@dataclass(frozen=True)
class ChartPoint:
    """One bar of a chart: `label` on the axis, `plays` its height."""

    label: str
    plays: int


def _absolute(origin: str, path: str | None) -> str:
    return f"{origin}{path}" if path else ""


def card_view(card: Card, origin: str, reason: str = "") -> CardView:
    return CardView(
        media_item_id=card.media_item_id,
        title=card.title,
        subtitle=card.subtitle,
        year=card.year or 0,
        type=card.type,
        genres=list(card.genres),
        thumb_url=_absolute(origin, card.thumb_url),
        progress=card.progress,
        reason=reason,
    )


def history_view(row: HistoryRow, origin: str) -> CardView:
    return dataclasses.replace(card_view(row.card, origin), watched_at=row.watched_at, finished=row.finished)


def recommendation_view(rec: Recommendation, origin: str) -> CardView:
    return CardView(
        media_item_id=rec.media_item_id,
        title=rec.title,
        year=rec.year,
        type=rec.type,
        genres=list(rec.genres),
        thumb_url=_absolute(origin, poster_url(rec.media_item_id) if rec.thumb else None),
        reason=rec.reason,
    )


def detail_view(detail: Detail, origin: str) -> DetailView:
    return DetailView(
        media_item_id=detail.media_item_id,
        title=detail.title,
        subtitle=detail.subtitle,
        year=detail.year or 0,
        type=detail.type,
        genres=list(detail.genres),
        summary=detail.summary,
        rating=detail.rating or 0.0,
        duration_min=detail.duration_min or 0,
        thumb_url=_absolute(origin, detail.thumb_url),
        your_plays=detail.your_plays,
        liked_by_count=detail.liked_by_count or 0,
    )


@dataclass(frozen=True)
class MemberRow:
    id: int
    name: str
    email: str
    role: str
    login_count: int
    created_at: str
    is_me: bool
    plex_account_id: int = 0  # 0: not linked to a Plex account
    plex_username: str = ""
    has_password: bool = True  # False: signs in with Plex (or sets a password through an invite)
    owns_server: bool = False  # connected a Plex server: its own owner account's plays are theirs


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    status: str
    error: str
