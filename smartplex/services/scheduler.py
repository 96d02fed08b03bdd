"""Scheduled library syncs: the `sync_schedule` table, a database lease, and the lifespan scheduler.

Every backend worker (on every host) runs the same minute tick. Correctness comes from the lease in
the database: a worker claims a due schedule with a conditional UPDATE that succeeds for exactly one
worker (SQLite serialises writers; PostgreSQL re-checks the WHERE clause after a concurrent update),
runs it, records the outcome and releases the lease. A lease left behind by a killed worker expires;
a running sync keeps extending its own. The schedules of one server (incremental, full) never run at
the same time either.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

from smartplex.config import get_settings
from smartplex.db import get_engine, session
from smartplex.log import get_logger, redact_text
from smartplex.models import SERVERS, SYNC_SCHEDULES, Server, SyncSchedule, iso, utcnow

log = get_logger(__name__)

DEFAULT_INTERVALS = {"incremental": 15, "full": 7 * 24 * 60}
MIN_INTERVAL = 5
MAX_INTERVAL = 30 * 24 * 60
LEASE_SECONDS = 30 * 60
TICK_SECONDS = 60
SHUTDOWN_WAIT_SECONDS = 10.0
_HEARTBEAT_POLL = 0.5

TABLE = SYNC_SCHEDULES


class ScheduleError(ValueError):
    """A schedule cannot be changed as asked; the message is safe to show."""


@dataclass(frozen=True)
class ScheduleView:
    """A schedule as pages may show it (ISO 8601 strings for times)."""

    id: int
    server_id: int
    server_name: str
    kind: str
    interval_minutes: int
    enabled: bool
    last_run_at: str | None
    next_run_at: str | None
    run_count: int
    last_error: str | None
    running: bool

    @classmethod
    def of(cls, row: SyncSchedule, server_name: str, now: datetime) -> ScheduleView:
        running = row.lease_owner is not None and row.lease_expires_at is not None and row.lease_expires_at > now
        return cls(
            id=row.id or 0,
            server_id=row.server_id,
            server_name=server_name,
            kind=row.kind,
            interval_minutes=row.interval_minutes,
            enabled=row.enabled,
            last_run_at=iso(row.last_run_at),
            next_run_at=iso(row.next_run_at),
            run_count=row.run_count,
            last_error=row.last_error,
            running=running,
        )


_identity: tuple[int, str] | None = None


def worker_id() -> str:
    """This process's lease owner name: hostname, pid and a random suffix (new after a fork)."""
    global _identity
    pid = os.getpid()
    if _identity is None or _identity[0] != pid:
        _identity = (pid, f"{socket.gethostname()[:64]}:{pid}:{secrets.token_hex(4)}")
    return _identity[1]


# --------------------------------------------------------------------------- what the admin sees and edits


def ensure_default_schedules(server_id: int) -> list[ScheduleView]:
    """Create the missing default schedules of a server (incremental every 15 minutes, full weekly)."""
    now = utcnow()
    rows = [
        {"server_id": server_id, "kind": kind, "interval_minutes": minutes, "enabled": True, "run_count": 0,
         "next_run_at": now + timedelta(minutes=minutes)}
        for kind, minutes in DEFAULT_INTERVALS.items()
    ]  # fmt: skip
    with get_engine().begin() as conn:
        if conn.execute(sa.select(SERVERS.c.id).where(SERVERS.c.id == server_id)).first() is None:
            raise ScheduleError("No such server.")
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        # Existing schedules keep their settings, also when another worker creates them at the same moment.
        conn.execute(insert(TABLE).on_conflict_do_nothing(index_elements=["server_id", "kind"]), rows)
    return list_schedules(server_id)


def list_schedules(server_id: int | None = None) -> list[ScheduleView]:
    """Every schedule (or one server's), ordered by server and kind."""
    now = utcnow()
    with session() as s:
        query = select(SyncSchedule, Server.name).join(Server, col(Server.id) == SyncSchedule.server_id)
        if server_id is not None:
            query = query.where(SyncSchedule.server_id == server_id)
        rows = s.exec(query.order_by(col(SyncSchedule.server_id), col(SyncSchedule.kind))).all()
        return [ScheduleView.of(row, name, now) for row, name in rows]


