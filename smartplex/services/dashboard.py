"""The member dashboard's data: continue watching, recently added, trending, history, stats and an item's detail.

Why it is shaped like this:
- A *play* is one member's watch events of one item on one UTC day (play, pause, resume, stop, scrobble,
  viewed; never rate), so the pause/resume noise of an evening collapses into one history row. Plex events
  carry no session id we could group by instead. Its progress is the furthest any event got; it is finished
  when a scrobble/viewed event says so or it got to FINISHED_PROGRESS. A play that crosses midnight UTC
  counts as two. History, stats and `your_plays` all count plays this way.
- Privacy: every section that shows what other people did (trending, `liked_by_count`) counts distinct
  people and shows nothing below PRIVACY_FLOOR of them; names never leave this module. A person is the Plex
  account behind an event (so plays from before a member was linked count as the same person), else the
  member it was attributed to.
- Speed: the database filters and groups through the existing indexes (watch_event (user_id, viewed_at) and
  (server_id, viewed_at), media_item added_at and (server_id, rating_key)); Python only shapes the few rows
  that come back. `member_dashboard` runs every section on one connection, so also in one read snapshot.
- Scope: every query is filtered by the server, on the events and on the items, and personal sections by
  the member. Untidy rows (no item, year 0, empty or broken genre JSON, duration 0) read as "unknown".
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from smartplex.db import get_engine
from smartplex.models import MediaItem, User, WatchEvent, utcnow
from smartplex.services.images import poster_url
from smartplex.services.privacy import PRIVACY_FLOOR

MEDIA: sa.Table = MediaItem.__table__  # type: ignore[attr-defined]
WATCH: sa.Table = WatchEvent.__table__  # type: ignore[attr-defined]
USERS: sa.Table = User.__table__  # type: ignore[attr-defined]
SHOW = MEDIA.alias("show")

FINISHED_EVENTS = ("scrobble", "viewed")
FINISHED_PROGRESS = 0.9
STARTED_PROGRESS = 0.02
LIKED_RATING = 7.0
HISTORY_TYPES = {"movie": "movie", "episode": "episode", "show": "episode"}
HISTORY_PREVIEW = 10  # rows of history on the dashboard itself
MAX_PAGE_SIZE = 100
UNKNOWN_TITLE = "Unknown title"
DAY = 86_400

# Whose event it is: the Plex account, else the member (negated so the two id spaces never meet).
PERSON = sa.case((WATCH.c.plex_account_id.is_not(None), WATCH.c.plex_account_id), else_=-WATCH.c.user_id)


# --------------------------------------------------------------------------- what pages get


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


@dataclass(frozen=True)
class Trend:
    card: Card
    members: int  # distinct people who played it in the window, always >= PRIVACY_FLOOR


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
    """The member's last 365 days (`plays_per_day`: the last 30), in UTC."""

    hours_week: float
    hours_month: float
    hours_year: float
    plays: int
    favourite_genres: list[tuple[str, int]]
    plays_per_day: list[tuple[str, int]]  # (ISO date, plays), oldest first, days without plays as 0
    by_weekday: list[int]  # Monday .. Sunday
    by_hour: list[int]  # 0 .. 23
    by_type: dict[str, int]  # {"movie": n, "episode": n}


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


@dataclass(frozen=True)
class Dashboard:
    continue_watching: list[Card]
    recently_added: list[Card]
    trending: list[Trend]
    history: HistoryPage
    stats: Stats


# --------------------------------------------------------------------------- the sections


