"""One title as the detail drawer shows it: its facts and people, the member's own plays, a show's seasons and
episodes with the member's watched marks, and how many others liked it.

Privacy: `liked_by_count` counts distinct people (services.watching.PERSON) and is None below PRIVACY_FLOOR;
names never leave this module. Scope: the item must be on the member's server; plays are the member's own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from smartplex.db import reading
from smartplex.models import MEDIA, USERS, WATCH, WatchEventKind, utcnow
from smartplex.services import clock, watching, wording
from smartplex.services.plex import household
from smartplex.services.plex.household import Servers, as_ids, where_names
from smartplex.services.dashboard.cards import (
    SHOW,
    card,
    episode_label,
    item_columns,
    minutes,
    share,
    with_show,
)
from smartplex.services.dashboard.history import count_rows, plays
from smartplex.services.privacy import PRIVACY_FLOOR
from smartplex.services.untidy import tag_names

LIKED_RATING = 7.0
MAX_CAST = 12
MAX_DIRECTORS = 4
MAX_EPISODES = 2_000  # a drawer lists a show's episodes; past this many it lists the first ones


@dataclass(frozen=True)
class Episode:
    media_item_id: int
    rating_key: str
    label: str  # "E5" (or "" when Plex has no number)
    title: str
    duration_min: int | None
    watched: bool  # the member finished it
    progress: float  # 0..1, how far the member got when not finished


@dataclass(frozen=True)
class Season:
    number: int  # 0 = specials
    title: str
    episodes: list[Episode]

    @property
    def watched(self) -> int:
        return sum(1 for e in self.episodes if e.watched)


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
    art_id: int | None = None  # the item whose backdrop shows (an episode's show)
    rating_key: str | None = None  # what "Play in Plex" opens
    content_rating: str = ""
    directors: list[str] = field(default_factory=list)
    cast: list[str] = field(default_factory=list)
    last_played_at: datetime | None = None
    progress: float = 0.0  # how far the member's latest play got (0 when it finished or never played)
    finished: bool = False  # the member finished it (a show: every episode)
    seasons: list[Season] = field(default_factory=list)  # the show's, for a show, season or episode
    show_id: int | None = None  # the show an episode belongs to
    server_id: int = 0
    where: tuple[str, ...] = ()  # the servers shown that have its title, when it is on more than one


def item_detail(user_id: int, servers: Servers, media_item_id: int, *, conn: Connection | None = None) -> Detail | None:
    """One item as the member sees it; None when it is not on these servers."""
    with reading(conn) as c:
        row = c.execute(
            sa.select(
                *item_columns(),
                MEDIA.c.parent_rating_key,
                MEDIA.c.summary,
                MEDIA.c.rating,
                MEDIA.c.audience_rating,
                MEDIA.c.content_rating,
                sa.cast(MEDIA.c.directors, sa.Text).label("directors"),
                sa.cast(MEDIA.c.actors, sa.Text).label("actors"),
                sa.cast(SHOW.c.actors, sa.Text).label("show_actors"),
                SHOW.c.content_rating.label("show_content_rating"),
                SHOW.c.summary.label("show_summary"),
            )
            .select_from(with_show(MEDIA))
            .where(MEDIA.c.id == media_item_id)  # the server checked on the row: see cards.items_by_id
        ).first()
        if row is None or row.server_id not in as_ids(servers):
            return None
        server_id = row.server_id
        items = _family(server_id, row)
        played = plays(c, user_id, server_id, None, None, items).subquery()
        your_plays = count_rows(c, sa.select(played))
        last = c.execute(
            sa.select(played.c.last_at, played.c.progress, played.c.finished).order_by(played.c.last_at.desc()).limit(1)
        ).first()
        liked_by = _liked_by(c, user_id, server_id, items)
        show_key = _show_key(row)
        seasons = _seasons(c, user_id, server_id, show_key) if show_key else []
        shown = card(row)
        where = _where(c, shown.identity, as_ids(servers)) if len(as_ids(servers)) > 1 else ()
    cast = tag_names(row.actors) or (tag_names(row.show_actors) if row.type == "episode" else ())
    summary = row.summary or (row.show_summary if row.type == "season" else "") or ""
    if row.type in ("show", "season"):
        episodes = [e for s in seasons for e in s.episodes]
        finished = bool(episodes) and all(e.watched for e in episodes)
        progress = 0.0
    else:
        finished = bool(last is not None and last.finished)
        progress = 0.0 if last is None or finished else share(last.progress)
    return Detail(
        media_item_id=shown.media_item_id,
        title=shown.title,
        subtitle=shown.subtitle,
        year=shown.year,
        type=row.type,
        genres=shown.genres,
        summary=summary,
        rating=row.rating or None,
        audience_rating=row.audience_rating or None,
        duration_min=shown.duration_min,
        thumb_url=shown.thumb_url,
        your_plays=your_plays,
        liked_by_count=liked_by if liked_by >= PRIVACY_FLOOR else None,
        art_id=shown.art_id,
        rating_key=row.rating_key,
        content_rating=row.content_rating or row.show_content_rating or "",
        directors=list(tag_names(row.directors))[:MAX_DIRECTORS],
        cast=list(cast)[:MAX_CAST],
        last_played_at=last.last_at if last is not None else None,
        progress=progress,
        finished=finished,
        seasons=seasons,
        show_id=row.show_id if row.type == "episode" else None,
        server_id=server_id,
        where=where,
    )


def your_plays_sentence(detail: Detail, tz: tzinfo, now: datetime | None = None) -> str:
    """The member's own history of a title in words: "You watched it twice, last in March.", "You're 40% into
    it.", "You watched 3 of 10 episodes, last yesterday.", "You haven't watched it yet."."""
    now = now or utcnow()
    when = "" if detail.last_played_at is None else f", last {clock.when_phrase(detail.last_played_at, tz, now)}"
    if detail.type in ("show", "season"):
        episodes = [e for s in detail.seasons for e in s.episodes]
        watched = sum(1 for e in episodes if e.watched)
        if watched:
            return f"You watched {watched} of {wording.plural(len(episodes), 'episode')}{when}."
    if detail.your_plays == 0:
        return "You haven't watched it yet."
    if detail.progress and not detail.finished and detail.your_plays == 1:
        return f"You're {round(detail.progress * 100)}% into it{when}."
    return f"You played it {wording.times(detail.your_plays)}{when}."