def _view(schedule_id: int) -> ScheduleView:
    with session() as s:
        found = s.exec(
            select(SyncSchedule, Server.name)
            .join(Server, col(Server.id) == SyncSchedule.server_id)
            .where(SyncSchedule.id == schedule_id)
        ).first()
    if found is None:
        raise ScheduleError("No such schedule.")
    return ScheduleView.of(found[0], found[1], utcnow())


def update_schedule(
    schedule_id: int, *, interval_minutes: int | None = None, enabled: bool | None = None
) -> ScheduleView:
    """Change the interval (5 minutes to 30 days) and/or switch the schedule on or off.

    A new interval counts from the last run (or from now), so shortening it takes effect at once.
    """
    if interval_minutes is not None:
        if isinstance(interval_minutes, bool) or not isinstance(interval_minutes, int):
            raise ScheduleError("The interval must be a whole number of minutes.")
        if not MIN_INTERVAL <= interval_minutes <= MAX_INTERVAL:
            raise ScheduleError(
                f"The interval must be between {MIN_INTERVAL} minutes and {MAX_INTERVAL // 1440} days "
                f"({MAX_INTERVAL} minutes)."
            )
    if enabled is not None and not isinstance(enabled, bool):
        raise ScheduleError("Enabled must be true or false.")
    with session() as s:
        row = s.get(SyncSchedule, schedule_id)
        if row is None:
            raise ScheduleError("No such schedule.")
        if interval_minutes is not None and interval_minutes != row.interval_minutes:
            row.interval_minutes = interval_minutes
            row.next_run_at = (row.last_run_at or utcnow()) + timedelta(minutes=interval_minutes)
        if enabled is not None:
            row.enabled = enabled
    return _view(schedule_id)


def run_now(schedule_id: int) -> ScheduleView:
    """Make the schedule due now: the next tick of any worker runs it."""
    with session() as s:
        row = s.get(SyncSchedule, schedule_id)
        if row is None:
            raise ScheduleError("No such schedule.")
        row.next_run_at = utcnow()
    return _view(schedule_id)


# --------------------------------------------------------------------------- the lease


def _due_ids(now: datetime) -> list[int]:
    free = sa.or_(TABLE.c.lease_owner.is_(None), TABLE.c.lease_expires_at < now)
    due = sa.and_(TABLE.c.enabled.is_(True), TABLE.c.next_run_at <= now, free)
    with get_engine().connect() as conn:
        query = sa.select(TABLE.c.id).where(due).order_by(TABLE.c.next_run_at, TABLE.c.id)
        return list(conn.execute(query).scalars())


def claim(schedule_id: int, now: datetime, owner: str, lease_seconds: float = LEASE_SECONDS) -> bool:
    """Take the lease of one due schedule; True for exactly one of several concurrent callers.

    The UPDATE is the first statement of its own transaction, so SQLite waits for the write lock
    (busy_timeout) and then sees the latest row; PostgreSQL re-evaluates the WHERE clause on the row
    a concurrent claimer committed. Due-ness is checked again, so a schedule another worker has just
    run and released is not run twice. A schedule whose server another worker is syncing (a live
    lease on a sibling schedule) waits: one server syncs one schedule at a time.
    """
    sibling = TABLE.alias("sibling")
    server_busy = sa.exists().where(
        sibling.c.server_id == TABLE.c.server_id,
        sibling.c.id != TABLE.c.id,
        sibling.c.lease_owner != owner,
        sibling.c.lease_expires_at >= now,
    )
    stmt = (
        sa.update(TABLE)
        .where(
            TABLE.c.id == schedule_id,
            TABLE.c.enabled.is_(True),
            TABLE.c.next_run_at <= now,
            sa.or_(TABLE.c.lease_owner.is_(None), TABLE.c.lease_expires_at < now),
            ~server_busy,
        )
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
    )
    with get_engine().begin() as conn:
        if conn.dialect.name == "postgresql":
            # Claims on one server take turns, so `server_busy` sees a sibling claimed a moment ago
            # (SQLite serialises all writers already). NO KEY UPDATE does not wait for a running
            # sync's inserts that reference the server row.
            conn.execute(
                sa.select(SERVERS.c.id)
                .where(SERVERS.c.id == sa.select(TABLE.c.server_id).where(TABLE.c.id == schedule_id).scalar_subquery())
                .with_for_update(key_share=True)
            )
        return conn.execute(stmt).rowcount == 1


