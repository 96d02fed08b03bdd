"""The dashboard's sections: continue watching, recently added, trending, and one item's detail.

Privacy: every section that shows what other people did (trending, `liked_by_count`) counts distinct people
(services.watching.PERSON) and shows nothing below PRIVACY_FLOOR of them; names never leave this module.
Scope: every query is filtered by the server, on the events and on the items, and personal sections by the
member. Speed: the database filters and groups through the indexes (watch_event (user_id, viewed_at) and
(server_id, viewed_at, ...), media_item (server_id, added_at) and (server_id, rating_key)); Python only shapes
the few rows that come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from smartplex.db import reading
from smartplex.models import MEDIA, USERS, WATCH, WatchEventKind, utcnow
from smartplex.services import watching
from smartplex.services.dashboard.cards import (
    Card,
    card,
    item_columns,
    items_by_id,
    show_card,
    title_key,
    titles_by_key,
    with_show,
)
from smartplex.services.dashboard.history import count_rows, plays
from smartplex.services.privacy import PRIVACY_FLOOR

LIKED_RATING = 7.0


@dataclass(frozen=True)
class Trend:
    card: Card
    members: int  # distinct people who played it in the window, always >= PRIVACY_FLOOR


@dataclass(frozen=True)
class Detail:
    media_item_id: int
    title: str
    subtitle: str
    year: int | None
    type: str
    genres: list[str]
    summary: str
    rating: float | None
    audience_rating: float | None
    duration_min: int | None
    thumb_url: str | None
    your_plays: int  # of a show or season: plays of its episodes
    liked_by_count: int | None  # other people who finished or rated it >= 7; None below PRIVACY_FLOOR


def continue_watching(user_id: int, server_id: int, limit: int = 12, *, conn: Connection | None = None) -> list[Card]:
    """Items whose latest event for the member is a started, unfinished play; newest first, one per show."""
    latest = (
        sa.select(
            WATCH.c.media_item_id,
            WATCH.c.event,
            WATCH.c.progress,
            WATCH.c.viewed_at,
            sa.func.row_number()
            .over(partition_by=WATCH.c.media_item_id, order_by=(WATCH.c.viewed_at.desc(), WATCH.c.id.desc()))
            .label("rank"),
        )
        .where(
            WATCH.c.user_id == user_id,
            WATCH.c.server_id == server_id,
            WATCH.c.media_item_id.is_not(None),
            watching.PLAYED,
        )
        .subquery()
    )
    stmt = (
        sa.select(*item_columns(), latest.c.progress)
        .select_from(with_show(latest.join(MEDIA, MEDIA.c.id == latest.c.media_item_id)))
        .where(
            latest.c.rank == 1,
            latest.c.event.not_in(watching.FINISHED_EVENTS),
            latest.c.progress >= watching.STARTED_PROGRESS,
            latest.c.progress < watching.FINISHED_PROGRESS,
            MEDIA.c.server_id == server_id,
            MEDIA.c.removed_at.is_(None),
        )
        .order_by(latest.c.viewed_at.desc(), MEDIA.c.id.desc())
    )
    cards: dict[str, Card] = {}
    with reading(conn) as c, c.execute(stmt) as rows:
        for row in rows:
            cards.setdefault(title_key(row), card(row, row.progress))
            if len(cards) == limit:
                break
    return list(cards.values())


def recently_added(server_id: int, limit: int = 20, *, conn: Connection | None = None) -> list[Card]:
    """Movies and shows by their newest addition; a show with new episodes appears once, as the show."""
    newest: dict[str, int] = {}  # title key -> its newest movie or episode
    window = limit * 8
    with reading(conn) as c:
        while True:
            rows = c.execute(
                sa.select(MEDIA.c.id, MEDIA.c.type, MEDIA.c.grandparent_rating_key)
                .where(
                    MEDIA.c.server_id == server_id,
                    MEDIA.c.type.in_(("movie", "episode")),
                    MEDIA.c.removed_at.is_(None),
                    MEDIA.c.added_at.is_not(None),
                )
                .order_by(MEDIA.c.added_at.desc(), MEDIA.c.id.desc())
                .limit(window)
            ).all()
            newest.clear()
            for row in rows:
                newest.setdefault(title_key(row), row.id)
                if len(newest) == limit:
                    break
            if len(newest) == limit or len(rows) < window:
                break
            window *= 4  # one show added many episodes: look further back
        items = items_by_id(c, server_id, list(newest.values()))
    return [show_card(items[item_id]) for item_id in newest.values() if item_id in items]


def trending(
    server_id: int,
    limit: int = 12,
    min_members: int = PRIVACY_FLOOR,
    *,
    now: datetime | None = None,
    conn: Connection | None = None,
) -> list[Trend]:
    """The server's trending titles (services.watching.trending) as cards."""
    with reading(conn) as c:
        ranked = watching.trending(c, server_id, now or utcnow(), min_people=min_members, limit=limit)
        titles = titles_by_key(c, server_id, [t.rating_key for t in ranked])
        samples = items_by_id(c, server_id, [t.sample_item_id for t in ranked if t.rating_key not in titles])
    trends = []
    for t in ranked:
        row = titles.get(t.rating_key) or samples.get(t.sample_item_id)
        if row is not None:
            shown = card(row) if t.rating_key in titles else show_card(row, subtitle="")
            trends.append(Trend(card=shown, members=t.people))
    return trends


