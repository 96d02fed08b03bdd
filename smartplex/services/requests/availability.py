"""Requests that our own library fulfils: when a sync or a Plex `library.new` webhook writes a requested title, the
request becomes available at once, whatever Seerr knows yet (Seerr scans every few minutes to hours).

Movies match by TMDB id; shows by TMDB or TVDB id, and each requested season counts once a season with that
number is on the server, so a new season of a requested show makes it (partly) available too. The sync calls
`on_items_written` after each page it writes: without open requests that is one indexed query, and with them a
set intersection in Python, so syncing stays as fast as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from smartplex.db import get_engine, write_transaction
from smartplex.log import get_logger
from smartplex.models import MEDIA, REQUESTS, RequestStatus
from smartplex.services.plex import household
from smartplex.services.requests import tracking

log = get_logger(__name__)
S = RequestStatus
WAITING = (S.PENDING, S.APPROVED, S.PROCESSING, S.PARTIALLY_AVAILABLE)


@dataclass(frozen=True)
class _Open:
    id: int
    media_type: str
    tmdb_id: int
    tvdb_id: int | None
    seasons: tuple[int, ...]


def _open_requests(conn: sa.Connection) -> list[_Open]:
    rows = conn.execute(
        sa.select(REQUESTS.c.id, REQUESTS.c.media_type, REQUESTS.c.tmdb_id, REQUESTS.c.tvdb_id, REQUESTS.c.seasons)
        .where(REQUESTS.c.status.in_([s.value for s in WAITING]))
    ).all()
    return [_Open(r.id, r.media_type, r.tmdb_id, r.tvdb_id, tuple(r.seasons or ())) for r in rows]


def on_items_written(server_id: int, items: Iterable[dict[str, Any]]) -> list[tracking.Change]:
    """Fulfil the open requests that these just-written items (parsed Plex items) bring to the server."""
    with get_engine().connect() as conn:
        waiting = _open_requests(conn)
    if not waiting:
        return []
    movies = {r.tmdb_id for r in waiting if r.media_type == "movie"}
    shows = [r for r in waiting if r.media_type == "tv"]
    movie_keys: list[str] = []
    show_keys: set[str] = set()
    for item in items:
        kind = item.get("type")
        if kind == "movie" and item.get("tmdb_id") in movies:
            movie_keys.append(item["rating_key"])
        elif shows and kind == "show":
            show_keys.add(item["rating_key"])
        elif shows and kind == "season" and item.get("parent_rating_key"):
            show_keys.add(item["parent_rating_key"])
        elif shows and kind == "episode" and item.get("grandparent_rating_key"):
            show_keys.add(item["grandparent_rating_key"])
    if not movie_keys and not show_keys:
        return []
    try:
        return fulfil(server_id, waiting, movie_keys, show_keys)
    except Exception:  # a failure here must never fail the sync that called it; the poll catches up
        log.exception("requests.fulfil_failed", server_id=server_id)
        return []


def fulfil(server_id: int, waiting: list[_Open], movie_keys: list[str], show_keys: set[str]) -> list[tracking.Change]:
    changes: list[tracking.Change] = []
    with write_transaction() as conn:
        present = MEDIA.c.removed_at.is_(None)
        if movie_keys:
            found = conn.execute(
                sa.select(MEDIA.c.id, MEDIA.c.tmdb_id).where(
                    MEDIA.c.server_id == server_id, MEDIA.c.rating_key.in_(movie_keys), MEDIA.c.type == "movie", present
                )
            ).all()
            by_tmdb = {tmdb: item_id for item_id, tmdb in found}
            for request in waiting:
                if request.media_type == "movie" and request.tmdb_id in by_tmdb:
                    change = tracking.transition(conn, request.id, S.AVAILABLE, media_item_id=by_tmdb[request.tmdb_id])
                    changes += [change] if change else []
        if show_keys:
            changes += _fulfil_shows(conn, server_id, [r for r in waiting if r.media_type == "tv"], show_keys)
    for change in changes:
        log.info("requests.fulfilled_by_library", request_id=change.request_id, status=change.new)
    return changes


def _fulfil_shows(conn: sa.Connection, server_id: int, shows: list[_Open], show_keys: set[str]) -> list[tracking.Change]:
    found = conn.execute(
        sa.select(MEDIA.c.id, MEDIA.c.rating_key, MEDIA.c.tmdb_id, MEDIA.c.tvdb_id).where(
            MEDIA.c.server_id == server_id, MEDIA.c.rating_key.in_(list(show_keys)), MEDIA.c.type == "show",
            MEDIA.c.removed_at.is_(None),
        )
    ).all()  # fmt: skip
    changes = []
    for show_id, show_key, tmdb_id, tvdb_id in found:
        matching = [r for r in shows if r.tmdb_id == tmdb_id or (tvdb_id and r.tvdb_id == tvdb_id)]
        if not matching:
            continue
        on_server = set(
            conn.execute(
                sa.select(MEDIA.c.item_index).where(
                    MEDIA.c.server_id == server_id, MEDIA.c.parent_rating_key == show_key, MEDIA.c.type == "season",
                    MEDIA.c.removed_at.is_(None),
                )
            ).scalars()
        )  # fmt: skip
        for request in matching:
            wanted = set(request.seasons)
            here = sorted(wanted & on_server)
            if not here:
                continue
            new = S.AVAILABLE if set(here) == wanted else S.PARTIALLY_AVAILABLE
            change = tracking.transition(conn, request.id, new, seasons_available=here, media_item_id=show_id)
            changes += [change] if change else []
    return changes


def check_request(request_id: int) -> list[tracking.Change]:
    """Fulfil one request from what the household's servers already hold (a request made for seasons already
    there)."""
    changes = []
    for server in household.live_servers():
        changes += _check_on(request_id, server.id)
    return changes


def _check_on(request_id: int, server_id: int) -> list[tracking.Change]:
    with get_engine().connect() as conn:
        waiting = [r for r in _open_requests(conn) if r.id == request_id]
        if not waiting:
            return []
        request = waiting[0]
        kind = "movie" if request.media_type == "movie" else "show"
        match = MEDIA.c.tmdb_id == request.tmdb_id
        if kind == "show" and request.tvdb_id:
            match = sa.or_(match, MEDIA.c.tvdb_id == request.tvdb_id)
        keys = list(conn.execute(
            sa.select(MEDIA.c.rating_key).where(MEDIA.c.server_id == server_id, MEDIA.c.type == kind, match,
                                                MEDIA.c.removed_at.is_(None))
        ).scalars())  # fmt: skip
    if not keys:
        return []
    return fulfil(server_id, waiting, keys if kind == "movie" else [], set(keys) if kind == "show" else set())