def claim_due(now: datetime, owner: str, lease_seconds: float = LEASE_SECONDS) -> list[int]:
    """Claim every due schedule whose lease is free or expired (a server's schedules all go to one owner);
    the ids this owner now holds."""
    return [sid for sid in _due_ids(now) if claim(sid, now, owner, lease_seconds)]


def _extend(schedule_id: int, owner: str, lease_seconds: float) -> bool:
    stmt = (
        sa.update(TABLE)
        .where(TABLE.c.id == schedule_id, TABLE.c.lease_owner == owner)
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
    )
    with get_engine().begin() as conn:
        return conn.execute(stmt).rowcount == 1


class _Heartbeat:
    """While a sync runs: extend its lease every third of `lease_seconds`, and set `cancel` when the
    lease is lost or the worker is stopping."""

    def __init__(self, schedule_id: int, owner: str, lease_seconds: float, stop: threading.Event | None) -> None:
        self.schedule_id, self.owner, self.lease_seconds, self.stop = schedule_id, owner, lease_seconds, stop
        self.cancel = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{schedule_id}", daemon=True)

    def __enter__(self) -> threading.Event:
        self._thread.start()
        return self.cancel

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        every = self.lease_seconds / 3
        renew_at = time.monotonic() + every
        while not self._done.wait(min(_HEARTBEAT_POLL, every)):
            if self.stop is not None and self.stop.is_set():
                self.cancel.set()
            if time.monotonic() < renew_at:
                continue
            try:
                kept = _extend(self.schedule_id, self.owner, self.lease_seconds)
            except Exception:  # the database may come back before the lease expires
                log.warning("scheduler.lease_extend_failed", schedule_id=self.schedule_id, exc_info=True)
                kept = True
            if not kept:
                log.warning("scheduler.lease_lost", schedule_id=self.schedule_id)
                self.cancel.set()
                return
            renew_at = time.monotonic() + every


def _finish(schedule_id: int, owner: str, claimed_at: datetime, started: datetime, error: str | None) -> None:
    """Record a run and release the lease if it is still ours.

    The next run counts from the finish time, unless someone moved `next_run_at` while it ran
    (run now, a new interval), which is kept.
    """
    finished = utcnow()
    with get_engine().connect() as conn:
        row = conn.execute(
            sa.select(TABLE.c.interval_minutes, TABLE.c.next_run_at).where(TABLE.c.id == schedule_id)
        ).first()
    if row is None:  # the server (and its schedules) was deleted meanwhile
        return
    interval, next_run_at = row
    if next_run_at is None or next_run_at <= claimed_at:
        next_run_at = finished + timedelta(minutes=interval)
    ours = TABLE.c.lease_owner == owner
    stmt = (
        sa.update(TABLE)
        .where(TABLE.c.id == schedule_id)
        .values(
            last_run_at=started,
            next_run_at=next_run_at,
            run_count=TABLE.c.run_count + 1,
            last_error=error[:1000] if error else None,
            lease_owner=sa.case((ours, None), else_=TABLE.c.lease_owner),
            lease_expires_at=sa.case((ours, None), else_=TABLE.c.lease_expires_at),
        )
    )
    with get_engine().begin() as conn:
        conn.execute(stmt)


def _run_one(schedule_id: int, now: datetime, owner: str, lease_seconds: float, stop: threading.Event | None) -> str:
    """Run one claimed schedule through the sync service and record the outcome; returns its status."""
    from smartplex.services.plex import sync  # on first run, not when the app module registers the lifespan

    with session() as s:
        schedule = s.get(SyncSchedule, schedule_id)
    if schedule is None:  # deleted with its server since the claim
        return "skipped"
    started = utcnow()
    try:
        with _Heartbeat(schedule_id, owner, lease_seconds, stop) as cancel:
            result = sync.run_sync(schedule.server_id, kind=schedule.kind, trigger="scheduler", cancel=cancel)
        status, error = result.status, result.error
    except Exception as exc:  # a crashed job is recorded on its schedule
        status, error = "failed", redact_text(f"{type(exc).__name__}: {exc}")
        log.exception("scheduler.run_crashed", schedule_id=schedule_id)
    _finish(schedule_id, owner, now, started, error)
    log.info("scheduler.run", schedule_id=schedule_id, server_id=schedule.server_id, kind=schedule.kind,
             status=status, error=error)  # fmt: skip
    return status