def member_dashboard(user_id: int, server_id: int, *, now: datetime | None = None) -> Dashboard:
    """Every section (recommendations excepted) on one connection."""
    with get_engine().connect() as conn:
        return Dashboard(
            continue_watching=continue_watching(user_id, server_id, conn=conn),
            recently_added=recently_added(server_id, conn=conn),
            trending=trending(server_id, now=now, conn=conn),
            history=history(user_id, server_id, page_size=HISTORY_PREVIEW, conn=conn),
            stats=stats(user_id, server_id, now, conn=conn),
        )


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
            WATCH.c.event != "rate",
        )
        .subquery()
    )
    stmt = (
        sa.select(*_item_columns(), latest.c.progress)
        .select_from(_with_show(latest.join(MEDIA, MEDIA.c.id == latest.c.media_item_id)))
        .where(
            latest.c.rank == 1,
            latest.c.event.not_in(FINISHED_EVENTS),
            latest.c.progress >= STARTED_PROGRESS,
            latest.c.progress < FINISHED_PROGRESS,
            MEDIA.c.server_id == server_id,
            MEDIA.c.removed_at.is_(None),
        )
        .order_by(latest.c.viewed_at.desc(), MEDIA.c.id.desc())
    )
    cards: dict[str, Card] = {}
    with _reading(conn) as c, c.execute(stmt) as rows:
        for row in rows:
            cards.setdefault(_title_key(row), _card(row, row.progress))
            if len(cards) == limit:
                break
    return list(cards.values())


def recently_added(server_id: int, limit: int = 20, *, conn: Connection | None = None) -> list[Card]:
    """Movies and shows by their newest addition; a show with new episodes appears once, as the show."""
    newest: dict[str, int] = {}  # title key -> its newest movie or episode
    window = limit * 8
    with _reading(conn) as c:
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
                newest.setdefault(_title_key(row), row.id)
                if len(newest) == limit:
                    break
            if len(newest) == limit or len(rows) < window:
                break
            window *= 4  # one show added many episodes: look further back
        items = _items(c, server_id, list(newest.values()))
    return [_show_card(items[item_id]) for item_id in newest.values() if item_id in items]


def trending(
    server_id: int,
    days: int = 7,
    limit: int = 12,
    min_members: int = PRIVACY_FLOOR,
    *,
    now: datetime | None = None,
    conn: Connection | None = None,
) -> list[Trend]:
    """Movies and shows by distinct people who played them in the last `days`; below the floor, nothing."""
    now = now or utcnow()
    # Distinct (item, person) first: a sitting's many events collapse before any item row is read.
    pairs = (
        sa.select(WATCH.c.media_item_id.label("item_id"), PERSON.label("person"))
        .where(
            WATCH.c.server_id == server_id,
            WATCH.c.viewed_at >= now - timedelta(days=days),
            WATCH.c.viewed_at <= now,
            WATCH.c.event != "rate",
            WATCH.c.media_item_id.is_not(None),
        )
        .group_by(WATCH.c.media_item_id, PERSON)
        .subquery()
    )
    titled = (
        sa.select(_title_rating_key().label("key"), pairs.c.person, MEDIA.c.id.label("item_id"))
        .select_from(pairs.join(MEDIA, MEDIA.c.id == pairs.c.item_id))
        .where(MEDIA.c.server_id == server_id, MEDIA.c.removed_at.is_(None))
        .subquery()
    )
    members = sa.func.count(sa.distinct(titled.c.person))
    counts = (
        sa.select(titled.c.key, members.label("members"), sa.func.max(titled.c.item_id).label("sample_id"))
        .group_by(titled.c.key)
        .having(members >= max(min_members, PRIVACY_FLOOR))
        .order_by(members.desc(), titled.c.key)
        .limit(limit)
    )
    with _reading(conn) as c:
        ranked = c.execute(counts).all()
        titles = _titles_by_key(c, server_id, [r.key for r in ranked])
        samples = _items(c, server_id, [r.sample_id for r in ranked if r.key not in titles])
    trends = []
    for r in ranked:
        row = titles.get(r.key) or samples.get(r.sample_id)
        if row is not None:
            card = _card(row) if r.key in titles else _show_card(row, subtitle="")
            trends.append(Trend(card=card, members=r.members))
    return trends


