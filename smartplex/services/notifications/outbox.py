"""The outbox: notifications on their way outside the app, one row per (notification, destination).

Rows are written in the transaction that writes the notification (`enqueue`), so a delivery is never lost to a
stopped process; the worker (worker.py) sends them off the request path. A worker claims a due row with a lease
(a conditional UPDATE only one claimer wins; a lease left by a killed worker expires and the row is tried again),
sends it through Apprise in a thread pool of its own, bounded by DEADLINE_SECONDS, and records what happened:
sent, or the error and the next try after a growing pause, until MAX_ATTEMPTS (a test is tried once). A
destination that hangs holds one thread at most: its other rows wait until that send has given up, and nothing
else waits for it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from smartplex.db import reading, write_transaction
from smartplex.log import get_logger, redact_text
from smartplex.models import CHANNELS, DELIVERIES, NOTIFICATIONS, iso, utcnow
from smartplex.services import preferences, vault
from smartplex.services.notifications import apprise_url

log = get_logger(__name__)

D, C, N = DELIVERIES, CHANNELS, NOTIFICATIONS
BATCH = 20
MAX_ATTEMPTS = 5
RETRY_AFTER = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30))
LEASE = timedelta(minutes=2)
DEADLINE_SECONDS = 30.0  # a whole send; Apprise's own socket timeouts (apprise_url) end it sooner
PENDING, SENT, FAILED = "pending", "sent", "failed"
TEST_TITLE = "SmartPlex test"
TEST_BODY = "If you can read this, SmartPlex can reach you here."

_pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="smartplex-delivery")
_sending: set[int] = set()  # channels with a send under way in this process (a hung one stays here until it gives up)
_sending_lock = threading.Lock()


def enqueue(conn: sa.Connection, notification_id: int, user_id: int, kind: str) -> int:
    """Queue the notification for each of the person's destinations that takes its kind (on the caller's
    transaction); how many."""
    now = utcnow()
    channels = conn.execute(sa.select(C.c.id, C.c.kinds).where(C.c.user_id == user_id)).all()
    rows = [{"channel_id": channel_id, "notification_id": notification_id, "status": PENDING, "attempts": 0,
             "next_attempt_at": now, "created_at": now}
            for channel_id, kinds in channels if kind in (kinds or [])]  # fmt: skip
    if rows:
        conn.execute(D.insert(), rows)
    return len(rows)


def enqueue_test(user_id: int, channel_id: int) -> int | None:
    """Queue a test message to one of the person's destinations; its delivery id (None: no such destination)."""
    now = utcnow()
    with write_transaction() as conn:
        if conn.execute(sa.select(C.c.id).where(C.c.id == channel_id, C.c.user_id == user_id)).first() is None:
            return None
        return conn.execute(
            D.insert()
            .values(channel_id=channel_id, notification_id=None, status=PENDING, attempts=0, next_attempt_at=now, created_at=now)
            .returning(D.c.id)
        ).scalar_one()


# --------------------------------------------------------------------------- the worker's side


@dataclass(frozen=True)
class Job:
    delivery_id: int
    channel_id: int
    attempts: int
    test: bool
    url_encrypted: str
    title: str
    body: str
    link: str


def claim(now: datetime, owner: str, limit: int = BATCH) -> list[Job]:
    """Take the leases of up to `limit` due deliveries, at most one per destination and none for a destination
    this process is still sending to."""
    with _sending_lock:
        busy = set(_sending)
    free = sa.or_(D.c.lease_owner.is_(None), D.c.lease_expires_at < now)
    due = sa.select(D.c.id, D.c.channel_id).where(D.c.status == PENDING, D.c.next_attempt_at <= now, free)
    if busy:
        due = due.where(D.c.channel_id.not_in(busy))
    with reading() as conn:
        candidates = conn.execute(due.order_by(D.c.next_attempt_at, D.c.id).limit(limit * 4)).all()
    picked: dict[int, int] = {}
    for delivery_id, channel_id in candidates:
        picked.setdefault(channel_id, delivery_id)
    claimed: list[int] = []
    with write_transaction() as conn:
        for delivery_id in list(picked.values())[:limit]:
            won = conn.execute(
                D.update()
                .where(D.c.id == delivery_id, D.c.status == PENDING, free)
                .values(lease_owner=owner[:128], lease_expires_at=now + LEASE)
            ).rowcount
            if won:
                claimed.append(delivery_id)
        if not claimed:
            return []
        rows = conn.execute(
            sa.select(D.c.id, D.c.channel_id, D.c.attempts, D.c.notification_id, C.c.url_encrypted, N.c.title, N.c.body,
                      N.c.link, N.c["items"])
            .select_from(D.join(C, C.c.id == D.c.channel_id).outerjoin(N, N.c.id == D.c.notification_id))
            .where(D.c.id.in_(claimed))
            .order_by(D.c.id)
        ).all()  # fmt: skip
    return [_job(r) for r in rows]


