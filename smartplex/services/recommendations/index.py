"""What a server's members share, built once per (database, server) and kept in-process: the catalogue folded
to titles (a movie or a show; episodes and seasons count for their show) and who played what.

New watch events are folded in by id; a library or user-link change rebuilds. A request then costs only the
member's own scoring. Reading a million events is the cold cost: they are reduced in SQL to what the fold needs
(a million rows cost more to become Python objects than to read) and streamed.

Nobody waits for a rebuild: it runs in a background thread, right after a sync that changed the library
(`refresh_soon`) or when a request notices the change, and requests keep the previous figures until the new
ones replace them. Only the very first build of a server (nothing to serve yet) is waited for. While a rebuild
runs, the old and the new figures are both in memory.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult, Engine

from smartplex.db import epoch_seconds, get_engine
from smartplex.log import get_logger
from smartplex.models import MEDIA, SERVERS, SYNC_RUNS, USERS, WATCH
from smartplex.services import watching
from smartplex.services.privacy import PRIVACY_FLOOR
from smartplex.services.untidy import number, tag_names

log = get_logger(__name__)

FETCH_ROWS = 20_000  # events per fetch while building (PostgreSQL streams them through a server-side cursor)

Person = int
"""services.watching.person: a SmartPlex user id, or minus a Plex account id no member is linked to."""


@dataclass(frozen=True, slots=True)
class Title:
    id: int
    rating_key: str
    title: str
    type: str
    year: int  # 0 = unknown
    genres: tuple[str, ...]
    genre_set: frozenset[str]
    directors: frozenset[str]
    actors: frozenset[str]
    thumb: str | None
    rating: float  # audience rating, else critic rating; 0 = unknown
    added: int  # epoch seconds; 0 = unknown
    removed: bool


@dataclass
class Library:
    titles: dict[int, Title] = field(default_factory=dict)
    by_item: dict[int, int] = field(default_factory=dict)  # any media_item id -> its title's id
    by_key: dict[str, int] = field(default_factory=dict)  # any rating key -> its title's id


@dataclass(slots=True)
class Seen:
    """One person's plays of one title."""

    last: int  # epoch of the latest event
    progress: float  # the furthest any play got; 1.0 once a scrobble/viewed event says finished
    rating: float  # the person's own rating, 0-10; 0 = none
    plays: int = 1

    @property
    def finished(self) -> bool:
        return self.progress >= watching.FINISHED_PROGRESS


@dataclass
class Shared:
    """Everything derived from a server's library and watch events that every member's request reuses."""

    marker: tuple[Any, ...]  # the library and user-link state it was built from; a change rebuilds
    library: Library
    linked: dict[int, int]  # Plex account id -> member (watching.linked_members)
    last_event_id: int = 0
    seen: dict[Person, dict[int, Seen]] = field(default_factory=dict)  # person -> title id -> plays
    viewers: dict[int, dict[Person, Seen]] = field(default_factory=dict)  # the same records by title
    popularity: dict[int, int] = field(default_factory=dict)  # title id -> distinct people, only >= PRIVACY_FLOOR


CacheKey = tuple[str, int]  # (database URL, server id)

_CACHE: dict[CacheKey, Shared] = {}
_BUILDS: dict[CacheKey, threading.Thread] = {}  # rebuilds under way
_generation = 0  # bumped by clear_cache: a rebuild started before it is thrown away
LOCK = threading.Lock()  # no request reads while events fold in
_SWAP = threading.Lock()  # guards the two dicts above (held for dict operations only, never during a build)


def clear_cache() -> None:
    """Forget every server's shared figures (the next request rebuilds them), after any rebuild under way."""
    global _generation
    wait_for_rebuilds()
    with LOCK, _SWAP:
        _generation += 1
        _CACHE.clear()


def wait_for_rebuilds(timeout: float | None = None) -> None:
    """Return once every background rebuild started so far has finished (tests, benchmarks, shutdown)."""
    with _SWAP:
        running = list(_BUILDS.values())
    for thread in running:
        thread.join(timeout)


def refresh_soon(server_id: int) -> None:
    """The library changed (a sync said so): rebuild the server's figures now, in the background."""
    _start_rebuild(get_engine(), server_id)


