"""The shared vocabulary of watching: what a play is, when it is finished, who a person is, what is trending.

Defined here once; the dashboard, history, stats and recommendations all read these rules, and the privacy
floor (services/privacy.py) counts people as `PERSON` defines them.

- A *play-family* event is any watch event but a rating: play, pause, resume, stop, scrobble, viewed.
- A *play* is one person's play-family events of one item on one UTC day (`play_day`): the pause/resume noise of
  an evening is one play.
- An event *finishes* its item when it is a scrobble or viewed (Plex's own "watched"), or got to
  FINISHED_PROGRESS of the item.
- A *person* is the SmartPlex member an event is attributed to, else the member its Plex account is linked to
  (the lowest id, if several; the server's local owner account is its owner), else the account itself, negated
  so the two id spaces never meet. So plays made before an account was linked count for the same person as the
  member's own, whichever path wrote them.
- *Trending* on a server: the movies and shows (an episode counts for its show) that at least PRIVACY_FLOOR
  distinct people played in the TRENDING_WINDOW before now, ranked by those people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from smartplex.models import MEDIA, SERVERS, USERS, WATCH, WatchEventKind
from smartplex.services.privacy import PRIVACY_FLOOR

OWNER_ACCOUNT_ID = 1
"""The account a Plex server lists its own owner under (`/accounts`, webhooks, history); shared users carry their
plex.tv id instead."""

FINISHED_EVENTS: tuple[str, ...] = (WatchEventKind.SCROBBLE, WatchEventKind.VIEWED)
FINISHED_PROGRESS = 0.9
STARTED_PROGRESS = 0.02  # below this a play was only opened, not started
TRENDING_WINDOW = timedelta(days=7)

_LINKED_MEMBER = (
    sa.select(USERS.c.id)
    .where(USERS.c.plex_account_id == WATCH.c.plex_account_id)
    .order_by(USERS.c.id)
    .limit(1)
    .scalar_subquery()
)
_SERVER_OWNER = sa.select(SERVERS.c.owner_id).where(SERVERS.c.id == WATCH.c.server_id).scalar_subquery()
PERSON = sa.func.coalesce(
    WATCH.c.user_id,
    _LINKED_MEMBER,
    sa.case((WATCH.c.plex_account_id == OWNER_ACCOUNT_ID, _SERVER_OWNER)),
    -WATCH.c.plex_account_id,
)
"""SQL: the person behind a watch event (NULL when it has neither a member nor an account). It holds a
correlated subquery: select it in a derived table and group or count on the outer query (PostgreSQL does not
take such an expression inside GROUP BY or an aggregate reliably)."""


def linked_members(links: list[tuple[int, int]], owner_id: int | None) -> dict[int, int]:
    """Plex account id -> member, from (member id, account id) links; the local owner account is the owner."""
    linked: dict[int, int] = {}
    for member, account in sorted(links):
        linked.setdefault(account, member)
    if owner_id is not None:
        linked.setdefault(OWNER_ACCOUNT_ID, owner_id)
    return linked


def person(user_id: int | None, plex_account_id: int | None, linked: dict[int, int]) -> int | None:
    """`PERSON` for values already read; `linked` is `linked_members()` of the event's server."""
    if user_id is not None:
        return user_id
    if plex_account_id is None:
        return None
    return linked.get(plex_account_id, -plex_account_id)


def play_day(conn: Connection) -> Any:
    """SQL: the UTC calendar day of an event (SQLite stores UTC text; PostgreSQL a timestamptz)."""
    if conn.dialect.name == "sqlite":
        return sa.func.date(WATCH.c.viewed_at)
    return sa.func.date(sa.func.timezone("UTC", WATCH.c.viewed_at))


def is_play(event: str) -> bool:
    return event != WatchEventKind.RATE


def is_finished(event: str, progress: float) -> bool:
    return event in FINISHED_EVENTS or progress >= FINISHED_PROGRESS


PLAYED = WATCH.c.event != WatchEventKind.RATE
"""SQL: the event belongs to a play (not a rating)."""

FINISHED = sa.or_(WATCH.c.event.in_(FINISHED_EVENTS), WATCH.c.progress >= FINISHED_PROGRESS)
"""SQL: the event finishes its item."""


def title_rating_key() -> Any:
    """SQL: the rating key of the movie or show an item belongs to (episodes and seasons fold into their show)."""
    return sa.case(
        (MEDIA.c.type == "episode", sa.func.coalesce(MEDIA.c.grandparent_rating_key, MEDIA.c.rating_key)),
        (MEDIA.c.type == "season", sa.func.coalesce(MEDIA.c.parent_rating_key, MEDIA.c.rating_key)),
        else_=MEDIA.c.rating_key,
    )


@dataclass(frozen=True)
class TrendingTitle:
    rating_key: str  # of the movie or show
    people: int  # distinct people who played it in the window, always >= PRIVACY_FLOOR
    sample_item_id: int  # one of its items that was played (the show's row may not be synced)


def trending(
    conn: Connection,
    server_id: int,
    now: datetime,
    *,
    window: timedelta = TRENDING_WINDOW,
    min_people: int = PRIVACY_FLOOR,
    limit: int | None = None,
) -> list[TrendingTitle]:
    """The server's trending titles, most people first (ties by rating key); below the floor, nothing."""
    events = (
        sa.select(WATCH.c.media_item_id.label("item_id"), PERSON.label("person"))
        .where(
            WATCH.c.server_id == server_id,
            WATCH.c.viewed_at > now - window,
            WATCH.c.viewed_at <= now,
            PLAYED,
            WATCH.c.media_item_id.is_not(None),
        )
        .subquery()
    )
    # Distinct (item, person) first: a sitting's many events collapse before any item row is read.
    pairs = (
        sa.select(events.c.item_id, events.c.person)
        .where(events.c.person.is_not(None))
        .group_by(events.c.item_id, events.c.person)
        .subquery()
    )
    titled = (
        sa.select(title_rating_key().label("key"), pairs.c.person, MEDIA.c.id.label("item_id"))
        .select_from(pairs.join(MEDIA, MEDIA.c.id == pairs.c.item_id))
        .where(MEDIA.c.server_id == server_id, MEDIA.c.removed_at.is_(None))
        .subquery()
    )
    people = sa.func.count(sa.distinct(titled.c.person))
    ranked = (
        sa.select(titled.c.key, people.label("people"), sa.func.max(titled.c.item_id).label("sample_id"))
        .group_by(titled.c.key)
        .having(people >= max(min_people, PRIVACY_FLOOR))
        .order_by(people.desc(), titled.c.key)
        .limit(limit)
    )
    return [TrendingTitle(r.key, r.people, r.sample_id) for r in conn.execute(ranked)]


def server_links(conn: Connection, server_id: int) -> dict[int, int]:
    """`linked_members()` of a server, read from the database."""
    owner = conn.execute(sa.select(SERVERS.c.owner_id).where(SERVERS.c.id == server_id)).scalar()
    links = conn.execute(sa.select(USERS.c.id, USERS.c.plex_account_id).where(USERS.c.plex_account_id.is_not(None)))
    return linked_members([(member, account) for member, account in links], owner)
