"""Tautulli's history as watch events, without counting a play twice.

Tautulli records sessions of the Plex server it watches; Plex's own history and its webhooks record many of
the same plays. A Tautulli row is skipped as a duplicate when the server already has a play-family event of
the same item by the same person (services.watching.person) within DUPLICATE_WINDOW of the row's end. The rows
it adds are keyed by Tautulli's row id, so importing again adds nothing. Rows with missing or broken fields are
counted as skipped, never half-written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from smartplex.db import dialect_insert, reading, write_transaction
from smartplex.models import MEDIA, SERVERS, WATCH, WatchEventKind
from smartplex.services import watching
from smartplex.services.plex.accounts import OWNER_ACCOUNT_ID
from smartplex.services.tautulli.client import PAGE_LENGTH, TautulliClient, TautulliError
from smartplex.services.untidy import number

DUPLICATE_WINDOW = timedelta(minutes=60)
SOURCE = "tautulli"
MEDIA_TYPES = ("movie", "episode")  # music (track) is not SmartPlex's


@dataclass(frozen=True)
class ImportProgress:
    done: int
    total: int


@dataclass(frozen=True)
class ImportResult:
    server_id: int
    rows: int
    added: int
    duplicates: int  # already known from Plex's history or webhooks
    skipped: int  # not a movie or episode, or a row without the fields a play needs


@dataclass(frozen=True)
class _Play:
    key: str  # the dedupe key
    rating_key: str
    account: int | None
    viewed_at: datetime
    progress: float
    finished: bool


def import_history(
    client: TautulliClient, progress: Callable[[ImportProgress], None] | None = None
) -> ImportResult:
    """Import everything Tautulli has into the server it watches (found by its machine identifier)."""
    server_id = server_watched(client)
    owner = client.owner_id()
    added = duplicates = skipped = rows_seen = 0
    start, total = 0, None
    while total is None or start < total:
        page = client.history_page(start, PAGE_LENGTH)
        total = page.total
        if not page.rows:
            break
        plays = [play for row in page.rows if (play := _play(server_id, row, owner)) is not None]
        skipped += len(page.rows) - len(plays)
        page_added, page_duplicates = _write(server_id, plays)
        added, duplicates = added + page_added, duplicates + page_duplicates
        rows_seen += len(page.rows)
        start += len(page.rows)
        if progress is not None:
            progress(ImportProgress(min(start, total), total))
    return ImportResult(server_id, rows_seen, added, duplicates, skipped)


def server_watched(client: TautulliClient) -> int:
    """Our server whose machine identifier Tautulli reports; TautulliError when SmartPlex does not know it."""
    return server_for(client.identity().machine_identifier)


def server_for(machine: str) -> int:
    """Our server with that machine identifier; TautulliError when SmartPlex does not know it."""
    with reading() as conn:
        server_id = conn.execute(sa.select(SERVERS.c.id).where(SERVERS.c.machine_id == machine)).scalar()
    if server_id is None:
        raise TautulliError(f"Tautulli watches a Plex server SmartPlex is not connected to ({machine[:12]}…).")
    return server_id


def _play(server_id: int, row: dict[str, Any], owner: int | None) -> _Play | None:
    """A row as a play, or None when it is not a movie or episode or lacks what a play needs. The owner's plex.tv
    id becomes the local owner account (1), as in Plex's own history and webhooks."""
    if row.get("media_type") not in MEDIA_TYPES:
        return None
    rating_key = str(row.get("rating_key") or "").strip()
    ended = number(row.get("stopped")) or number(row.get("date"))
    identity = row.get("reference_id") or row.get("id") or row.get("row_id")
    if not (rating_key.isascii() and rating_key.isdigit()) or ended <= 0 or identity is None:  # "١٢" is no key
        return None
    try:
        viewed_at = datetime.fromtimestamp(ended, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    account = int(number(row.get("user_id"))) or None
    if account is not None and account == owner:
        account = OWNER_ACCOUNT_ID
    percent = min(max(number(row.get("percent_complete")), 0.0), 100.0)
    finished = number(row.get("watched_status")) >= 1 or percent >= watching.FINISHED_PROGRESS * 100
    key = hashlib.sha256(f"{SOURCE}:{server_id}:{identity}".encode()).hexdigest()
    return _Play(key, rating_key[:32], account, viewed_at, 1.0 if finished else percent / 100, finished)


def _write(server_id: int, plays: list[_Play]) -> tuple[int, int]:
    """Insert the plays the server does not know yet; (added, duplicates)."""
    if not plays:
        return 0, 0
    with write_transaction() as conn:
        linked = watching.server_links(conn, server_id)
        known = _known(conn, server_id, plays, linked)
        items = dict(
            conn.execute(
                sa.select(MEDIA.c.rating_key, MEDIA.c.id).where(
                    MEDIA.c.server_id == server_id, MEDIA.c.rating_key.in_({p.rating_key for p in plays})
                )
            ).all()
        )
        fresh = []
        for play in plays:
            person = watching.person(None, play.account, linked)
            if any(abs(play.viewed_at - when) <= DUPLICATE_WINDOW for when in known.get((play.rating_key, person), ())):
                continue
            fresh.append(_event(server_id, play, linked, items.get(play.rating_key)))
        if fresh:
            insert = dialect_insert(conn.dialect.name)(WATCH).on_conflict_do_nothing(index_elements=["dedupe_key"])
            added = conn.execute(insert.returning(WATCH.c.id), fresh).all()
        else:
            added = []
    return len(added), len(plays) - len(fresh)


def _known(
    conn: Connection, server_id: int, plays: list[_Play], linked: dict[int, int]
) -> dict[tuple[str, int | None], list[datetime]]:
    """(rating key, person) -> when the server's play-family events of it happened, around the plays' times."""
    earliest = min(p.viewed_at for p in plays) - DUPLICATE_WINDOW
    latest = max(p.viewed_at for p in plays) + DUPLICATE_WINDOW
    rows = conn.execute(
        sa.select(WATCH.c.rating_key, WATCH.c.user_id, WATCH.c.plex_account_id, WATCH.c.viewed_at).where(
            WATCH.c.server_id == server_id,
            WATCH.c.rating_key.in_({p.rating_key for p in plays}),
            WATCH.c.viewed_at.between(earliest, latest),
            watching.PLAYED,
        )
    )
    known: dict[tuple[str, int | None], list[datetime]] = {}
    for rating_key, user_id, account, viewed_at in rows:
        moment = viewed_at if viewed_at.tzinfo else viewed_at.replace(tzinfo=UTC)
        known.setdefault((rating_key, watching.person(user_id, account, linked)), []).append(moment)
    return known


def _event(server_id: int, play: _Play, linked: dict[int, int], item_id: int | None) -> dict[str, Any]:
    return {
        "server_id": server_id,
        "user_id": linked.get(play.account) if play.account is not None else None,
        "plex_account_id": play.account,
        "media_item_id": item_id,
        "rating_key": play.rating_key,
        "event": WatchEventKind.VIEWED if play.finished else WatchEventKind.STOP,
        "viewed_at": play.viewed_at,
        "progress": play.progress,
        "view_offset_ms": 0,
        "user_rating": 0.0,
        "source": SOURCE,
        "dedupe_key": play.key,
    }
