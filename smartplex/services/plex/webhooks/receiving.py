"""Receiving Plex webhooks: check who is calling and what, then record exactly one `webhook_event` row per
delivery: accepted, rejected (with a reason), duplicate or failed.

Accepted rows keep the payload text and are the durable queue (see `processing`). Rows that need no processing
(rejected, duplicate) get `processed_at` at once, so "processed_at IS NULL" is exactly the queue and its index
stays small. The route calls `receive_async()`, which hands deliveries to one writer thread that records
whatever arrived meanwhile in one transaction. The secret from the URL is never stored or logged; only its
SHA-256 is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from smartplex import log
from smartplex.db import get_engine, write_transaction
from smartplex.models import SERVERS, WEBHOOK_EVENTS, WebhookStatus, utcnow
from smartplex.services.plex import servers
from smartplex.services.plex.webhooks.payload import Payload, WebhookRejected, parse_body

logger = log.get_logger(__name__)

SOURCE = "plex"
DUPLICATE_WINDOW = timedelta(hours=24)
CACHE_TTL = 5.0
MAX_GROUP = 64
UNKNOWN_URL = "unknown webhook URL"


@dataclass(frozen=True)
class Receipt:
    status: str
    reason: str | None
    http_status: int
    event_id: int | None = None


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
        live = sa.select(SERVERS.c.machine_id, SERVERS.c.id).where(
            SERVERS.c.owner_id == owner_id, SERVERS.c.removed_at.is_(None)
        )
        rows = conn.execute(live).all()
    known = {machine: server_id for machine, server_id in rows}
    _servers[owner_id] = (known, time.monotonic() + CACHE_TTL)
    return known.get(machine_id)




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
        with write_transaction() as conn:
            return [_record(conn, c) for c in checked]
    except Exception:
        logger.exception("webhook_record_failed", deliveries=len(checked))
        return None


def _check(d: Delivery) -> _Checked:
    owner_id: int | None = None
    try:
        owner_id = _owner_for(d.secret)
        if owner_id is None:
            return _Checked(None, d.remote_ip, rejection=WebhookRejected(UNKNOWN_URL, 404))
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
    return conn.execute(WEBHOOK_EVENTS.insert().values(values).returning(WEBHOOK_EVENTS.c.id)).scalar_one()


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
    t = WEBHOOK_EVENTS
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

