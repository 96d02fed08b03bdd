"""What the chat's tools read from the library and from one member's own plays: searching titles, titles like
another, and the member's plays in a period. Every query is held to one server and, for plays, to one member.

Matching is the library's own: titles through the stored, folded `search_key` (services.text), so "amelie"
finds "Amélie"; genres and people compared folded as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from smartplex.db import reading
from smartplex.models import MEDIA, WATCH
from smartplex.services import watching
from smartplex.services.dashboard.history import plays
from smartplex.services.recommendations.index import LOCK, shared_figures
from smartplex.services.recommendations.reasons import likeness
from smartplex.services.text import fold, like_pattern
from smartplex.services.untidy import number, tag_names

TITLE_TYPES = ("movie", "show")
SORTS = ("relevance", "added", "rating", "year")
MAX_RESULTS = 20
SCAN_LIMIT = 400  # rows read per search before genre and person checks in Python


@dataclass(frozen=True)
class Found:
    """A movie or show as the chat's tools show it."""

    id: int
    title: str
    year: int  # 0 = unknown
    type: str
    genres: tuple[str, ...]
    rating: float  # 0 = unknown


@dataclass(frozen=True)
class Search:
    title: str = ""
    genre: str = ""
    person: str = ""
    type: str = ""  # movie | show | "" for both
    year_from: int = 0
    year_to: int = 0
    unwatched_by_me: bool = False
    sort: str = "relevance"
    limit: int = 8


def _rating() -> Any:
    return sa.case((MEDIA.c.audience_rating > 0, MEDIA.c.audience_rating), else_=MEDIA.c.rating)


def _watched_title_keys(user_id: int, server_id: int) -> Any:
    """SQL: rating keys of the movies and shows the member played (an episode counts for its show)."""
    return (
        sa.select(watching.title_rating_key())
        .select_from(WATCH.join(MEDIA, MEDIA.c.id == WATCH.c.media_item_id))
        .where(WATCH.c.user_id == user_id, WATCH.c.server_id == server_id, watching.PLAYED)
    )


def search(conn: Connection | None, server_id: int, user_id: int, query: Search) -> list[Found]:
    """Present movies and shows matching every given criterion."""
    kinds = (query.type,) if query.type in TITLE_TYPES else TITLE_TYPES
    conditions = [MEDIA.c.server_id == server_id, MEDIA.c.type.in_(kinds), MEDIA.c.removed_at.is_(None)]
    if fold(query.title):
        conditions.append(MEDIA.c.search_key.like(like_pattern(query.title), escape="\\"))
    if query.year_from:
        conditions.append(MEDIA.c.year >= query.year_from)
    if query.year_to:
        conditions.append(MEDIA.c.year <= query.year_to)
    if query.unwatched_by_me:
        conditions.append(MEDIA.c.rating_key.not_in(_watched_title_keys(user_id, server_id)))
    order = {
        "added": [MEDIA.c.added_at.desc()],
        "rating": [_rating().desc()],
        "year": [MEDIA.c.year.desc()],
    }.get(query.sort, [])
    if query.sort == "relevance" and fold(query.title):
        order = [(MEDIA.c.search_key == fold(query.title)).desc(), sa.func.length(MEDIA.c.search_key)]
    stmt = (
        sa.select(
            MEDIA.c.id, MEDIA.c.title, MEDIA.c.year, MEDIA.c.type, sa.cast(MEDIA.c.genres, sa.Text).label("genres"),
            sa.cast(MEDIA.c.directors, sa.Text).label("directors"), sa.cast(MEDIA.c.actors, sa.Text).label("actors"),
            _rating().label("score"),
        )
        .where(*conditions)
        .order_by(*order, _rating().desc(), MEDIA.c.id)
    )  # fmt: skip
    genre, person = fold(query.genre), fold(query.person)
    if not genre and not person:
        stmt = stmt.limit(query.limit)
    found: list[Found] = []
    with reading(conn) as c, c.execution_options(yield_per=SCAN_LIMIT).execute(stmt) as rows:
        for row in rows:
            genres = tag_names(row.genres)
            if genre and not any(genre in fold(g) for g in genres):
                continue
            if person and not any(_names(person, fold(p)) for p in (*tag_names(row.directors), *tag_names(row.actors))):
                continue
            found.append(Found(row.id, row.title or "", max(int(number(row.year)), 0), row.type, genres, _score(row.score)))
            if len(found) >= query.limit:
                break
    return found


