"""Importing Plex's own watch history (`/status/sessions/history/all`) as `viewed` watch events, deduplicated
by Plex's history key so a re-import adds nothing."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from smartplex.db import dialect_insert, get_engine, reading
from smartplex.models import MEDIA, WATCH, WatchEventKind
from smartplex.services import watching
from smartplex.services.plex import connect
from smartplex.services.plex.client import PlexClient
from smartplex.services.plex.parse import to_datetime, to_int
from smartplex.services.requests import attribution

HISTORY_PAGE_SIZE = 1000


def _dedupe_key(server_id: int, row: dict[str, str]) -> str:
    identity = row.get("historyKey") or f"{row.get('accountID')}:{row.get('ratingKey')}:{row.get('viewedAt')}"
    return hashlib.sha256(f"plex-history:{server_id}:{identity}".encode()).hexdigest()



def _write_history(conn: Connection, server_id: int, rows: list[dict[str, str]], users: dict[int, int]) -> int:
    events: dict[str, dict[str, Any]] = {}
    for row in rows:
        viewed_at = to_datetime(row.get("viewedAt"))
        if viewed_at is None:
            continue
        account = to_int(row.get("accountID")) or None
        events[_dedupe_key(server_id, row)] = {
            "server_id": server_id,
            "user_id": users.get(account) if account is not None else None,
            "plex_account_id": account,
            "rating_key": row.get("ratingKey"),
            "event": WatchEventKind.VIEWED,
            "viewed_at": viewed_at,
            "progress": 1.0,
            "view_offset_ms": 0,
            "user_rating": 0.0,
            "source": "history",
        }
    if not events:
        return 0
    known = set(conn.execute(sa.select(WATCH.c.dedupe_key).where(WATCH.c.dedupe_key.in_(list(events)))).scalars())
    fresh = [{**event, "dedupe_key": key} for key, event in events.items() if key not in known]
    if not fresh:
        return 0
    keys = list({event["rating_key"] for event in fresh if event["rating_key"]})
    media_ids: dict[str, int] = dict(
        conn.execute(
            sa.select(MEDIA.c.rating_key, MEDIA.c.id).where(
                MEDIA.c.server_id == server_id, MEDIA.c.rating_key.in_(keys)
            )
        ).all()
    )
    for event in fresh:
        event["media_item_id"] = media_ids.get(event["rating_key"])
    attribution.attribute(conn, fresh)
    conn.execute(dialect_insert(conn.dialect.name)(WATCH).on_conflict_do_nothing(index_elements=["dedupe_key"]), fresh)
    return len(fresh)


def import_with(client: PlexClient, server_id: int, since: datetime | None) -> int:
    # plexapi's key is `viewedAt>` + `=`, i.e. viewedAt%3E= on the wire.
    query = "sort=viewedAt:asc" + (f"&viewedAt%3E={int(since.timestamp())}" if since else "")
    with reading() as conn:
        users = watching.server_links(conn, server_id)
    added, start = 0, 0
    while True:
        root = client.get_xml("/status/sessions/history/all", query, start=start, size=HISTORY_PAGE_SIZE)
        rows = [dict(el.items()) for el in root]
        with get_engine().begin() as conn:
            added += _write_history(conn, server_id, rows, users)
        start += len(rows)
        if not rows or start >= to_int(root.get("totalSize") or root.get("size")):
            return added


def import_history(server_id: int, since: datetime | None = None) -> int:
    """Import Plex's watch history (everything, or rows viewed at or after `since`); returns rows added."""
    with connect.open_client(server_id) as client:
        return import_with(client, server_id, since)