def _job(row: sa.Row) -> Job:
    if row.notification_id is None:
        return Job(row.id, row.channel_id, row.attempts, True, row.url_encrypted, TEST_TITLE, TEST_BODY, "")
    titles = [f"• {i.get('title')}" + (f" ({i.get('year')})" if i.get("year") else "") for i in row.items or [] if isinstance(i, dict)]
    body = "\n".join([row.body or "", *titles]).strip()
    return Job(row.id, row.channel_id, row.attempts, False, row.url_encrypted, row.title, body, row.link or "")


def _text(job: Job) -> tuple[str, str]:
    """Title and body as sent: the body ends with the page to open, when SmartPlex knows its public address."""
    origin = preferences.public_url()
    body = job.body or job.title  # services refuse a message without a body
    if job.link and origin:
        return job.title, f"{body}\n\n{origin}{job.link}"
    return job.title, body


def _send(job: Job) -> str | None:
    """Runs in the delivery pool; the destination counts as busy until it returns, however long that takes."""
    try:
        try:
            url = vault.decrypt(job.url_encrypted)
        except vault.VaultError:
            return "The destination cannot be read with the current secret key: add it again."
        title, body = _text(job)
        return apprise_url.send(url, title, body)
    finally:
        with _sending_lock:
            _sending.discard(job.channel_id)


async def deliver(job: Job, now: datetime | None = None) -> str | None:
    """Send one claimed delivery and record the outcome (as of `now`, by default when the send ended); the error,
    or None when it was sent."""
    with _sending_lock:
        _sending.add(job.channel_id)
    future = asyncio.get_running_loop().run_in_executor(_pool, _send, job)
    try:
        error = await asyncio.wait_for(asyncio.shield(future), DEADLINE_SECONDS)
    except TimeoutError:
        error = f"No answer within {DEADLINE_SECONDS:.0f} s."
    await asyncio.to_thread(finish, job, error, now or utcnow())
    return error


def finish(job: Job, error: str | None, now: datetime) -> str:
    """Record a send: sent; or the error, and another try later unless the attempts are used up. The status."""
    attempts = job.attempts + 1
    if error is None:
        status, values = SENT, {"finished_at": now, "last_error": None}
    elif job.test or attempts >= MAX_ATTEMPTS:
        status, values = FAILED, {"finished_at": now, "last_error": error[:500]}
    else:
        status = PENDING
        values = {"next_attempt_at": now + RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1], "last_error": error[:500]}
    with write_transaction() as conn:
        conn.execute(
            D.update().where(D.c.id == job.delivery_id)
            .values(status=status, attempts=attempts, lease_owner=None, lease_expires_at=None, **values)
        )  # fmt: skip
        channel = {"last_sent_at": now} if error is None else {"last_error": error[:500], "last_error_at": now}
        conn.execute(C.update().where(C.c.id == job.channel_id).values(**channel))
    if error is not None:
        log.warning("notification.delivery_failed", delivery_id=job.delivery_id, attempts=attempts, status=status,
                    error=redact_text(error))  # fmt: skip
    return status


async def process_due(now: datetime | None = None, owner: str = "local") -> int:
    """Send what is due now, concurrently; how many deliveries were claimed."""
    jobs = await asyncio.to_thread(claim, now or utcnow(), owner)
    await asyncio.gather(*(deliver(job, now) for job in jobs))
    return len(jobs)


# --------------------------------------------------------------------------- what the person sees


@dataclass(frozen=True)
class DeliveryView:
    id: int
    channel_label: str
    title: str
    status: str  # sent | retrying | failed | pending
    attempts: int
    error: str
    created_at: str
    finished_at: str | None
    next_attempt_at: str | None


def _delivery_view(row: sa.Row) -> DeliveryView:
    retrying = row.status == PENDING and row.attempts > 0
    return DeliveryView(
        row.id, row.label, row.title or TEST_TITLE, "retrying" if retrying else row.status, row.attempts, row.last_error or "",
        iso(row.created_at) or "", iso(row.finished_at), iso(row.next_attempt_at) if row.status == PENDING else None,
    )  # fmt: skip


def _deliveries(user_id: int) -> sa.Select:
    return (
        sa.select(D.c.id, C.c.label, N.c.title, D.c.status, D.c.attempts, D.c.last_error, D.c.created_at, D.c.finished_at,
                  D.c.next_attempt_at)
        .select_from(D.join(C, C.c.id == D.c.channel_id).outerjoin(N, N.c.id == D.c.notification_id))
        .where(C.c.user_id == user_id)
    )  # fmt: skip


def recent(user_id: int, limit: int = 15) -> list[DeliveryView]:
    """The person's latest deliveries, newest first."""
    with reading() as conn:
        rows = conn.execute(_deliveries(user_id).order_by(D.c.id.desc()).limit(limit)).all()
    return [_delivery_view(r) for r in rows]


def one(user_id: int, delivery_id: int) -> DeliveryView | None:
    with reading() as conn:
        row = conn.execute(_deliveries(user_id).where(D.c.id == delivery_id)).first()
    return _delivery_view(row) if row is not None else None