def _marker(conn: Connection, server_id: int) -> tuple[Any, ...]:
    """Cheap evidence of a library or user-link change: the item count and max id (an index scan), the
    latest sync run that changed or removed items, the server's owner and the users' Plex account links."""
    items = conn.execute(
        sa.select(sa.func.count(), sa.func.max(MEDIA.c.id)).where(MEDIA.c.server_id == server_id)
    ).one()
    changed_run = conn.execute(
        sa.select(sa.func.max(SYNC_RUNS.c.id)).where(
            SYNC_RUNS.c.server_id == server_id, (SYNC_RUNS.c.items_changed > 0) | (SYNC_RUNS.c.items_removed > 0)
        )
    ).scalar()
    owner = conn.execute(sa.select(SERVERS.c.owner_id).where(SERVERS.c.id == server_id)).scalar()
    links = conn.execute(
        sa.select(USERS.c.id, USERS.c.plex_account_id).where(USERS.c.plex_account_id.is_not(None)).order_by(USERS.c.id)
    ).all()
    return tuple(items), changed_run, owner, tuple(map(tuple, links))


def _load_library(conn: Connection, server_id: int) -> Library:
    library = Library()
    text = sa.types.Text()  # JSON columns read as stored; `tag_names` copes with anything
    titles = conn.execute(
        sa.select(
            MEDIA.c.id, MEDIA.c.rating_key, MEDIA.c.type, MEDIA.c.title, MEDIA.c.year,
            sa.type_coerce(MEDIA.c.genres, text), sa.type_coerce(MEDIA.c.directors, text),
            sa.type_coerce(MEDIA.c.actors, text), MEDIA.c.thumb, MEDIA.c.rating, MEDIA.c.audience_rating,
            epoch_seconds(conn.dialect.name, MEDIA.c.added_at), MEDIA.c.removed_at.is_not(None),
        ).where(MEDIA.c.server_id == server_id, MEDIA.c.type.in_(("movie", "show"))).order_by(MEDIA.c.id)
    )  # fmt: skip
    for item_id, key, kind, title, year, genres, directors, actors, thumb, rating, audience, added, gone in titles:
        year, names = int(number(year)), tag_names(genres)
        library.titles[item_id] = Title(
            id=item_id,
            rating_key=key,
            title=title or "",
            type=kind,
            year=year if year > 0 else 0,
            genres=names,
            genre_set=frozenset(names),
            directors=frozenset(tag_names(directors)),
            actors=frozenset(tag_names(actors)),
            thumb=thumb or None,
            rating=max(number(audience), 0.0) or max(number(rating), 0.0),
            added=max(int(number(added)), 0),
            removed=bool(gone),
        )
        library.by_item[item_id] = item_id
        library.by_key[key] = item_id
    children = conn.execute(
        sa.select(MEDIA.c.id, MEDIA.c.rating_key, MEDIA.c.parent_rating_key, MEDIA.c.grandparent_rating_key)
        .where(MEDIA.c.server_id == server_id, MEDIA.c.type.in_(("season", "episode")))
        .order_by(MEDIA.c.type, MEDIA.c.id)  # seasons first: an episode may find its show through its season
    )
    for item_id, key, parent, grandparent in children:
        show = library.by_key.get(grandparent or "") or library.by_key.get(parent or "")
        if show is not None:
            library.by_item[item_id] = show
            library.by_key[key] = show
    return library


def _event_rows(conn: Connection, server_id: int, after: int, upto: int) -> CursorResult[Any]:
    """The server's events with after < id <= upto, reduced in SQL to what the fold needs: user id, Plex
    account id, item id, rating key only when the item id is NULL, epoch, progress (1.0 when the event finishes
    the item), rating."""
    w = WATCH.c
    return conn.execution_options(yield_per=FETCH_ROWS).execute(
        sa.select(
            w.user_id,
            w.plex_account_id,
            w.media_item_id,
            sa.case((w.media_item_id.is_(None), w.rating_key)),
            epoch_seconds(conn.dialect.name, w.viewed_at),
            sa.case((watching.FINISHED, 1.0), else_=sa.func.coalesce(sa.cast(w.progress, sa.Float), 0.0)),
            sa.case((w.user_rating > 0, sa.cast(w.user_rating, sa.Float))),
        )
        # `+ 0` keeps SQLite on the id range instead of the (server_id, viewed_at) index and a sort.
        .where(w.id > after, w.id <= upto, w.server_id + 0 == server_id)
        .order_by(w.id)
    )


