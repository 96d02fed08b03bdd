"""The record of sync runs (`sync_run`), when a server last synced and what kind of sync is due, and the
server's circuit breaker (services.integrations.breaker on the server's `plex` integration row)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from smartplex.db import dialect_insert, session
from smartplex.log import get_logger
from smartplex.models import Integration, IntegrationKind, Server, SyncRun, utcnow
from smartplex.services import recommendations
from smartplex.services.integrations import breaker
from smartplex.services.notifications import watchdog
from smartplex.services.plex import servers

log = get_logger(__name__)

FULL_EVERY = timedelta(days=7)


@dataclass
class SyncResult:
    run_id: int
    kind: str
    status: str
    items_seen: int
    items_changed: int
    items_removed: int
    duration_ms: int
    error: str | None


@dataclass
class Counts:
    seen: int = 0
    changed: int = 0
    removed: int = 0
    keys: set[str] = field(default_factory=set)


def open_run(server_id: int, kind: str, trigger: str, started_at: datetime) -> int:
    with session() as s:
        run = SyncRun(server_id=server_id, kind=kind, trigger=trigger, status="running", started_at=started_at)
        s.add(run)
        s.flush()
        return run.id or 0


def close_run(run_id: int, kind: str, status: str, counts: Counts, began: float, error: str | None) -> SyncResult:
    """Record how a sync ended. When it changed the library, recommendations rebuild in the background now, so
    the next member to open the dashboard does not wait for them."""
    duration_ms = int((time.monotonic() - began) * 1000)
    with session() as s:
        run = s.get(SyncRun, run_id)
        if run is not None:
            run.status, run.finished_at, run.duration_ms = status, utcnow(), duration_ms
            run.items_seen, run.items_changed, run.items_removed = counts.seen, counts.changed, counts.removed
            run.error = error[:2000] if error else None
    if run is not None and (counts.changed or counts.removed):
        recommendations.refresh_soon(run.server_id)
    if run is not None and status in ("succeeded", "failed"):
        try:
            watchdog.after_sync(run.server_id)  # two failures in a row alert the admins
        except Exception:  # the sync's own record stands whatever the alert does
            log.exception("plex.sync.alert_failed", run_id=run_id)
    log.info("plex.sync.finished", run_id=run_id, kind=kind, status=status, seen=counts.seen, changed=counts.changed,
             removed=counts.removed, duration_ms=duration_ms, error=error)  # fmt: skip
    return SyncResult(run_id, kind, status, counts.seen, counts.changed, counts.removed, duration_ms, error)


def last_sync(server: Server) -> datetime | None:
    """When the last successful sync of any kind started."""
    return max(filter(None, (server.last_full_sync_at, server.last_incremental_sync_at)), default=None)


def resolve_kind(server: Server, kind: str, now: datetime) -> str:
    """ "auto" is full when the last full sync is missing or a week old; "incremental" needs an earlier sync."""
    if kind not in ("auto", "full", "incremental"):
        raise ValueError(f"unknown sync kind {kind!r}")
    if kind == "incremental" and last_sync(server) is None:
        return "full"
    if kind == "auto":
        stale = server.last_full_sync_at is None or now - server.last_full_sync_at > FULL_EVERY
        return "full" if stale else "incremental"
    return kind


def record_success(server_id: int, kind: str, started_at: datetime) -> None:
    with session() as s:
        server = s.get(Server, server_id)
        assert server is not None
        if kind == "full":
            server.last_full_sync_at = started_at
        else:
            server.last_incremental_sync_at = started_at


# --------------------------------------------------------------------------- the server's circuit


def integration_row(s: Session, server: Server) -> Integration:
    """The server's `plex` integration row, which holds the circuit state (created on demand, race-free)."""
    s.exec(
        dialect_insert(s.get_bind().dialect.name)(Integration)
        .values(server_id=server.id, kind=IntegrationKind.PLEX, base_url="")
        .on_conflict_do_nothing(index_elements=["server_id", "kind"])
    )
    row = s.exec(
        select(Integration).where(Integration.server_id == server.id, Integration.kind == IntegrationKind.PLEX)
    ).one()
    row.base_url = server.preferred_connection_url or row.base_url
    return row


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def circuit_gate(server_id: int, now: datetime) -> str | None:
    """The error to return, without contacting Plex, while the server's circuit is open."""
    with session() as s:
        server = s.get(Server, server_id)
        assert server is not None
        row = integration_row(s, server)
        retry_at = breaker.blocked_until(row, now)
        if retry_at is None:
            return None
        since = server.unreachable_since or row.circuit_opened_at or now
        if row.health_status == breaker.REJECTED:
            return f"Plex has rejected the stored token since {_when(since)}; next try after {_when(retry_at)}"
        return f"Plex unreachable since {_when(since)}; next try after {_when(retry_at)}"


def record_outcome(server_id: int, error: str | None, *, rejected: bool = False) -> None:
    """Count a finished attempt into the server's circuit and reachability. A `rejected` token is an answer:
    the server is reachable, and its status says "rejected", not "down"."""
    with session() as s:
        server = s.get(Server, server_id)
        assert server is not None
        breaker.record(integration_row(s, server), error, utcnow(), rejected=rejected)
    servers.mark_reachable(server_id, error is None or rejected)
