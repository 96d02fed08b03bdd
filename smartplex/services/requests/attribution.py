"""Attribution: a watch of a requested title (the movie, or any episode of the show) records the request it came
from in `watch_event.attributed_to_request_id`, whoever watches it, so the admin sees whose requests get watched.

A request counts once the library item is known (`content_request.media_item_id`, set when the request became
available) and for watches from the moment it was requested; the earliest such request of a title wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from smartplex.models import MEDIA, REQUESTS


def requests_by_item(conn: sa.Connection, item_ids: Iterable[int | None]) -> dict[int, list[tuple[datetime, int]]]:
    """Watched item id -> [(requested_at, request id), oldest first] of the requests it belongs to."""
    wanted = {i for i in item_ids if i}
    if not wanted:
        return {}
    if conn.execute(sa.select(REQUESTS.c.id).where(REQUESTS.c.media_item_id.is_not(None)).limit(1)).first() is None:
        return {}  # no request has reached the library yet: one cheap query
    watched, show = MEDIA.alias("watched"), MEDIA.alias("show")
    requested = sa.select(REQUESTS.c.id, REQUESTS.c.requested_at, REQUESTS.c.media_item_id).where(
        REQUESTS.c.media_item_id.is_not(None)
    ).subquery()  # fmt: skip
    by_movie = sa.select(watched.c.id, requested.c.requested_at, requested.c.id).join(
        requested, requested.c.media_item_id == watched.c.id
    ).where(watched.c.id.in_(wanted))  # fmt: skip
    by_show = (
        sa.select(watched.c.id, requested.c.requested_at, requested.c.id)
        .join(show, sa.and_(show.c.server_id == watched.c.server_id, show.c.rating_key == watched.c.grandparent_rating_key))
        .join(requested, requested.c.media_item_id == show.c.id)
        .where(watched.c.id.in_(wanted), watched.c.type == "episode")
    )
    found: dict[int, list[tuple[datetime, int]]] = {}
    for item_id, requested_at, request_id in conn.execute(sa.union_all(by_movie, by_show)):
        found.setdefault(item_id, []).append((requested_at, request_id))
    return {item_id: sorted(pairs) for item_id, pairs in found.items()}


def attribute(conn: sa.Connection, events: list[dict[str, Any]]) -> None:
    """Set `attributed_to_request_id` on watch-event rows about to be inserted (they carry media_item_id and
    viewed_at)."""
    requests = requests_by_item(conn, (e.get("media_item_id") for e in events))
    if not requests:
        return
    for event in events:
        candidates = requests.get(event.get("media_item_id") or 0, [])
        viewed_at = event.get("viewed_at")
        # Every row gets the key, so a bulk insert binds the same columns for all of them.
        event["attributed_to_request_id"] = next(
            (rid for at, rid in candidates if viewed_at is None or _comparable(at) <= _comparable(viewed_at)), None
        )


def _comparable(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive (they are UTC); compare them as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
