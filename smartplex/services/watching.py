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
- *Trending* on a server (or several shown merged): the movies and shows (an episode counts for its show; the
  same title on two servers is one, `title_identity`) that at least PRIVACY_FLOOR distinct people played in the
  TRENDING_WINDOW before now, ranked by those people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from smartplex.models import MEDIA, SERVERS, USERS, WATCH, WatchEventKind
from smartplex.services.plex.household import Servers, as_ids, on_servers
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


def title_identity(server_id: int, rating_key: str, guid: str | None) -> str:
    """What makes a movie or show on two servers the same title: the guid Plex's agent gave it (`plex://movie/…`,
    or an older agent's `com.plexapp.agents.imdb://…?lang=en`). Local media (`local://`) and titles without a guid
    are only themselves. `_identity_sql` is the same rule in SQL."""
    if guid and not guid.startswith("local://"):
        return guid
    return f"{server_id}/{rating_key}"


_TITLE = MEDIA.alias("title")  # the movie or show row an item belongs to


def _identity_sql(server_id: Any, rating_key: Any, guid: Any) -> Any:
    own = sa.cast(server_id, sa.Text) + "/" + rating_key
    return sa.case((sa.and_(guid.is_not(None), guid != "", ~guid.startswith("local://")), guid), else_=own)


@dataclass(frozen=True)
class TrendingTitle:
    server_id: int  # the server of its sample item
    rating_key: str  # of the movie or show, on that server
    people: int  # distinct people who played it in the window, on any of the servers, always >= PRIVACY_FLOOR
    sample_item_id: int  # one of its items that was played (the show's row may not be synced)
    servers: tuple[int, ...] = ()  # every server it was played on, when several are shown


def trending(
    conn: Connection,
    servers: Servers,
    now: datetime,
    *,
    window: timedelta = TRENDING_WINDOW,
    min_people: int = PRIVACY_FLOOR,
    limit: int | None = None,
) -> list[TrendingTitle]:
    """The trending titles of one server or several merged (a title on two servers is one title, its people
    counted once), most people first (ties by rating key, or identity when merged); below the floor, nothing."""
    ids = as_ids(servers)
    merged = len(ids) > 1
    events = (
        sa.select(WATCH.c.media_item_id.label("item_id"), PERSON.label("person"))
        .where(
            on_servers(WATCH.c.server_id, ids),
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
    key = title_rating_key()
    source = pairs.join(MEDIA, MEDIA.c.id == pairs.c.item_id)
    if merged:  # the title row's guid says which titles are the same across servers
        source = _with_title(source)
    titled = (
        sa.select(
            (_identity_sql(MEDIA.c.server_id, key, _TITLE.c.guid) if merged else key).label("identity"),
            pairs.c.person,
            MEDIA.c.id.label("item_id"),
            MEDIA.c.server_id,
        )
        .select_from(source)
        .where(on_servers(MEDIA.c.server_id, ids), MEDIA.c.removed_at.is_(None))
        .subquery()
    )
    people = sa.func.count(sa.distinct(titled.c.person))
    ranked = conn.execute(
        sa.select(titled.c.identity, people.label("people"), sa.func.max(titled.c.item_id).label("sample_id"))
        .group_by(titled.c.identity)
        .having(people >= max(min_people, PRIVACY_FLOOR))
        .order_by(people.desc(), titled.c.identity)
        .limit(limit)
    ).all()
    if not merged:
        return [TrendingTitle(ids[0], r.identity, r.people, r.sample_id) for r in ranked]
    samples = {
        r.id: (r.server_id, r.key)
        for r in conn.execute(
            sa.select(MEDIA.c.id, MEDIA.c.server_id, key.label("key")).where(MEDIA.c.id.in_([r.sample_id for r in ranked]))
        )
    }
    on: dict[str, set[int]] = {}
    for identity, server_id in conn.execute(
        sa.select(titled.c.identity, titled.c.server_id).where(titled.c.identity.in_([r.identity for r in ranked])).distinct()
    ):
        on.setdefault(identity, set()).add(server_id)
    return [
        TrendingTitle(*samples[r.sample_id], r.people, r.sample_id, tuple(s for s in ids if s in on.get(r.identity, ())))
        for r in ranked
    ]


def title_identities(conn: Connection, item_ids: Collection[int]) -> dict[int, str]:
    """`title_identity` of the movie or show of each item (an episode or season stands for its show), by item id."""
    if not item_ids:
        return {}
    rows = conn.execute(
        sa.select(MEDIA.c.id, _identity_sql(MEDIA.c.server_id, title_rating_key(), _TITLE.c.guid))
        .select_from(_with_title(MEDIA))
        .where(MEDIA.c.id.in_(list(item_ids)))
    )
    return {item_id: identity for item_id, identity in rows}


def played_identities(conn: Connection, user_id: int, servers: Servers) -> set[str]:
    """`title_identity` of every title the member played on the servers (a rating is not a play)."""
    items = (
        sa.select(WATCH.c.media_item_id)
        .where(WATCH.c.user_id == user_id, on_servers(WATCH.c.server_id, servers), PLAYED)
        .where(WATCH.c.media_item_id.is_not(None))
        .distinct()
        .subquery()
    )
    identity = _identity_sql(MEDIA.c.server_id, title_rating_key(), _TITLE.c.guid)
    source = _with_title(items.join(MEDIA, MEDIA.c.id == items.c.media_item_id))
    return set(conn.execute(sa.select(identity).select_from(source).distinct()).scalars())


def _with_title(source: Any) -> Any:
    """`source` (which holds MEDIA) joined to the movie or show row of each item, when it is synced."""
    return source.outerjoin(
        _TITLE, sa.and_(_TITLE.c.server_id == MEDIA.c.server_id, _TITLE.c.rating_key == title_rating_key())
    )


def server_links(conn: Connection, server_id: int) -> dict[int, int]:
    """`linked_members()` of a server, read from the database."""
    owner = conn.execute(sa.select(SERVERS.c.owner_id).where(SERVERS.c.id == server_id)).scalar()
    links = conn.execute(sa.select(USERS.c.id, USERS.c.plex_account_id).where(USERS.c.plex_account_id.is_not(None)))
    return linked_members([(member, account) for member, account in links], owner)