def run_due(
    now: datetime | None = None,
    owner: str | None = None,
    *,
    lease_seconds: float = LEASE_SECONDS,
    stop: threading.Event | None = None,
) -> list[tuple[int, str]]:
    """Run the schedules due at `now`, one after another; (schedule id, status) for those this worker ran.

    Each schedule is claimed just before it runs, so workers ticking at the same time share the due
    list instead of one holding every lease. Setting `stop` cancels the running sync and starts no more.
    """
    now = now or utcnow()
    owner = owner or worker_id()
    ran: list[tuple[int, str]] = []
    for schedule_id in _due_ids(now):
        if stop is not None and stop.is_set():
            break
        if claim(schedule_id, now, owner, lease_seconds):
            ran.append((schedule_id, _run_one(schedule_id, now, owner, lease_seconds, stop)))
    return ran


# --------------------------------------------------------------------------- the lifespan task


@contextlib.asynccontextmanager
async def scheduler_lifespan() -> AsyncIterator[AsyncIOScheduler | None]:
    """Tick every minute in this worker while the app runs (yields the scheduler, or None when off).

    Register with `app.register_lifespan_task(scheduler_lifespan)`; SMARTPLEX_SCHEDULER=0 turns it off.
    """
    if not get_settings().scheduler_enabled:
        yield None
        return
    owner, stop, busy = worker_id(), threading.Event(), threading.Lock()

    def tick() -> None:
        with busy:
            run_due(owner=owner, stop=stop)

    async def job() -> None:
        try:
            await asyncio.to_thread(tick)
        except asyncio.CancelledError:  # shutdown: `stop` winds the sync down and the lifespan waits for it
            pass
        except Exception:  # the next tick tries again
            log.exception("scheduler.tick_failed")

    def poll_overseerr() -> None:
        from smartplex.services.overseerr import poll  # on first run, like the sync

        poll.poll_due(owner)

    async def overseerr_job() -> None:
        try:
            await asyncio.to_thread(poll_overseerr)
        except Exception:  # the next tick tries again
            log.exception("scheduler.overseerr_poll_failed")

    async def monitoring_job() -> None:
        from smartplex.services import monitoring  # on first run, like the sync

        await monitoring.tick(owner)

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        job, "interval", seconds=TICK_SECONDS, id="sync_schedules", next_run_time=utcnow(),
        max_instances=1, coalesce=True, misfire_grace_time=TICK_SECONDS // 2,
    )  # fmt: skip
    # Seerr's missed webhooks: every worker ticks, the lease on the integration row lets one poll (services/overseerr/poll.py).
    scheduler.add_job(
        overseerr_job, "interval", seconds=TICK_SECONDS, id="overseerr_poll", next_run_time=utcnow(),
        max_instances=1, coalesce=True, misfire_grace_time=TICK_SECONDS // 2,
    )  # fmt: skip
    # Probes, admin alerts and digests (services/monitoring.py); each job claims its turn, so one worker runs it.
    scheduler.add_job(
        monitoring_job, "interval", seconds=TICK_SECONDS, id="monitoring", next_run_time=utcnow(),
        max_instances=1, coalesce=True, misfire_grace_time=TICK_SECONDS // 2,
    )  # fmt: skip
    scheduler.start()
    log.info("scheduler.started", owner=owner)
    try:
        yield scheduler
    finally:
        stop.set()
        scheduler.shutdown(wait=False)
        # Give a cancelled sync a moment to record itself and release its lease before the worker exits.
        if await asyncio.to_thread(busy.acquire, True, SHUTDOWN_WAIT_SECONDS):
            busy.release()
        log.info("scheduler.stopped", owner=owner)
