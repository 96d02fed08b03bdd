"""Poster cards: the item (and, for an episode, its show) columns a card needs, and how rows become cards.

An episode's card carries its show's title and poster (an episode's own thumb is a video still) and a subtitle
"S1 · E3 · Episode title" (its `episode` label alone: "S1 · E3"). Untidy rows (no item, year 0, empty or broken genre JSON) read as "unknown".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from smartplex.models import MEDIA
from smartplex.services import watching
from smartplex.services.plex.household import where_names
from smartplex.services.plex.posters import poster_url
from smartplex.services.untidy import tag_names

SHOW = MEDIA.alias("show")
UNKNOWN_TITLE = "Unknown title"


@dataclass(frozen=True)
class Card:
    """A poster card. For an episode the title is its show and the subtitle "S1 · E3 · Episode title"."""

    media_item_id: int
    title: str
    subtitle: str
    year: int | None
    type: str  # movie | show | season | episode
    genres: list[str]
    thumb_url: str | None  # our image proxy, never a Plex URL; None when there is no poster
    progress: float  # 0..1, how far the member got (continue watching, history); else 0
    rating_key: str | None = None  # of the item "Play in Plex" opens (the card's own item)
    art_id: int | None = None  # the item whose backdrop (Plex's art) goes behind the card: an episode's show
    episode: str = ""  # "S2 · E5" for an episode
    added_at: datetime | None = None  # when the server got it (for a show: its newest episode)
    duration_min: int | None = None
    server_id: int = 0
    identity: str = ""  # the same title on another server has the same identity (`title_identity`)
    where: tuple[str, ...] = ()  # the servers it is on, when several servers are shown merged (`merge_titles`)


def item_columns() -> list[Any]:
    """What a card needs of an item and, for an episode, of its show."""
    return [
        MEDIA.c.id,
        MEDIA.c.server_id,
        MEDIA.c.guid,
        MEDIA.c.rating_key,
        MEDIA.c.type,
        MEDIA.c.title,
        MEDIA.c.parent_title,
        MEDIA.c.grandparent_title,
        MEDIA.c.grandparent_rating_key,
        MEDIA.c.item_index,
        MEDIA.c.parent_index,
        MEDIA.c.year,
        sa.cast(MEDIA.c.genres, sa.Text).label("genres"),
        MEDIA.c.thumb,
        MEDIA.c.art,
        MEDIA.c.added_at,
        MEDIA.c.duration_ms,
        SHOW.c.id.label("show_id"),
        SHOW.c.rating_key.label("show_rating_key"),
        SHOW.c.guid.label("show_guid"),
        SHOW.c.title.label("show_title"),
        SHOW.c.year.label("show_year"),
        sa.cast(SHOW.c.genres, sa.Text).label("show_genres"),
        SHOW.c.thumb.label("show_thumb"),
        SHOW.c.art.label("show_art"),
    ]


def with_show(source: Any) -> Any:
    """`source` (which holds MEDIA) joined to the show of each episode, when the show is known."""
    return source.outerjoin(
        SHOW,
        sa.and_(
            MEDIA.c.type == "episode",
            SHOW.c.server_id == MEDIA.c.server_id,
            SHOW.c.rating_key == MEDIA.c.grandparent_rating_key,
        ),
    )


def items_by_id(conn: Connection, server_ids: Collection[int], ids: list[int]) -> dict[int, Row[Any]]:
    """Items by id, of the given servers. The server is checked on the rows: as a SQL filter it lures SQLite
    off the primary key onto the (server_id, rating_key) index, a scan of the whole library."""
    if not ids:
        return {}
    rows = conn.execute(sa.select(*item_columns()).select_from(with_show(MEDIA)).where(MEDIA.c.id.in_(ids)))
    return {row.id: row for row in rows if row.server_id in server_ids}


def titles_by_key(conn: Connection, server_id: int, keys: list[str]) -> dict[str, Row[Any]]:
    """Present items by rating key."""
    if not keys:
        return {}
    rows = conn.execute(
        sa.select(*item_columns())
        .select_from(with_show(MEDIA))
        .where(MEDIA.c.server_id == server_id, MEDIA.c.rating_key.in_(keys), MEDIA.c.removed_at.is_(None))
    )
    return {row.rating_key: row for row in rows}


def title_key(row: Row[Any]) -> str:
    """One key per movie or show on one server, so episodes of one show count once."""
    if row.type == "episode" and row.grandparent_rating_key:
        return f"show:{row.grandparent_rating_key}"
    return f"item:{row.id}"


def title_identity(row: Row[Any]) -> str:
    """services.watching.title_identity of the card's title (an episode stands for its show)."""
    if row.type == "episode":
        return watching.title_identity(row.server_id, row.grandparent_rating_key or row.rating_key, row.show_guid)
    return watching.title_identity(row.server_id, row.rating_key, row.guid)