def _names(wanted: str, name: str) -> bool:
    """A folded name matches whole words of a folded person's name: "weaver" finds "Sigourney Weaver", "person 12"
    does not find "Person 120"."""
    return re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", name) is not None


def _score(value: Any) -> float:
    return round(max(number(value), 0.0), 1)


def similar(server_id: int, media_item_id: int, limit: int = 8) -> list[Found] | None:
    """Movies and shows most like one title (shared genres, people, era), from the recommendations' in-process
    catalogue; None when the title is not a movie or show of this server."""
    with LOCK:
        titles = shared_figures(server_id).library.titles
        base = titles.get(media_item_id)
        if base is None or base.removed:
            return None
        ranked = sorted(
            (t for t in titles.values() if t.id != base.id and not t.removed and not base.genre_set.isdisjoint(t.genre_set)),
            key=lambda t: (-likeness(base, t), -t.rating, t.id),
        )[:limit]
    return [Found(t.id, t.title, t.year, t.type, t.genres, round(t.rating, 1)) for t in ranked]


@dataclass(frozen=True)
class Watched:
    id: int
    title: str  # an episode as "Show · S1 · E3"
    type: str
    day: str  # ISO date of the play
    finished: bool


@dataclass(frozen=True)
class PeriodSummary:
    plays: int
    hours: float
    titles: list[Watched]  # newest first, at most `limit`
    top_genres: list[str]


def watched_in(user_id: int, server_id: int, start: datetime, end: datetime, limit: int = 15) -> PeriodSummary:
    """The member's own plays in [start, end): how many, the hours (duration x progress, a finished play its
    whole duration), the newest titles and the genres they played most."""
    show = MEDIA.alias("show_row")
    with reading() as c:
        played = plays(c, user_id, server_id, start, end).subquery()
        rows = c.execute(
            sa.select(
                played.c.media_item_id, played.c.last_at, played.c.progress, played.c.finished, MEDIA.c.type,
                MEDIA.c.title, MEDIA.c.grandparent_title, MEDIA.c.parent_index, MEDIA.c.item_index, MEDIA.c.duration_ms,
                sa.cast(MEDIA.c.genres, sa.Text).label("genres"), sa.cast(show.c.genres, sa.Text).label("show_genres"),
            )
            .select_from(
                played.outerjoin(MEDIA, MEDIA.c.id == played.c.media_item_id).outerjoin(
                    show,
                    sa.and_(show.c.server_id == MEDIA.c.server_id, show.c.rating_key == MEDIA.c.grandparent_rating_key),
                )
            )
            .order_by(played.c.last_at.desc())
        ).all()  # fmt: skip
    hours = 0.0
    genres: dict[str, int] = {}
    titles: list[Watched] = []
    for row in rows:
        share = 1.0 if row.finished else min(max(number(row.progress), 0.0), 1.0)
        hours += number(row.duration_ms) * share / 3_600_000
        for genre in tag_names(row.genres) or tag_names(row.show_genres):
            genres[genre] = genres.get(genre, 0) + 1
        if len(titles) < limit and row.media_item_id is not None:
            titles.append(Watched(row.media_item_id, _watched_title(row), row.type or "", row.last_at.date().isoformat(), bool(row.finished)))
    top = sorted(genres, key=lambda g: (-genres[g], g))[:3]
    return PeriodSummary(len(rows), round(hours, 1), titles, top)


def _watched_title(row: Any) -> str:
    if row.type != "episode":
        return row.title or ""
    parts = [row.grandparent_title or "", f"S{row.parent_index}" if row.parent_index else "", f"E{row.item_index}" if row.item_index else ""]
    return " · ".join(p for p in parts if p) or (row.title or "")