def history(
    user_id: int,
    server_id: int,
    *,
    query: str = "",
    media_type: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    page_size: int = 25,
    conn: Connection | None = None,
) -> HistoryPage:
    """The member's own plays, newest first, searched by title (episodes also by show), filtered, paged.

    `since`/`until` as dates include those whole UTC days; as datetimes they are exact (until exclusive).
    `media_type` is "movie" or "episode" ("show" means its episodes).
    """
    if media_type is not None and media_type not in HISTORY_TYPES:
        raise ValueError(f"unknown media type {media_type!r}")
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    page = max(page, 1)
    with _reading(conn) as c:
        plays = _plays(c, user_id, server_id, _start(since), _end(until)).subquery()
        listing = (
            sa.select(
                *_item_columns(),
                plays.c.last_at,
                plays.c.progress,
                plays.c.finished,
                sa.func.count().over().label("total"),  # the count comes with the page: one pass, not two
            )
            .select_from(_with_show(plays.outerjoin(MEDIA, MEDIA.c.id == plays.c.media_item_id)))
            .where(*_history_filters(c, query, media_type))
            .order_by(plays.c.last_at.desc(), plays.c.media_item_id.desc())
            .limit(page_size)
        )
        rows = c.execute(listing.offset((page - 1) * page_size)).all()
        if not rows and page > 1:  # past the end: the last page instead
            total = c.execute(sa.select(sa.func.count()).select_from(listing.limit(None).subquery())).scalar_one()
            page = max(1, math.ceil(total / page_size))
            rows = c.execute(listing.offset((page - 1) * page_size)).all()
    total = rows[0].total if rows else 0
    pages = max(1, math.ceil(total / page_size))
    return HistoryPage(rows=[_history_row(r) for r in rows], total=total, page=page, pages=pages)


def stats(user_id: int, server_id: int, now: datetime | None = None, *, conn: Connection | None = None) -> Stats:
    """Hours from duration x progress (a finished play counts its whole duration), and when and what was played."""
    now = now or utcnow()
    with _reading(conn) as c:
        plays = _plays(c, user_id, server_id, now - timedelta(days=365), now).subquery()
        rows = c.execute(
            sa.select(
                _epoch(c, plays.c.started_at).label("started"),
                plays.c.progress,
                plays.c.finished,
                MEDIA.c.type,
                MEDIA.c.duration_ms,
                sa.cast(MEDIA.c.genres, sa.Text).label("genres"),
                sa.cast(SHOW.c.genres, sa.Text).label("show_genres"),
            ).select_from(_with_show(plays.outerjoin(MEDIA, MEDIA.c.id == plays.c.media_item_id)))
        ).all()
    return _summarise(rows, now)


def item_detail(user_id: int, server_id: int, media_item_id: int, *, conn: Connection | None = None) -> Detail | None:
    """One item as the member sees it; None when it is not on this server."""
    with _reading(conn) as c:
        row = c.execute(
            sa.select(
                *_item_columns(),
                MEDIA.c.rating_key,
                MEDIA.c.summary,
                MEDIA.c.rating,
                MEDIA.c.audience_rating,
                MEDIA.c.duration_ms,
            )
            .select_from(_with_show(MEDIA))
            .where(MEDIA.c.id == media_item_id, MEDIA.c.server_id == server_id)
        ).first()
        if row is None:
            return None
        items = _family(server_id, row)
        your_plays = _count(c, _plays(c, user_id, server_id, None, None, items))
        liked_by = _liked_by(c, user_id, server_id, items)
    card = _card(row)
    return Detail(
        media_item_id=card.media_item_id,
        title=card.title,
        subtitle=card.subtitle,
        year=card.year,
        type=row.type,
        genres=card.genres,
        summary=row.summary or "",
        rating=row.rating or None,
        audience_rating=row.audience_rating or None,
        duration_min=round((row.duration_ms or 0) / 60_000) or None,
        thumb_url=card.thumb_url,
        your_plays=your_plays,
        liked_by_count=liked_by if liked_by >= PRIVACY_FLOOR else None,
    )


# --------------------------------------------------------------------------- queries


@contextlib.contextmanager
def _reading(conn: Connection | None) -> Iterator[Connection]:
    """The caller's connection, or a new one for this call."""
    if conn is not None:
        yield conn
        return
    with get_engine().connect() as own:
        yield own


