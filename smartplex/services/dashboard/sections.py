"""The dashboard's sections: continue watching, recently added and trending.

Privacy: every section that shows what other people did (trending) counts distinct people
(services.watching.PERSON) and shows nothing below PRIVACY_FLOOR of them; names never leave this module.
Scope: every query is filtered by the server, on the events and on the items, and personal sections by the
member. Speed: the database filters and groups through the indexes (watch_event (user_id, viewed_at) and
(server_id, viewed_at, ...), media_item (server_id, added_at) and (server_id, rating_key)); Python only shapes
the few rows that come back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from smartplex.db import reading
from smartplex.models import MEDIA, WATCH, utcnow
from smartplex.services import watching
from smartplex.services.dashboard.cards import (
    Card,
    card,
    item_columns,
    items_by_id,
    merge_titles,
    show_card,
    title_key,
    titles_by_key,
    with_show,
)
from smartplex.services.plex.household import Servers, as_ids, names, on_servers, where_names
from smartplex.services.privacy import PRIVACY_FLOOR

LIKED_RATING = 7.0


@dataclass(frozen=True)
class Trend:
    card: Card
    members: int  # distinct people who played it in the window, always >= PRIVACY_FLOOR


def continue_watching(user_id: int, servers: Servers, limit: int = 12, *, conn: Connection | None = None) -> list[Card]:
    """Items whose latest event for the member is a started, unfinished play; newest first, one per show (a title
    on several servers: where it was played last)."""
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
            on_servers(WATCH.c.server_id, servers),
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
            on_servers(MEDIA.c.server_id, servers),
            MEDIA.c.removed_at.is_(None),
        )
        .order_by(latest.c.viewed_at.desc(), MEDIA.c.id.desc())
    )
    cards: dict[str, Card] = {}
    with reading(conn) as c, c.execute(stmt) as rows:
        for row in rows:
            shown = card(row, row.progress)
            cards.setdefault(shown.identity, shown)
            if len(cards) == limit:
                break
    return list(cards.values())


def recently_added(servers: Servers, limit: int = 20, *, conn: Connection | None = None) -> list[Card]:
    """Movies and shows by their newest addition; a show with new episodes appears once, as the show. Several
    servers: each server's list, merged newest first (a title on two servers once, with both names)."""
    ids = as_ids(servers)
    if len(ids) != 1:
        lists = [_recently_added(server_id, limit, conn) for server_id in ids]
        newest = sorted((c for cards in lists for c in cards), key=_added_order)
        return merge_titles(newest, names(ids))[:limit]
    return _recently_added(ids[0], limit, conn)


def _added_order(shown: Card) -> tuple[float, int]:
    return (-(shown.added_at.timestamp() if shown.added_at else 0.0), -shown.media_item_id)


def _recently_added(server_id: int, limit: int, conn: Connection | None) -> list[Card]:
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
        items = items_by_id(c, (server_id,), list(newest.values()))
    return [show_card(items[item_id]) for item_id in newest.values() if item_id in items]


def trending(
    servers: Servers,
    limit: int = 12,
    min_members: int = PRIVACY_FLOOR,
    *,
    now: datetime | None = None,
    conn: Connection | None = None,
) -> list[Trend]:
    """Trending titles (services.watching.trending) of one server or several merged, as cards."""
    ids = as_ids(servers)
    with reading(conn) as c:
        ranked = watching.trending(c, ids, now or utcnow(), min_people=min_members, limit=limit)
        titles: dict[tuple[int, str], Row[Any]] = {}
        for server_id in {t.server_id for t in ranked}:
            keys = [t.rating_key for t in ranked if t.server_id == server_id]
            titles.update({(server_id, key): row for key, row in titles_by_key(c, server_id, keys).items()})
        samples = items_by_id(c, ids, [t.sample_item_id for t in ranked if (t.server_id, t.rating_key) not in titles])
    where = names(ids) if len(ids) > 1 else {}
    trends = []
    for t in ranked:
        row = titles.get((t.server_id, t.rating_key)) or samples.get(t.sample_item_id)
        if row is not None:
            shown = card(row) if (t.server_id, t.rating_key) in titles else show_card(row, subtitle="")
            if len(t.servers) > 1:
                shown = dataclasses.replace(shown, where=where_names(t.servers, where))
            trends.append(Trend(card=shown, members=t.people))
    return trends
