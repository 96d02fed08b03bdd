"""The dashboard's sections: continue watching, recently added and trending.

Privacy: every section that shows what other people did (trending) counts distinct people
(services.watching.PERSON) and shows nothing below PRIVACY_FLOOR of them; names never leave this module.
Scope: every query is filtered by the server, on the events and on the items, and personal sections by the
member. Speed: the database filters and groups through the indexes (watch_event (user_id, viewed_at) and
(server_id, viewed_at, ...), media_item (server_id, added_at) and (server_id, rating_key)); Python only shapes
the few rows that come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from smartplex.db import reading
from smartplex.models import MEDIA, WATCH, utcnow
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
from smartplex.services.privacy import PRIVACY_FLOOR

LIKED_RATING = 7.0


@dataclass(frozen=True)
class Trend:
    card: Card
    members: int  # distinct people who played it in the window, always >= PRIVACY_FLOOR


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
