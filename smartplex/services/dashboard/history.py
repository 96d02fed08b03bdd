"""A member's own plays: the history listing and the statistics.

A *play* is one member's play-family watch events (services.watching) of one item on one UTC day, so the
pause/resume noise of an evening collapses into one history row; Plex events carry no session id to group by
instead. Its progress is the furthest any event got, and it is finished when an event finishes the item.
A play that crosses midnight UTC counts as two. History, stats and a detail's `your_plays` all count plays
this way. What people read is in their own time zone (services.clock): the date filters take whole local days,
and the statistics count weeks, months, years, days and hours of the day locally.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from smartplex.db import epoch_seconds, reading
from smartplex.models import MEDIA, WATCH, utcnow
from smartplex.services import clock, watching
from smartplex.services.plex import household
from smartplex.services.plex.household import Servers, as_ids, on_servers
from smartplex.services.dashboard.cards import SHOW, Card, card, item_columns, unknown_card, with_show
from smartplex.services.text import fold, like_pattern
from smartplex.services.untidy import tag_names

HISTORY_TYPES = {"movie": "movie", "episode": "episode", "show": "episode"}
MAX_PAGE_SIZE = 100
DAY = 86_400


@dataclass(frozen=True)
class HistoryRow:
    card: Card  # an unknown item (its row not synced yet) reads as UNKNOWN_TITLE without a poster
    watched_at: str  # ISO 8601, UTC: the play's latest event
    finished: bool


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Stats:
    """Hours and plays of this calendar week (from Monday), month and year in the member's time zone; the rest
    over the last 365 days (`plays_per_day`: the last 30 local days)."""

    hours_week: float
    hours_month: float
    hours_year: float
    plays: int  # this year
    favourite_genres: list[tuple[str, int]]
    plays_per_day: list[tuple[str, int]]  # (ISO date, plays), oldest first, days without plays as 0
    by_weekday: list[int]  # Monday .. Sunday, local
    by_hour: list[int]  # 0 .. 23, local
    by_type: dict[str, int]  # {"movie": n, "episode": n}


def history(
    user_id: int,
    servers: Servers,
    *,
    query: str = "",
    media_type: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    page_size: int = 25,
    tz: tzinfo = UTC,
    conn: Connection | None = None,
) -> HistoryPage:
    """The member's own plays, newest first, searched by title (episodes also by show), filtered, paged.

    `since`/`until` as dates include those whole days in `tz`; as datetimes they are exact (until exclusive).
    `media_type` is "movie" or "episode" ("show" means its episodes).
    """
    if media_type is not None and media_type not in HISTORY_TYPES:
        raise ValueError(f"unknown media type {media_type!r}")
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    page = max(page, 1)
    with reading(conn) as c:
        played = plays(c, user_id, servers, _start(since, tz), _end(until, tz)).subquery()
        listing = (
            sa.select(
                *item_columns(),
                played.c.last_at,
                played.c.progress,
                played.c.finished,
                sa.func.count().over().label("total"),  # the count comes with the page: one pass, not two
            )
            .select_from(with_show(played.outerjoin(MEDIA, MEDIA.c.id == played.c.media_item_id)))
            .where(*_history_filters(query, media_type))
            .order_by(played.c.last_at.desc(), played.c.media_item_id.desc())
            .limit(page_size)
        )
        rows = c.execute(listing.offset((page - 1) * page_size)).all()
        if not rows and page > 1:  # past the end: the last page instead
            total = c.execute(sa.select(sa.func.count()).select_from(listing.limit(None).subquery())).scalar_one()
            page = max(1, math.ceil(total / page_size))
            rows = c.execute(listing.offset((page - 1) * page_size)).all()
    total = rows[0].total if rows else 0
    pages = max(1, math.ceil(total / page_size))
    ids = as_ids(servers)
    names = household.names(ids) if len(ids) > 1 else {}  # several servers: each play says where it was
    return HistoryPage(rows=[_history_row(r, names) for r in rows], total=total, page=page, pages=pages)


def stats(
    user_id: int, servers: Servers, now: datetime | None = None, *, tz: tzinfo = UTC, conn: Connection | None = None
) -> Stats:
    """Hours from duration x progress (a finished play counts its whole duration), and when and what was played,
    in the member's time zone `tz`."""
    now = now or utcnow()
    since = min(now - timedelta(days=365), clock.day_start(date(clock.local(now, tz).year, 1, 1), tz))
    with reading(conn) as c:
        played = plays(c, user_id, servers, since, now).subquery()
        rows = c.execute(
            sa.select(
                epoch_seconds(c.dialect.name, played.c.started_at).label("started"),
                played.c.progress,
                played.c.finished,
                MEDIA.c.type,
                MEDIA.c.duration_ms,
                sa.cast(MEDIA.c.genres, sa.Text).label("genres"),
                sa.cast(SHOW.c.genres, sa.Text).label("show_genres"),
            ).select_from(with_show(played.outerjoin(MEDIA, MEDIA.c.id == played.c.media_item_id)))
        ).all()
    return _summarise(rows, now, tz)