def merge_titles(cards: Iterable[Card], names: dict[int, str]) -> list[Card]:
    """Each title once, in the order first seen, with the names of the servers it is on when it is on more than
    one (`names`: server id -> name, in the order the names are shown)."""
    merged: dict[str, Card] = {}
    where: dict[str, set[int]] = {}
    for shown in cards:
        key = shown.identity or f"{shown.server_id}/{shown.media_item_id}"
        merged.setdefault(key, shown)
        where.setdefault(key, set()).add(shown.server_id)
    return [
        dataclasses.replace(shown, where=where_names(where[key], names)) if len(where[key]) > 1 else shown
        for key, shown in merged.items()
    ]



def share(progress: float | None) -> float:
    """A progress as a share of the item, 0..1 (untidy values clamped), to three places."""
    return round(min(max(progress or 0.0, 0.0), 1.0), 3)


def minutes(duration_ms: int | None) -> int | None:
    """A runtime in whole minutes; None when unknown (0 or NULL)."""
    return round((duration_ms or 0) / 60_000) or None


def episode_label(season: int | None, episode: int | None) -> str:
    """"S2 · E5"; a part that is unknown (0) is left out."""
    return " · ".join(part for part in (f"S{season}" if season else "", f"E{episode}" if episode else "") if part)


def _episode_subtitle(row: Row[Any]) -> str:
    return " · ".join(part for part in (episode_label(row.parent_index, row.item_index), row.title or "") if part)


def card(row: Row[Any], progress: float = 0.0) -> Card:
    """A card for the item itself (an episode under its show's title and poster)."""
    if row.type == "episode":
        title = row.show_title or row.grandparent_title or row.title
        subtitle = _episode_subtitle(row)
        genres = list(tag_names(row.genres) or tag_names(row.show_genres))
        year = row.year or row.show_year
    else:
        title = row.parent_title if row.type == "season" and row.parent_title else row.title
        subtitle = row.title if row.type == "season" else ""
        genres = list(tag_names(row.genres))
        year = row.year
    return Card(
        media_item_id=row.id,
        title=title or UNKNOWN_TITLE,
        subtitle=subtitle,
        year=year or None,
        type=row.type,
        genres=genres,
        thumb_url=_thumb_url(row),
        progress=share(progress),
        rating_key=row.rating_key,
        art_id=_art_id(row),
        episode=episode_label(row.parent_index, row.item_index) if row.type == "episode" else "",
        added_at=row.added_at,
        duration_min=minutes(row.duration_ms),
        server_id=row.server_id,
        identity=title_identity(row),
    )


def show_card(row: Row[Any], subtitle: str | None = None) -> Card:
    """A movie as itself; an episode as its show (when the show's row is known), labelled with the episode."""
    found = card(row)
    if row.type != "episode" or row.show_id is None:
        return found if subtitle is None else dataclasses.replace(found, subtitle=subtitle)
    return dataclasses.replace(
        found,
        media_item_id=row.show_id,
        subtitle=found.subtitle if subtitle is None else subtitle,
        year=row.show_year or None,
        type="show",
        genres=list(tag_names(row.show_genres)),
        progress=0.0,
        rating_key=row.show_rating_key,
        episode="",
        duration_min=None,
    )


def unknown_card(progress: float) -> Card:
    """A card for a play whose item is not synced (yet)."""
    return Card(0, UNKNOWN_TITLE, "", None, "", [], None, round(progress or 0.0, 3))


def _thumb_url(row: Row[Any]) -> str | None:
    """The show's poster for an episode when there is one (its own thumb is a video still), else the item's."""
    if row.type == "episode" and row.show_id is not None and row.show_thumb:
        return poster_url(row.show_id)
    return poster_url(row.id) if row.thumb else None


def _art_id(row: Row[Any]) -> int | None:
    """Whose backdrop: an episode's show's (Plex gives episodes their show's art anyway), else the item's own."""
    if row.type == "episode" and row.show_id is not None and row.show_art:
        return row.show_id
    return row.id if row.art else None