def item_detail(user_id: int, server_id: int, media_item_id: int, *, conn: Connection | None = None) -> Detail | None:
    """One item as the member sees it; None when it is not on this server."""
    with reading(conn) as c:
        row = c.execute(
            sa.select(
                *item_columns(),
                MEDIA.c.rating_key,
                MEDIA.c.summary,
                MEDIA.c.rating,
                MEDIA.c.audience_rating,
                MEDIA.c.duration_ms,
            )
            .select_from(with_show(MEDIA))
            .where(MEDIA.c.id == media_item_id, MEDIA.c.server_id == server_id)
        ).first()
        if row is None:
            return None
        items = _family(server_id, row)
        your_plays = count_rows(c, plays(c, user_id, server_id, None, None, items))
        liked_by = _liked_by(c, user_id, server_id, items)
    shown = card(row)
    return Detail(
        media_item_id=shown.media_item_id,
        title=shown.title,
        subtitle=shown.subtitle,
        year=shown.year,
        type=row.type,
        genres=shown.genres,
        summary=row.summary or "",
        rating=row.rating or None,
        audience_rating=row.audience_rating or None,
        duration_min=round((row.duration_ms or 0) / 60_000) or None,
        thumb_url=shown.thumb_url,
        your_plays=your_plays,
        liked_by_count=liked_by if liked_by >= PRIVACY_FLOOR else None,
    )


def _liked_by(conn: Connection, user_id: int, server_id: int, items: Any) -> int:
    """Distinct other people who finished one of `items` or rated it LIKED_RATING or more."""
    liked = sa.or_(
        sa.and_(WATCH.c.event == WatchEventKind.RATE, WATCH.c.user_rating >= LIKED_RATING),
        sa.and_(watching.PLAYED, watching.FINISHED),
    )
    others = [sa.or_(WATCH.c.user_id.is_(None), WATCH.c.user_id != user_id)]
    own_account = conn.execute(sa.select(USERS.c.plex_account_id).where(USERS.c.id == user_id)).scalar()
    if own_account is not None:
        others.append(sa.or_(WATCH.c.plex_account_id.is_(None), WATCH.c.plex_account_id != own_account))
    people = (
        sa.select(watching.PERSON.label("person"))
        .where(WATCH.c.server_id == server_id, WATCH.c.media_item_id.in_(items), liked, *others)
        .subquery()
    )
    return conn.execute(sa.select(sa.func.count(sa.distinct(people.c.person)))).scalar_one()


def _family(server_id: int, row: Row[Any]) -> Any:
    """The ids a detail's plays count over: the item, and for a show or season its episodes."""
    parent = {"show": MEDIA.c.grandparent_rating_key, "season": MEDIA.c.parent_rating_key}.get(row.type)
    if parent is None:
        return [row.id]
    return sa.select(MEDIA.c.id).where(
        MEDIA.c.server_id == server_id, sa.or_(MEDIA.c.id == row.id, parent == row.rating_key)
    )