def _show_key(row: Row[Any]) -> str | None:
    """The rating key of the show whose seasons the drawer lists (None for a movie)."""
    return {"show": row.rating_key, "season": row.parent_rating_key, "episode": row.grandparent_rating_key}.get(row.type)


def _where(conn: Connection, identity: str, server_ids: tuple[int, ...]) -> tuple[str, ...]:
    """The names of the servers (of `server_ids`) with the same movie or show, when there are several."""
    holding = conn.execute(
        sa.select(MEDIA.c.server_id).where(
            MEDIA.c.guid == identity, MEDIA.c.type.in_(("movie", "show")), MEDIA.c.removed_at.is_(None),
            MEDIA.c.server_id.in_(server_ids),
        ).distinct()
    ).scalars().all()  # fmt: skip
    return where_names(set(holding), household.names(server_ids)) if len(holding) > 1 else ()


def _seasons(conn: Connection, user_id: int, server_id: int, show_key: str) -> list[Season]:
    """The show's seasons in order, each with its episodes and the member's marks."""
    season_titles = dict(
        conn.execute(
            sa.select(MEDIA.c.item_index, MEDIA.c.title).where(
                MEDIA.c.server_id == server_id,
                MEDIA.c.type == "season",
                MEDIA.c.parent_rating_key == show_key,
                MEDIA.c.removed_at.is_(None),
            )
        ).all()
    )
    episodes = conn.execute(
        sa.select(
            MEDIA.c.id, MEDIA.c.rating_key, MEDIA.c.title, MEDIA.c.parent_index, MEDIA.c.item_index, MEDIA.c.duration_ms
        )
        .where(
            MEDIA.c.server_id == server_id,
            MEDIA.c.type == "episode",
            MEDIA.c.grandparent_rating_key == show_key,
            MEDIA.c.removed_at.is_(None),
        )
        .order_by(MEDIA.c.parent_index, MEDIA.c.item_index, MEDIA.c.id)
        .limit(MAX_EPISODES)
    ).all()
    marks = _marks(conn, user_id, server_id, [e.id for e in episodes])
    by_season: dict[int, list[Episode]] = defaultdict(list)
    for e in episodes:
        finished, progress = marks.get(e.id, (False, 0.0))
        by_season[e.parent_index or 0].append(
            Episode(
                media_item_id=e.id,
                rating_key=e.rating_key,
                label=episode_label(None, e.item_index),
                title=e.title or "",
                duration_min=minutes(e.duration_ms),
                watched=finished,
                progress=0.0 if finished else share(progress),
            )
        )
    ordered = sorted(by_season, key=lambda n: (n == 0, n))  # specials last, as Plex lists them
    return [Season(n, season_titles.get(n) or ("Specials" if n == 0 else f"Season {n}"), by_season[n]) for n in ordered]


def _marks(conn: Connection, user_id: int, server_id: int, episode_ids: list[int]) -> dict[int, tuple[bool, float]]:
    """Episode id -> (the member finished it, the furthest progress), for those the member played."""
    if not episode_ids:
        return {}
    rows = conn.execute(
        sa.select(
            WATCH.c.media_item_id,
            sa.func.max(sa.case((watching.FINISHED, 1), else_=0)),
            sa.func.max(WATCH.c.progress),
        )
        .where(
            WATCH.c.user_id == user_id,
            WATCH.c.server_id == server_id,
            watching.PLAYED,
            WATCH.c.media_item_id.in_(episode_ids),
        )
        .group_by(WATCH.c.media_item_id)
    )
    return {item: (bool(finished), float(progress or 0.0)) for item, finished, progress in rows}


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
