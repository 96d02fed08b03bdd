"""Plex webhooks: receive (check, record, queue) and process (watch events, library updates).

`receive()` answers a delivery with exactly one `webhook_event` row: accepted, rejected (with a reason),
duplicate or failed. Accepted rows keep the payload text and are the durable queue: `process_pending()`
turns them into watch events or item syncs and sets `processed_at`. Rows that need no processing
(rejected, duplicate) get `processed_at` at once, so "processed_at IS NULL" is exactly the queue and its
index stays small. The route calls `receive_async()`, which hands deliveries to one writer thread that
records whatever arrived meanwhile in one transaction. The secret from the URL is never stored or logged;
only its SHA-256 is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import math
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from sqlmodel import col

from smartplex import log
from smartplex.config import get_settings
from smartplex.db import dialect_insert, get_engine
from smartplex.models import MediaItem, Server, User, WatchEvent, WebhookEvent, WebhookStatus, utcnow
from smartplex.services.plex import servers

logger = log.get_logger(__name__)

SOURCE = "plex"
DUPLICATE_WINDOW = timedelta(hours=24)
CACHE_TTL = 5.0
POLL_SECONDS = 1.0
SETTLE_SECONDS = 0.2
BATCH = 500
MAX_GROUP = 64
WATCH_EVENTS = {
    "media.play": "play",
    "media.pause": "pause",
    "media.resume": "resume",
    "media.stop": "stop",
    "media.scrobble": "scrobble",
    "media.rate": "rate",
}
LIBRARY_NEW = "library.new"

_WEBHOOKS: sa.Table = WebhookEvent.__table__  # type: ignore[attr-defined]
_WATCHES: sa.Table = WatchEvent.__table__  # type: ignore[attr-defined]


class WebhookRejected(Exception):
    """The delivery cannot be accepted; `reason` is safe to show and store."""

    def __init__(self, reason: str, http_status: int = 400, event: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.http_status = http_status
        self.event = event


@dataclass(frozen=True)
class Receipt:
    status: str
    reason: str | None
    http_status: int
    event_id: int | None = None


@dataclass(frozen=True)
class Payload:
    data: dict[str, Any]
    text: str
    hash: str

    @property
    def event(self) -> str:
        return self.data["event"]

    @property
    def server_uuid(self) -> str:
        return self.data["Server"]["uuid"]


# --- writing --------------------------------------------------------------------------------

_sqlite_writes = threading.Lock()


@contextlib.contextmanager
def _writing() -> Iterator[sa.Connection]:
    """A write transaction. On SQLite this process's writers queue on a lock first: SQLite's busy handler
    sleeps whole milliseconds (growing to 100 ms) between retries, which under a burst costs far more than
    the writes themselves."""
    engine = get_engine()
    with _sqlite_writes if engine.dialect.name == "sqlite" else contextlib.nullcontext(), engine.begin() as conn:
        yield conn


# --- parsing ----------------------------------------------------------------------------------


def parse_body(content_type: str, body: bytes) -> Payload:
    """The webhook payload from a multipart (`payload` part, `thumb` ignored) or JSON body."""
    media_type, params = parse_options_header(content_type or "")
    if media_type == b"multipart/form-data":
        raw = _payload_part(body, params.get(b"boundary", b""))
    elif media_type == b"application/json" or media_type.endswith(b"+json"):
        raw = body
    else:
        raise WebhookRejected("unsupported content type", 415)
    return _validated(raw)


def _payload_part(body: bytes, boundary: bytes) -> bytes:
    """The bytes of the one part named `payload`; other parts (the JPEG `thumb`) are skipped, not buffered."""
    if not boundary:
        raise WebhookRejected("malformed multipart body: no boundary")
    state = _PartState()
    parser = MultipartParser(boundary, _part_callbacks(state))
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError:
        raise WebhookRejected("malformed multipart body") from None
    if not state.ended:
        raise WebhookRejected("malformed multipart body: truncated")
    if state.payloads == 0:
        raise WebhookRejected("missing payload part")
    if state.payloads > 1:
        raise WebhookRejected("more than one payload part")
    return bytes(state.payload)


@dataclass
class _PartState:
    header_name: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    is_payload: bool = False
    payloads: int = 0
    payload: bytearray = field(default_factory=bytearray)
    ended: bool = False


def _part_callbacks(state: _PartState) -> dict[str, Any]:
    def on_part_begin() -> None:
        state.is_payload = False

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state.header_name += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state.header_value += data[start:end]

    def on_header_end() -> None:
        if bytes(state.header_name).lower() == b"content-disposition":
            _, params = parse_options_header(bytes(state.header_value))
            if params.get(b"name") == b"payload":
                state.is_payload = True
                state.payloads += 1
        state.header_name.clear()
        state.header_value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state.is_payload and state.payloads == 1:
            state.payload += data[start:end]

    def on_end() -> None:
        state.ended = True

    return {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
        "on_end": on_end,
    }


def _validated(raw: bytes) -> Payload:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise WebhookRejected("payload is not valid JSON") from None
    if not isinstance(data, dict):
        raise WebhookRejected("payload is not a JSON object")
    event = data.get("event")
    if not isinstance(event, str) or not event:
        raise WebhookRejected("missing event")
    server = data.get("Server")
    uuid = server.get("uuid") if isinstance(server, dict) else None
    if not isinstance(uuid, str) or not uuid:
        raise WebhookRejected("missing Server.uuid", event=event)
    # Hash the canonical form, so the same payload is a duplicate whatever its encoding or key order.
    digest = hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return Payload(data=data, text=raw.decode(), hash=digest)


# --- who is calling: short-lived caches -------------------------------------------------------
# Only positive answers are cached: an unknown secret or server always asks the database, so a new
# server works at once. A rotated secret or removed server can linger for CACHE_TTL seconds in other
# processes; in this one `forget_cached()` drops them at once.

_owners: dict[str, tuple[int, float]] = {}
_servers: dict[int, tuple[dict[str, int], float]] = {}


def forget_cached() -> None:
    """Drop the cached owners and servers (call after rotating a secret or removing a server)."""
    _owners.clear()
    _servers.clear()


def _owner_for(secret: str) -> int | None:
    key = servers.secret_hash(secret)
    hit = _owners.get(key)
    if hit is not None and hit[1] > time.monotonic():
        return hit[0]
    owner_id = servers.owner_for_webhook_secret(secret)
    if owner_id is None:
        _owners.pop(key, None)
    else:
        _owners[key] = (owner_id, time.monotonic() + CACHE_TTL)
    return owner_id


def _server_for(owner_id: int, machine_id: str) -> int | None:
    hit = _servers.get(owner_id)
    if hit is not None and hit[1] > time.monotonic() and machine_id in hit[0]:
        return hit[0][machine_id]
    with get_engine().connect() as conn:
        rows = conn.execute(sa.select(Server.machine_id, Server.id).where(Server.owner_id == owner_id)).all()
    known = {machine: server_id for machine, server_id in rows}
    _servers[owner_id] = (known, time.monotonic() + CACHE_TTL)
    return known.get(machine_id)


# --- receiving --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    secret: str
    content_type: str
    body: bytes
    remote_ip: str


@dataclass(frozen=True)
class _Checked:
    """A delivery after the checks: to queue (`payload`), to refuse (`rejection`) or failed (`failure`)."""

    owner_id: int | None
    remote_ip: str
    payload: Payload | None = None
    server_id: int | None = None
    rejection: WebhookRejected | None = None
    failure: str | None = None


def receive(secret: str, content_type: str, body: bytes, remote_ip: str) -> Receipt:
    """Check and record one delivery; accepted ones wait in the queue for `process_pending()`."""
    return receive_many([Delivery(secret, content_type, body, remote_ip)])[0]


async def receive_async(secret: str, content_type: str, body: bytes, remote_ip: str) -> Receipt:
    """`receive()` off the event loop, grouped with concurrent deliveries into one transaction."""
    return await _writer.submit(Delivery(secret, content_type, body, remote_ip))


def receive_many(deliveries: Sequence[Delivery]) -> list[Receipt]:
    """Check each delivery, then record them all in one transaction."""
    return _record_all([_check(d) for d in deliveries])


def record_rejection(secret: str, remote_ip: str, reason: str, http_status: int) -> Receipt:
    """Record a delivery the route refused before reading it whole (too large, client gone)."""
    try:
        owner_id = _owner_for(secret)
    except Exception:  # noqa: BLE001 - still record the refusal
        owner_id = None
    return _record_all([_Checked(owner_id, remote_ip, rejection=WebhookRejected(reason, http_status))])[0]


_UNRECORDED = Receipt(WebhookStatus.FAILED, "internal error (database)", 503)


def _record_all(checked: list[_Checked]) -> list[Receipt]:
    receipts = _transaction(checked)
    if receipts is None:  # something broke the group's transaction: record each alone, so it costs only itself
        receipts = [(_transaction([c]) or [_UNRECORDED])[0] for c in checked]
    for c, receipt in zip(checked, receipts, strict=True):
        if c.payload is None:
            logger.info("webhook_refused", owner_id=c.owner_id, reason=receipt.reason, remote_ip=c.remote_ip)
    return receipts


def _transaction(checked: list[_Checked]) -> list[Receipt] | None:
    try:
        with _writing() as conn:
            return [_record(conn, c) for c in checked]
    except Exception:
        logger.exception("webhook_record_failed", deliveries=len(checked))
        return None


def _check(d: Delivery) -> _Checked:
    owner_id: int | None = None
    try:
        owner_id = _owner_for(d.secret)
        if owner_id is None:
            return _Checked(None, d.remote_ip, rejection=WebhookRejected("unknown webhook URL", 404))
        payload = parse_body(d.content_type, d.body)
        server_id = _server_for(owner_id, payload.server_uuid)
        if server_id is None:
            rejection = WebhookRejected("unknown server for this webhook URL", 403, payload.event)
            return _Checked(owner_id, d.remote_ip, rejection=rejection)
        return _Checked(owner_id, d.remote_ip, payload=payload, server_id=server_id)
    except WebhookRejected as rejection:
        return _Checked(owner_id, d.remote_ip, rejection=rejection)
    except Exception as exc:
        logger.exception("webhook_check_failed", owner_id=owner_id)
        return _Checked(owner_id, d.remote_ip, failure=f"internal error ({type(exc).__name__})")


def _record(conn: sa.Connection, c: _Checked) -> Receipt:
    if c.payload is not None:
        now = utcnow()
        params = {
            "now": now,
            "since": now - DUPLICATE_WINDOW,
            "owner_id": c.owner_id,
            "server_id": c.server_id,
            "event": c.payload.event[:64],
            "payload_hash": c.payload.hash,
            "remote_ip": c.remote_ip[:64],
            "payload": c.payload.text,
        }
        event_id, status = conn.execute(_enqueue_statement(), params).one()
        return Receipt(status=status, reason=None, http_status=200, event_id=event_id)
    if c.rejection is not None:
        event_id = _insert_final(conn, c, WebhookStatus.REJECTED, c.rejection.reason, c.rejection.event)
        return Receipt(WebhookStatus.REJECTED, c.rejection.reason, c.rejection.http_status, event_id)
    reason = c.failure or "internal error"
    return Receipt(WebhookStatus.FAILED, reason, 503, _insert_final(conn, c, WebhookStatus.FAILED, reason, None))


def _insert_final(conn: sa.Connection, c: _Checked, status: str, reason: str, event: str | None) -> int:
    """A row that needs no processing: rejected or failed."""
    now = utcnow()
    values = {
        "received_at": now,
        "owner_id": c.owner_id,
        "source": SOURCE,
        "event": event[:64] if event else None,
        "status": status,
        "reason": reason[:500],
        "remote_ip": c.remote_ip[:64],
        "processed_at": now,
    }
    return conn.execute(_WEBHOOKS.insert().values(values).returning(_WEBHOOKS.c.id)).scalar_one()


class _GroupWriter:
    """One thread recording deliveries for the event loop, a group per transaction.

    While a group commits, the requests that arrive meanwhile form the next one: under a burst that is one
    commit and one wake-up of the loop for many requests, instead of an executor hop and a commit each.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: list[tuple[Delivery, asyncio.Future[Receipt]]] = []
        self._thread: threading.Thread | None = None

    def submit(self, delivery: Delivery) -> asyncio.Future[Receipt]:
        future: asyncio.Future[Receipt] = asyncio.get_running_loop().create_future()
        with self._cond:
            self._queue.append((delivery, future))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="smartplex-webhook-writer", daemon=True)
                self._thread.start()
            self._cond.notify()
        return future

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
            try:
                results: list[Receipt | BaseException] = list(receive_many([d for d, _ in group]))
            except Exception as exc:  # noqa: BLE001 - handed to every waiting request
                results = [exc] * len(group)
            _hand_back([(future, result) for (_, future), result in zip(group, results, strict=True)])