def plays(
    conn: Connection,
    user_id: int,
    servers: Servers,
    start: datetime | None,
    end: datetime | None,
    items: Any = None,
) -> sa.Select[Any]:
    """The member's plays: one row per (item, UTC day) of play-family events, optionally within [start, end)."""
    conditions = [WATCH.c.user_id == user_id, on_servers(WATCH.c.server_id, servers), watching.PLAYED]
    if start is not None:
        conditions.append(WATCH.c.viewed_at >= start)
    if end is not None:
        conditions.append(WATCH.c.viewed_at < end)
    if items is not None:
        conditions.append(WATCH.c.media_item_id.in_(items))
    day = watching.play_day(conn)
    return (
        sa.select(
            WATCH.c.media_item_id,
            sa.func.min(WATCH.c.viewed_at).label("started_at"),
            sa.func.max(WATCH.c.viewed_at).label("last_at"),
            sa.func.max(WATCH.c.progress).label("progress"),
            sa.func.max(sa.case((watching.FINISHED, 1), else_=0)).label("finished"),
        )
        .where(*conditions)
        .group_by(WATCH.c.media_item_id, WATCH.c.rating_key, day)
    )


def count_rows(conn: Connection, stmt: sa.Select[Any]) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()


def _history_filters(query: str, media_type: str | None) -> list[Any]:
    filters = []
    if media_type is not None:
        filters.append(MEDIA.c.type == HISTORY_TYPES[media_type])
    if fold(query):  # accents and case folded, as the stored search key is (services.text)
        filters.append(MEDIA.c.search_key.like(like_pattern(query), escape="\\"))
    return filters


def _start(bound: date | None, tz: tzinfo) -> datetime | None:
    if bound is None or isinstance(bound, datetime):
        return bound
    return clock.day_start(bound, tz)


def _end(bound: date | None, tz: tzinfo) -> datetime | None:
    if bound is None or isinstance(bound, datetime):
        return bound
    return clock.day_start(bound + timedelta(days=1), tz)


def _history_row(row: Row[Any], names: dict[int, str]) -> HistoryRow:
    finished = bool(row.finished)
    progress = 1.0 if finished else row.progress
    shown = unknown_card(progress) if row.id is None else card(row, progress)
    if shown.server_id in names:
        shown = dataclasses.replace(shown, where=(names[shown.server_id],))
    return HistoryRow(card=shown, watched_at=row.last_at.isoformat(), finished=finished)


def _summarise(rows: list[Row[Any]], now: datetime, tz: tzinfo) -> Stats:
    """The year's plays folded in one pass over integers (local epoch seconds), each genre list parsed once."""
    local_now = clock.local(now, tz)
    today = local_now.date()
    starts = {  # the calendar week, month and year, as UTC epoch seconds
        "week": clock.week_start(now, tz).timestamp(),
        "month": clock.day_start(today.replace(day=1), tz).timestamp(),
        "year": clock.day_start(date(today.year, 1, 1), tz).timestamp(),
    }
    hours = dict.fromkeys(starts, 0.0)
    year_plays = 0
    epoch_day = date(1970, 1, 1)
    first_day = (today - epoch_day).days - 29
    per_day = [0] * 30
    genres: Counter[str] = Counter()
    parsed: dict[tuple[Any, Any], tuple[str, ...]] = {}
    offsets: dict[int, int] = {}  # UTC hour -> the zone's offset then (offsets change only on the hour)
    by_weekday, by_hour = [0] * 7, [0] * 24
    by_type = {"movie": 0, "episode": 0}
    for started, progress, finished, kind, duration_ms, genre_text, show_genre_text in rows:
        watched_h = (duration_ms or 0) * (1.0 if finished else min(progress or 0.0, 1.0)) / 3_600_000
        for period, start in starts.items():
            if started >= start:
                hours[period] += watched_h
        year_plays += started >= starts["year"]
        hour_key = started // 3600
        if hour_key not in offsets:
            offsets[hour_key] = int(clock.local(datetime.fromtimestamp(started, UTC), tz).utcoffset().total_seconds())  # type: ignore[union-attr]
        local_s = started + offsets[hour_key]
        day = local_s // DAY
        if day >= first_day:
            per_day[day - first_day] += 1
        by_weekday[(day + 3) % 7] += 1  # 1 January 1970 was a Thursday
        by_hour[local_s % DAY // 3600] += 1
        if kind in by_type:
            by_type[kind] += 1
        key = (genre_text, show_genre_text)
        if key not in parsed:
            parsed[key] = tag_names(genre_text) or tag_names(show_genre_text)
        genres.update(parsed[key])
    first = epoch_day + timedelta(days=first_day)
    return Stats(
        hours_week=round(hours["week"], 1),
        hours_month=round(hours["month"], 1),
        hours_year=round(hours["year"], 1),
        plays=year_plays,
        favourite_genres=sorted(genres.items(), key=lambda kv: (-kv[1], kv[0]))[:5],
        plays_per_day=[((first + timedelta(days=n)).isoformat(), count) for n, count in enumerate(per_day)],
        by_weekday=by_weekday,
        by_hour=by_hour,
        by_type=by_type,
    )