def _item_columns() -> list[Any]:
    """What a card needs of an item and, for an episode, of its show."""
    return [
        MEDIA.c.id,
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
        SHOW.c.id.label("show_id"),
        SHOW.c.title.label("show_title"),
        SHOW.c.year.label("show_year"),
        sa.cast(SHOW.c.genres, sa.Text).label("show_genres"),
        SHOW.c.thumb.label("show_thumb"),
    ]


def _with_show(source: Any) -> Any:
    """`source` (which holds MEDIA) joined to the show of each episode, when the show is known."""
    return source.outerjoin(
        SHOW,
        sa.and_(
            MEDIA.c.type == "episode",
            SHOW.c.server_id == MEDIA.c.server_id,
            SHOW.c.rating_key == MEDIA.c.grandparent_rating_key,
        ),
    )


def _items(conn: Connection, server_id: int, ids: list[int]) -> dict[int, Row[Any]]:
    """Items by id. The server is checked on the rows: as a SQL filter it lures SQLite off the primary key
    onto the (server_id, rating_key) index, a scan of the whole library."""
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(*_item_columns(), MEDIA.c.server_id).select_from(_with_show(MEDIA)).where(MEDIA.c.id.in_(ids))
    )
    return {row.id: row for row in rows if row.server_id == server_id}


def _titles_by_key(conn: Connection, server_id: int, keys: list[str]) -> dict[str, Row[Any]]:
    if not keys:
        return {}
    rows = conn.execute(
        sa.select(*_item_columns(), MEDIA.c.rating_key)
        .select_from(_with_show(MEDIA))
        .where(MEDIA.c.server_id == server_id, MEDIA.c.rating_key.in_(keys), MEDIA.c.removed_at.is_(None))
    )
    return {row.rating_key: row for row in rows}


def _title_rating_key() -> Any:
    """The rating key of the movie or show an item belongs to (episodes and seasons fold into their show)."""
    return sa.case(
        (MEDIA.c.type == "episode", sa.func.coalesce(MEDIA.c.grandparent_rating_key, MEDIA.c.rating_key)),
        (MEDIA.c.type == "season", sa.func.coalesce(MEDIA.c.parent_rating_key, MEDIA.c.rating_key)),
        else_=MEDIA.c.rating_key,
    )


def _day(conn: Connection) -> Any:
    """The UTC calendar day of an event (SQLite stores UTC text; PostgreSQL a timestamptz)."""
    if conn.dialect.name == "sqlite":
        return sa.func.date(WATCH.c.viewed_at)
    return sa.func.date(sa.func.timezone("UTC", WATCH.c.viewed_at))


def _epoch(conn: Connection, column: Any) -> Any:
    """Seconds since 1970 computed by the database: parsing a year of timestamps in Python costs more."""
    if conn.dialect.name == "sqlite":
        return sa.cast(sa.func.strftime("%s", column), sa.Integer)
    return sa.cast(sa.extract("epoch", column), sa.BigInteger)


def _plays(
    conn: Connection,
    user_id: int,
    server_id: int,
    start: datetime | None,
    end: datetime | None,
    items: Any = None,
) -> sa.Select[Any]:
    """The member's plays: one row per (item, UTC day) of play-family events, optionally within [start, end)."""
    conditions = [WATCH.c.user_id == user_id, WATCH.c.server_id == server_id, WATCH.c.event != "rate"]
    if start is not None:
        conditions.append(WATCH.c.viewed_at >= start)
    if end is not None:
        conditions.append(WATCH.c.viewed_at < end)
    if items is not None:
        conditions.append(WATCH.c.media_item_id.in_(items))
    finished = sa.or_(WATCH.c.event.in_(FINISHED_EVENTS), WATCH.c.progress >= FINISHED_PROGRESS)
    day = _day(conn)
    return (
        sa.select(
            WATCH.c.media_item_id,
            sa.func.min(WATCH.c.viewed_at).label("started_at"),
            sa.func.max(WATCH.c.viewed_at).label("last_at"),
            sa.func.max(WATCH.c.progress).label("progress"),
            sa.func.max(sa.case((finished, 1), else_=0)).label("finished"),
        )
        .where(*conditions)
        .group_by(WATCH.c.media_item_id, WATCH.c.rating_key, day)
    )


