"""The daily digest: what arrived on the server in the genres a member watches most, at most once a day.

Members who kept "New in your genres" on get one notification a day, from DIGEST_HOUR in their own time zone,
when anything new fits: the movies and shows added since their last digest (at most a week back; a show counts
when new episodes of it arrived), in their top genres (from their plays this year), that they have not played.
The dedupe key is the member's local date, so a second worker, a rerun or a restart adds nothing that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from smartplex import routes
from smartplex.db import reading, write_transaction
from smartplex.models import MEDIA, NOTIFICATIONS, PREFERENCES, USERS, WATCH, utcnow
from smartplex.services import clock, dashboard
from smartplex.services.notifications.centre import ItemRef, add
from smartplex.services.notifications.kinds import NEW_IN_GENRES
from smartplex.services.untidy import tag_names

DIGEST_HOUR = 9
DAY = timedelta(hours=24)
LONGEST = timedelta(days=7)
TOP_GENRES = 3
MIN_PLAYS = 2  # a genre is one the member watches when this many of their plays this year were in it
LISTED = 8


@dataclass(frozen=True)
class Digest:
    genres: list[str]
    titles: list[ItemRef]


def top_genres(user_id: int, server_id: int) -> list[str]:
    found = dashboard.stats(user_id, server_id).favourite_genres
    return [genre for genre, plays in found if plays >= MIN_PLAYS][:TOP_GENRES]


def compose(user_id: int, server_id: int, since: datetime, until: datetime) -> Digest:
    """The member's digest for titles that arrived in (since, until]: empty titles when nothing fits."""
    genres = top_genres(user_id, server_id)
    if not genres:
        return Digest([], [])
    show = MEDIA.alias("show")
    arrived = sa.and_(MEDIA.c.server_id == server_id, MEDIA.c.added_at > since, MEDIA.c.added_at <= until,
                      MEDIA.c.removed_at.is_(None))  # fmt: skip
    with reading() as conn:
        titles = conn.execute(
            sa.select(MEDIA.c.id, MEDIA.c.title, MEDIA.c.year, MEDIA.c.genres, MEDIA.c.added_at)
            .where(arrived, MEDIA.c.type.in_(("movie", "show")))
        ).all()
        new_episodes = dict(
            conn.execute(
                sa.select(show.c.id, sa.func.max(MEDIA.c.added_at))
                .join(show, sa.and_(show.c.server_id == MEDIA.c.server_id, show.c.rating_key == MEDIA.c.grandparent_rating_key,
                                    show.c.type == "show"))
                .where(arrived, MEDIA.c.type == "episode")
                .group_by(show.c.id)
            ).all()
        )  # fmt: skip
        shows = [
            (*row, new_episodes[row[0]])
            for row in conn.execute(
                sa.select(MEDIA.c.id, MEDIA.c.title, MEDIA.c.year, MEDIA.c.genres).where(MEDIA.c.id.in_(new_episodes))
            ).all()
        ]
        played = _played(conn, user_id, server_id, {row[0] for row in (*titles, *shows)})
    newest: dict[int, tuple[datetime, ItemRef]] = {}
    for item_id, title, year, item_genres, added_at in (*titles, *shows):
        if item_id in played or not set(tag_names(item_genres)) & set(genres):
            continue
        if item_id not in newest or added_at > newest[item_id][0]:
            newest[item_id] = (added_at, ItemRef(item_id, title, year or 0))
    ordered = [ref for _at, ref in sorted(newest.values(), key=lambda pair: (pair[0], pair[1].id), reverse=True)]
    matched = {g for item_id, *_rest, item_genres, _added in (*titles, *shows) if item_id in newest for g in tag_names(item_genres)}
    return Digest([g for g in genres if g in matched], ordered)


def _played(conn: sa.Connection, user_id: int, server_id: int, item_ids: set[int]) -> set[int]:
    """The titles among `item_ids` the member played (a show when they played any episode of it)."""
    if not item_ids:
        return set()
    show = MEDIA.alias("show")
    direct = sa.select(WATCH.c.media_item_id).where(
        WATCH.c.user_id == user_id, WATCH.c.server_id == server_id, WATCH.c.media_item_id.in_(item_ids)
    )
    via_episode = (
        sa.select(show.c.id)
        .select_from(WATCH.join(MEDIA, MEDIA.c.id == WATCH.c.media_item_id))
        .join(show, sa.and_(show.c.server_id == MEDIA.c.server_id, show.c.rating_key == MEDIA.c.grandparent_rating_key))
        .where(WATCH.c.user_id == user_id, WATCH.c.server_id == server_id, show.c.id.in_(item_ids))
    )
    return set(conn.execute(direct).scalars()) | set(conn.execute(via_episode).scalars())


def _and(names: Iterable[str]) -> str:
    words = list(names)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def wording(digest: Digest) -> tuple[str, str, str]:
    """Title, body and link of a digest."""
    shown = [f"{t.title} ({t.year})" if t.year else t.title for t in digest.titles[:3]]
    more = len(digest.titles) - len(shown)
    listed = _and([*shown, *([f"{more} more"] if more else [])])
    link = f"{routes.HOME}?title={digest.titles[0].id}" if len(digest.titles) == 1 else routes.NOTIFICATIONS
    return f"New in {_and(digest.genres)}", f"{listed} arrived on the server.", link


def send_due(server_id: int, now: datetime | None = None) -> int:
    """Write today's digest for every member who is due one; how many were written."""
    now = now or utcnow()
    N, P = NOTIFICATIONS, PREFERENCES
    switched_off = sa.select(P.c.user_id).where(P.c.kind == NEW_IN_GENRES, P.c.enabled.is_(False))
    with reading() as conn:
        people = conn.execute(
            sa.select(USERS.c.id, USERS.c.time_zone).where(USERS.c.is_active.is_(True), USERS.c.id.not_in(switched_off))
        ).all()
        last = dict(
            conn.execute(
                sa.select(N.c.user_id, sa.func.max(N.c.created_at)).where(N.c.kind == NEW_IN_GENRES).group_by(N.c.user_id)
            ).all()
        )
    written = 0
    for user_id, zone_name in people:
        local = clock.local(now, clock.zone(zone_name))
        previous = last.get(user_id)
        if local.hour < DIGEST_HOUR or (previous is not None and clock.local(previous, clock.zone(zone_name)).date() == local.date()):
            continue
        since = max(previous or now - DAY, now - LONGEST)
        found = compose(user_id, server_id, since, now)
        if not found.titles:
            continue
        title, body, link = wording(found)
        with write_transaction() as conn:
            written += add(conn, user_id, NEW_IN_GENRES, title, body, link, dedupe_key=f"digest:{local.date().isoformat()}",
                           items=found.titles, at=now) is not None  # fmt: skip
    return written
