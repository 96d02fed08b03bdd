"""Processing queued Plex webhooks: play events become watch events, `library.new` syncs the item.

The queue is the accepted `webhook_event` rows with `processed_at` unset (see `receiving`), also the ones left
over when a process stopped. Safe to run from several processes at once: watch events are keyed by the payload
hash (a second insert is ignored), rows are marked only while still unprocessed, and each item sync is claimed
first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import col

from smartplex import log
from smartplex.db import dialect_insert, get_engine, write_transaction
from smartplex.models import WATCH, WEBHOOK_EVENTS, MediaItem, User, WebhookStatus, utcnow
from smartplex.services.plex.webhooks import payload
from smartplex.services.requests import attribution

logger = log.get_logger(__name__)

BATCH = 500
WATCH_EVENTS = {
    "media.play": "play",
    "media.pause": "pause",
    "media.resume": "resume",
    "media.stop": "stop",
    "media.scrobble": "scrobble",
    "media.rate": "rate",
}
LIBRARY_NEW = "library.new"


@dataclass(frozen=True)
class _Row:
    id: int
    server_id: int | None
    owner_id: int | None
    payload: str
    payload_hash: str
    received_at: datetime


@dataclass
class _Plan:
    watches: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    syncs: list[tuple[_Row, str]] = field(default_factory=list)


def process_pending(batch: int = BATCH) -> int:
    """Process up to `batch` queued rows, oldest first; returns how many were taken.

    Safe to run from several processes at once: watch events are keyed by the payload hash (a second
    insert is ignored), rows are marked only while still unprocessed, and each item sync is claimed first.
    """
    rows = _pending(batch)
    if not rows:
        return 0
    plan = _plan(rows)
    _commit(plan)
    for row, rating_key in plan.syncs:
        _sync_item(row, rating_key)
    return len(rows)


def _pending(batch: int) -> list[_Row]:
    t = WEBHOOK_EVENTS
    query = (
        sa.select(t.c.id, t.c.server_id, t.c.owner_id, t.c.payload, t.c.payload_hash, t.c.received_at)
        .where(t.c.processed_at.is_(None), t.c.status == WebhookStatus.ACCEPTED)
        .order_by(t.c.id)
        .limit(batch)
    )
    with get_engine().connect() as conn:
        return [_Row(*r) for r in conn.execute(query)]


def _plan(rows: list[_Row]) -> _Plan:
    plan = _Plan()
    parsed: list[tuple[_Row, dict[str, Any]]] = []
    for row in rows:
        try:
            data = orjson.loads(row.payload or "")
        except orjson.JSONDecodeError:
            plan.outcomes.append(_outcome(row, "stored payload is not valid JSON"))
            continue
        parsed.append((row, data if isinstance(data, dict) else {}))
    users = _users_by_account(payload.account_id(data) for _, data in parsed)
    items = _items_by_key((row.server_id, payload.rating_key(data)) for row, data in parsed)
    for row, data in parsed:
        event = data.get("event")
        rating_key = payload.rating_key(data)
        if event not in WATCH_EVENTS and event != LIBRARY_NEW:
            plan.outcomes.append(_outcome(row))
        elif row.server_id is None:
            plan.outcomes.append(_outcome(row, "the server was removed"))
        elif rating_key is None:
            plan.outcomes.append(_outcome(row, f"{event} without Metadata.ratingKey"))
        elif event == LIBRARY_NEW:
            plan.syncs.append((row, rating_key))
        else:
            item_id = items.get((row.server_id, rating_key))
            plan.watches.append(_watch_event(row, data, WATCH_EVENTS[event], users, item_id))
            plan.outcomes.append(_outcome(row))
    return plan


def _outcome(row: _Row, failure: str | None = None) -> dict[str, Any]:
    return {
        "row_id": row.id,
        "row_status": WebhookStatus.FAILED if failure else WebhookStatus.ACCEPTED,
        "row_reason": failure,
    }


def _watch_event(
    row: _Row, data: dict[str, Any], kind: str, users: dict[int, int], item_id: int | None
) -> dict[str, Any]:
    meta = payload.metadata(data)
    account_id = payload.account_id(data)
    offset = payload.number(meta.get("viewOffset")) or 0.0
    duration = payload.number(meta.get("duration")) or 0.0
    viewed_at = row.received_at
    progress = min(max(offset / duration, 0.0), 1.0) if duration > 0 else 0.0
    if kind == "scrobble":
        progress = 1.0
        viewed_at = payload.epoch(meta.get("lastViewedAt")) or viewed_at
    return {
        "server_id": row.server_id,
        "user_id": _user_for(data, account_id, users, row.owner_id),
        "plex_account_id": account_id,
        "media_item_id": item_id,
        "rating_key": payload.rating_key(data),
        "event": kind,
        "viewed_at": viewed_at,
        "progress": progress,
        "view_offset_ms": int(max(offset, 0)),
        "user_rating": (payload.number(data.get("rating")) or 0.0) if kind == "rate" else 0.0,
        "source": "webhook",
        "dedupe_key": _dedupe_key(row),
    }


def _dedupe_key(row: _Row) -> str:
    """Same payload accepted twice on the same day (a race between receivers) -> one watch event.

    Identical payloads further apart (replaying an unfinished item from the start days later) stay
    distinct plays; within DUPLICATE_WINDOW the receiver already marks them duplicate.
    """
    day = row.received_at.astimezone(UTC).date().isoformat()
    return hashlib.sha256(f"webhook:{row.payload_hash}:{day}".encode()).hexdigest()


def _user_for(data: dict[str, Any], account_id: int | None, users: dict[int, int], owner_id: int | None) -> int | None:
    """The member linked to the Plex account; else the owner when the owner acted (`user` and `owner`).

    A shared user without a linked member stays unattributed (plex_account_id is kept for later linking):
    every delivery to the owner's URL has `owner: true`, so that flag alone does not mean the owner acted.
    """
    if account_id is not None and account_id in users:
        return users[account_id]
    if data.get("owner") is True and data.get("user") is True:
        return owner_id
    return None


def _users_by_account(account_ids: Iterable[int | None]) -> dict[int, int]:
    wanted = {a for a in account_ids if a is not None}
    if not wanted:
        return {}
    query = (
        sa.select(User.plex_account_id, User.id)
        .where(col(User.plex_account_id).in_(wanted))
        .order_by(col(User.id).desc())
    )
    with get_engine().connect() as conn:
        return {account: user_id for account, user_id in conn.execute(query)}  # lowest id wins


def _items_by_key(keys: Iterable[tuple[int | None, str | None]]) -> dict[tuple[int, str], int]:
    wanted = {(s, k) for s, k in keys if s is not None and k is not None}
    if not wanted:
        return {}
    query = sa.select(MediaItem.server_id, MediaItem.rating_key, MediaItem.id).where(
        col(MediaItem.server_id).in_({s for s, _ in wanted}),
        col(MediaItem.rating_key).in_({k for _, k in wanted}),
    )
    with get_engine().connect() as conn:
        return {(s, k): item_id for s, k, item_id in conn.execute(query)}


def _commit(plan: _Plan) -> None:
    """Watch events and row outcomes of one batch in one transaction."""
    t = WEBHOOK_EVENTS
    mark = (
        t.update()
        .where(t.c.id == sa.bindparam("row_id"), t.c.processed_at.is_(None))
        .values(processed_at=utcnow(), status=sa.bindparam("row_status"), reason=sa.bindparam("row_reason"))
    )
    with write_transaction() as conn:
        if plan.watches:
            attribution.attribute(conn, plan.watches)
            conn.execute(_insert_ignoring_duplicates(conn.dialect.name), plan.watches)
        if plan.outcomes:
            conn.execute(mark, plan.outcomes)


def _insert_ignoring_duplicates(dialect: str) -> sa.Insert:
    insert = dialect_insert(dialect)(WATCH)
    return insert.on_conflict_do_nothing(index_elements=["dedupe_key"])


def _sync_item(row: _Row, rating_key: str) -> None:
    """Claim the row, then fetch the item from Plex; a failure marks the row, never the batch."""
    t = WEBHOOK_EVENTS
    with write_transaction() as conn:
        claim = t.update().where(t.c.id == row.id, t.c.processed_at.is_(None)).values(processed_at=utcnow())
        if conn.execute(claim).rowcount != 1:
            return
    try:
        from smartplex.services.plex import sync

        failure = None if sync.sync_item(row.server_id, rating_key) else f"item {rating_key} not found on the server"
    except Exception as exc:  # noqa: BLE001 - recorded on the row and logged
        logger.warning("webhook_sync_failed", webhook_event_id=row.id, error=repr(exc))
        failure = log.redact_text(f"sync failed: {type(exc).__name__}: {exc}")[:500]
    if failure:
        with write_transaction() as conn:
            conn.execute(t.update().where(t.c.id == row.id).values(status=WebhookStatus.FAILED, reason=failure))