def _fold_events(conn: Connection, shared: Shared, server_id: int, upto: int) -> None:
    """Add the server's watch events up to id `upto` that are newer than the ones already folded."""
    by_item, by_key = shared.library.by_item, shared.library.by_key
    linked, seen, viewers, person_of = shared.linked, shared.seen, shared.viewers, watching.person
    for user, account, item, key, when, progress, rating in _event_rows(conn, server_id, shared.last_event_id, upto):
        person = person_of(user, account, linked)
        if not person:
            continue  # neither a user nor a Plex account
        title = by_item.get(item) if key is None else by_key.get(key)
        if title is None:
            continue  # an item this server's library does not know (yet)
        mine = seen.get(person)
        if mine is None:
            mine = seen[person] = {}
        record = mine.get(title)
        if record is None:
            record = mine[title] = Seen(when or 0, progress, rating or 0.0)
            viewers.setdefault(title, {})[person] = record
        else:
            record.plays += 1
            if when and when > record.last:
                record.last = when
            if progress > record.progress:
                record.progress = progress
            if rating:
                record.rating = rating
    shared.last_event_id = upto
    shared.popularity = {title: len(people) for title, people in viewers.items() if len(people) >= PRIVACY_FLOOR}


def shared_figures(server_id: int) -> Shared:
    """The server's shared figures, topped up with new events. After a library or user-link change they are
    the previous figures while a background rebuild makes the new ones. The caller holds LOCK."""
    engine = get_engine()
    key: CacheKey = (str(engine.url), server_id)
    with _SWAP:
        shared, running = _CACHE.get(key), _BUILDS.get(key)
    if shared is None and running is not None:
        running.join()  # the first build is already under way: wait for it rather than build twice
        with _SWAP:
            shared = _CACHE.get(key)
    with engine.connect() as conn:
        marker = _marker(conn, server_id)
        newest = conn.execute(sa.select(sa.func.max(WATCH.c.id))).scalar() or 0
        if shared is None:  # nothing to serve meanwhile: build it now
            shared = _build(conn, server_id, marker, newest)
            with _SWAP:
                _CACHE[key] = shared
        elif shared.marker != marker or newest < shared.last_event_id:
            _start_rebuild(engine, server_id)
        if newest > shared.last_event_id:
            _fold_events(conn, shared, server_id, newest)
    return shared


def _build(conn: Connection, server_id: int, marker: tuple[Any, ...], upto: int) -> Shared:
    _items, _run, owner, links = marker
    shared = Shared(marker, _load_library(conn, server_id), watching.linked_members(list(links), owner))
    _fold_events(conn, shared, server_id, upto)
    return shared


def _start_rebuild(engine: Engine, server_id: int) -> None:
    """Rebuild the server's figures in a background thread, unless one is already under way."""
    key: CacheKey = (str(engine.url), server_id)
    with _SWAP:
        running = _BUILDS.get(key)
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(
            target=_rebuild, args=(engine, server_id, _generation), name=f"recommendations-{server_id}", daemon=True
        )
        _BUILDS[key] = thread
        thread.start()


def _rebuild(engine: Engine, server_id: int, generation: int) -> None:
    key: CacheKey = (str(engine.url), server_id)
    fresh = None
    try:
        with engine.connect() as conn:
            marker = _marker(conn, server_id)
            newest = conn.execute(sa.select(sa.func.max(WATCH.c.id))).scalar() or 0
            fresh = _build(conn, server_id, marker, newest)
    except Exception as exc:  # a background thread has nobody to raise to: the previous figures stay in use
        log.warning("recommendations.rebuild_failed", server_id=server_id, error=type(exc).__name__)
    finally:
        with _SWAP:
            if fresh is not None and generation == _generation:
                _CACHE[key] = fresh
            if _BUILDS.get(key) is threading.current_thread():
                del _BUILDS[key]
    if fresh is not None:
        log.info("recommendations.rebuilt", server_id=server_id, titles=len(fresh.library.titles))


def trending(shared: Shared, server_id: int, now: datetime) -> dict[int, int]:
    """Title id -> distinct people, for the server's trending titles (services.watching.trending)."""
    with get_engine().connect() as conn:
        ranked = watching.trending(conn, server_id, now)
    titles = shared.library.by_key
    return {titles[t.rating_key]: t.people for t in ranked if t.rating_key in titles}