def _history_filters(conn: Connection, query: str, media_type: str | None) -> list[Any]:
    filters = []
    if media_type is not None:
        filters.append(MEDIA.c.type == HISTORY_TYPES[media_type])
    needle = query.strip().lower()
    if needle:
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        lower = _lower(conn)
        filters.append(
            sa.or_(
                lower(MEDIA.c.title).like(pattern, escape="\\"),
                lower(MEDIA.c.grandparent_title).like(pattern, escape="\\"),
            )
        )
    return filters


def _lower(conn: Connection) -> Any:
    """Unicode lower-casing in SQL: PostgreSQL's lower() is; SQLite's only folds ASCII, so use Python's."""
    if conn.dialect.name != "sqlite":
        return sa.func.lower
    conn.connection.driver_connection.create_function(  # type: ignore[union-attr]
        "smartplex_lower", 1, lambda text: text.lower() if isinstance(text, str) else text, deterministic=True
    )
    return sa.func.smartplex_lower


def _liked_by(conn: Connection, user_id: int, server_id: int, items: Any) -> int:
    """Distinct other people who finished one of `items` or rated it LIKED_RATING or more."""
    liked = sa.or_(
        sa.and_(WATCH.c.event == "rate", WATCH.c.user_rating >= LIKED_RATING),
        sa.and_(
            WATCH.c.event != "rate",
            sa.or_(WATCH.c.event.in_(FINISHED_EVENTS), WATCH.c.progress >= FINISHED_PROGRESS),
        ),
    )
    others = [sa.or_(WATCH.c.user_id.is_(None), WATCH.c.user_id != user_id)]
    own_account = conn.execute(sa.select(USERS.c.plex_account_id).where(USERS.c.id == user_id)).scalar()
    if own_account is not None:
        others.append(sa.or_(WATCH.c.plex_account_id.is_(None), WATCH.c.plex_account_id != own_account))
    return conn.execute(
        sa.select(sa.func.count(sa.distinct(PERSON))).where(
            WATCH.c.server_id == server_id, WATCH.c.media_item_id.in_(items), liked, *others
        )
    ).scalar_one()


def _family(server_id: int, row: Row[Any]) -> Any:
    """The ids a detail's plays count over: the item, and for a show or season its episodes."""
    parent = {"show": MEDIA.c.grandparent_rating_key, "season": MEDIA.c.parent_rating_key}.get(row.type)
    if parent is None:
        return [row.id]
    return sa.select(MEDIA.c.id).where(
        MEDIA.c.server_id == server_id, sa.or_(MEDIA.c.id == row.id, parent == row.rating_key)
    )


def _count(conn: Connection, stmt: sa.Select[Any]) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()


def _start(bound: date | None) -> datetime | None:
    if bound is None or isinstance(bound, datetime):
        return bound
    return datetime.combine(bound, time(), UTC)


def _end(bound: date | None) -> datetime | None:
    if bound is None or isinstance(bound, datetime):
        return bound
    return datetime.combine(bound + timedelta(days=1), time(), UTC)


# --------------------------------------------------------------------------- shaping rows


def _names(raw: Any) -> list[str]:
    """Genre names from JSON text (strings or {"tag": ...}); [] for NULL, broken JSON or anything else."""
    try:
        value = orjson.loads(raw) if isinstance(raw, (str, bytes)) else raw
    except orjson.JSONDecodeError:
        return []
    if not isinstance(value, list):
        return []
    names = (entry.get("tag") if isinstance(entry, dict) else entry for entry in value)
    return list(dict.fromkeys(name.strip() for name in names if isinstance(name, str) and name.strip()))


def _title_key(row: Row[Any]) -> str:
    """One key per movie or show, so episodes of one show count once."""
    if row.type == "episode" and row.grandparent_rating_key:
        return f"show:{row.grandparent_rating_key}"
    return f"item:{row.id}"


def _episode_label(row: Row[Any]) -> str:
    parts = [f"S{row.parent_index}" if row.parent_index else "", f"E{row.item_index}" if row.item_index else ""]
    return " · ".join(part for part in (*parts, row.title or "") if part)