def _hand_back(pairs: list[tuple[asyncio.Future[Receipt], Receipt | BaseException]]) -> None:
    """Resolve futures on their loops: one thread-safe call per loop for the whole group."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Receipt], Receipt | BaseException]]] = {}
    for future, result in pairs:
        by_loop.setdefault(future.get_loop(), []).append((future, result))
    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutdown)
            loop.call_soon_threadsafe(_resolve, items)


def _resolve(items: list[tuple[asyncio.Future[Receipt], Receipt | BaseException]]) -> None:
    for future, result in items:
        if future.done():  # the client went away
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)


_writer = _GroupWriter()


@functools.cache
def _enqueue_statement() -> sa.Insert:
    """One INSERT … SELECT: the duplicate check (on the payload_hash index) and the row, atomic on SQLite.

    Built once: constructing the statement costs more than running it.
    """
    t = _WEBHOOKS
    when = sa.bindparam("now", type_=t.c.received_at.type)
    seen = (
        sa.select(sa.literal(1))
        .where(
            t.c.payload_hash == sa.bindparam("payload_hash"),
            t.c.server_id == sa.bindparam("server_id"),
            t.c.status == WebhookStatus.ACCEPTED.value,
            t.c.received_at >= sa.bindparam("since", type_=t.c.received_at.type),
        )
        .exists()
    )
    dup = sa.select(seen.label("dup")).subquery("seen").c.dup
    source = sa.select(
        when,
        sa.bindparam("owner_id", type_=sa.Integer),
        sa.bindparam("server_id", type_=sa.Integer),
        sa.literal(SOURCE),
        sa.bindparam("event", type_=sa.String),
        sa.case((dup, WebhookStatus.DUPLICATE.value), else_=WebhookStatus.ACCEPTED.value),
        sa.case((dup, "same payload already accepted"), else_=sa.null()),
        sa.bindparam("payload_hash", type_=sa.String),
        sa.bindparam("remote_ip", type_=sa.String),
        sa.case((dup, sa.null()), else_=sa.bindparam("payload", type_=sa.Text)),
        sa.case((dup, when), else_=sa.null()),
    )
    columns = ["received_at", "owner_id", "server_id", "source", "event", "status", "reason", "payload_hash",
               "remote_ip", "payload", "processed_at"]  # fmt: skip
    return t.insert().from_select(columns, source).returning(t.c.id, t.c.status)


# --- processing -------------------------------------------------------------------------------


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
    t = _WEBHOOKS
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
    users = _users_by_account(_account_id(data) for _, data in parsed)
    items = _items_by_key((row.server_id, _rating_key(data)) for row, data in parsed)
    for row, data in parsed:
        event = data.get("event")
        rating_key = _rating_key(data)
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
    meta = _metadata(data)
    account_id = _account_id(data)
    offset = _number(meta.get("viewOffset")) or 0.0
    duration = _number(meta.get("duration")) or 0.0
    viewed_at = row.received_at
    progress = min(max(offset / duration, 0.0), 1.0) if duration > 0 else 0.0
    if kind == "scrobble":
        progress = 1.0
        viewed_at = _epoch(meta.get("lastViewedAt")) or viewed_at
    return {
        "server_id": row.server_id,
        "user_id": _user_for(data, account_id, users, row.owner_id),
        "plex_account_id": account_id,
        "media_item_id": item_id,
        "rating_key": _rating_key(data),
        "event": kind,
        "viewed_at": viewed_at,
        "progress": progress,
        "view_offset_ms": int(max(offset, 0)),
        "user_rating": (_number(data.get("rating")) or 0.0) if kind == "rate" else 0.0,
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
    t = _WEBHOOKS
    mark = (
        t.update()
        .where(t.c.id == sa.bindparam("row_id"), t.c.processed_at.is_(None))
        .values(processed_at=utcnow(), status=sa.bindparam("row_status"), reason=sa.bindparam("row_reason"))
    )
    with _writing() as conn:
        if plan.watches:
            conn.execute(_insert_ignoring_duplicates(conn.dialect.name), plan.watches)
        if plan.outcomes:
            conn.execute(mark, plan.outcomes)


def _insert_ignoring_duplicates(dialect: str) -> sa.Insert:
    insert = dialect_insert(dialect)(_WATCHES)
    return insert.on_conflict_do_nothing(index_elements=["dedupe_key"])


def _sync_item(row: _Row, rating_key: str) -> None:
    """Claim the row, then fetch the item from Plex; a failure marks the row, never the batch."""
    t = _WEBHOOKS
    with _writing() as conn:
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
        with _writing() as conn:
            conn.execute(t.update().where(t.c.id == row.id).values(status=WebhookStatus.FAILED, reason=failure))


# --- payload field access (every field may be missing or of the wrong type) -------------------


def _metadata(data: dict[str, Any]) -> dict[str, Any]:
    meta = data.get("Metadata")
    return meta if isinstance(meta, dict) else {}


def _rating_key(data: dict[str, Any]) -> str | None:
    key = _metadata(data).get("ratingKey")
    return str(key)[:32] if isinstance(key, (str, int)) and not isinstance(key, bool) and str(key) else None


def _account_id(data: dict[str, Any]) -> int | None:
    account = data.get("Account")
    value = account.get("id") if isinstance(account, dict) else None
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _epoch(value: Any) -> datetime | None:
    number = _number(value)
    if number is None or number <= 0:
        return None
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


# --- the background worker --------------------------------------------------------------------


@dataclass(frozen=True)
class _Worker:
    loop: asyncio.AbstractEventLoop
    wake: asyncio.Event


_worker: _Worker | None = None


def worker_enabled() -> bool:
    return get_settings().webhook_worker_enabled


def notify() -> None:
    """Wake the worker (after an accepted delivery); safe from any thread, a no-op without a worker."""
    worker = _worker
    if worker is None:
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is worker.loop:
        worker.wake.set()
    else:
        worker.loop.call_soon_threadsafe(worker.wake.set)


@contextlib.asynccontextmanager
async def worker_lifespan() -> AsyncIterator[None]:
    """Run the queue worker for the life of the app: drains leftovers first, then wakes on notify() or every second."""
    global _worker
    if not worker_enabled():
        logger.info("webhook_worker_disabled")
        yield
        return
    worker = _Worker(asyncio.get_running_loop(), asyncio.Event())
    _worker = worker
    task = asyncio.create_task(_run(worker.wake), name="smartplex-webhook-worker")
    try:
        yield
    finally:
        if _worker is worker:
            _worker = None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _run(wake: asyncio.Event) -> None:
    while True:
        wake.clear()
        try:
            while await asyncio.to_thread(process_pending, BATCH) == BATCH:
                pass
        except Exception:
            logger.exception("webhook_worker_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), POLL_SECONDS)
        # Let a burst gather into one batch: per-batch overhead, paid for every few rows, would
        # otherwise take the GIL from the requests being received.
        await asyncio.sleep(SETTLE_SECONDS)