def _card(row: Row[Any], progress: float = 0.0) -> Card:
    """A card for the item itself (an episode under its show's title and poster)."""
    if row.type == "episode":
        title = row.show_title or row.grandparent_title or row.title
        subtitle = _episode_label(row)
        genres = _names(row.genres) or _names(row.show_genres)
        year = row.year or row.show_year
    else:
        title = row.parent_title if row.type == "season" and row.parent_title else row.title
        subtitle = row.title if row.type == "season" else ""
        genres = _names(row.genres)
        year = row.year
    return Card(
        media_item_id=row.id,
        title=title or UNKNOWN_TITLE,
        subtitle=subtitle,
        year=year or None,
        type=row.type,
        genres=genres,
        thumb_url=_thumb_url(row),
        progress=round(min(max(progress or 0.0, 0.0), 1.0), 3),
    )


def _show_card(row: Row[Any], subtitle: str | None = None) -> Card:
    """A movie as itself; an episode as its show (when the show's row is known), labelled with the episode."""
    card = _card(row)
    if row.type != "episode" or row.show_id is None:
        return card if subtitle is None else dataclasses.replace(card, subtitle=subtitle)
    return Card(
        media_item_id=row.show_id,
        title=card.title,
        subtitle=card.subtitle if subtitle is None else subtitle,
        year=row.show_year or None,
        type="show",
        genres=_names(row.show_genres),
        thumb_url=card.thumb_url,
        progress=0.0,
    )


def _thumb_url(row: Row[Any]) -> str | None:
    """The show's poster for an episode when there is one (its own thumb is a video still), else the item's."""
    if row.type == "episode" and row.show_id is not None and row.show_thumb:
        return poster_url(row.show_id)
    return poster_url(row.id) if row.thumb else None


def _history_row(row: Row[Any]) -> HistoryRow:
    finished = bool(row.finished)
    progress = 1.0 if finished else row.progress
    if row.id is None:
        card = Card(0, UNKNOWN_TITLE, "", None, "", [], None, round(progress or 0.0, 3))
    else:
        card = _card(row, progress)
    return HistoryRow(card=card, watched_at=row.last_at.isoformat(), finished=finished)


def _summarise(rows: list[Row[Any]], now: datetime) -> Stats:
    """The year's plays folded in one pass over integers (epoch seconds), each genre list parsed once."""
    now_s = int(now.timestamp())
    first_day = now_s // DAY - 29
    hours = {7: 0.0, 30: 0.0, 365: 0.0}
    per_day = [0] * 30
    genres: Counter[str] = Counter()
    parsed: dict[tuple[Any, Any], list[str]] = {}
    by_weekday, by_hour = [0] * 7, [0] * 24
    by_type = {"movie": 0, "episode": 0}
    for started, progress, finished, kind, duration_ms, genre_text, show_genre_text in rows:
        watched_h = (duration_ms or 0) * (1.0 if finished else min(progress or 0.0, 1.0)) / 3_600_000
        for days in hours:
            if now_s - started <= days * DAY:
                hours[days] += watched_h
        day = started // DAY
        if day >= first_day:
            per_day[day - first_day] += 1
        by_weekday[(day + 3) % 7] += 1  # 1 January 1970 was a Thursday
        by_hour[started % DAY // 3600] += 1
        if kind in by_type:
            by_type[kind] += 1
        key = (genre_text, show_genre_text)
        if key not in parsed:
            parsed[key] = _names(genre_text) or _names(show_genre_text)
        genres.update(parsed[key])
    first = date(1970, 1, 1) + timedelta(days=first_day)
    return Stats(
        hours_week=round(hours[7], 1),
        hours_month=round(hours[30], 1),
        hours_year=round(hours[365], 1),
        plays=len(rows),
        favourite_genres=sorted(genres.items(), key=lambda kv: (-kv[1], kv[0]))[:5],
        plays_per_day=[((first + timedelta(days=n)).isoformat(), count) for n, count in enumerate(per_day)],
        by_weekday=by_weekday,
        by_hour=by_hour,
        by_type=by_type,
    )
