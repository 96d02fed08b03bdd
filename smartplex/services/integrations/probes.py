"""Health probes: ask every integration (each Plex server, Overseerr / Seerr, Tautulli, the AI provider) one cheap
question that also checks our credentials, and keep the answer.

Probes run concurrently, each bounded by the probe timeout (SMARTPLEX_PROBE_TIMEOUT), so probing everything takes
one timeout however many hang. The blocking clients run in a pool of their own; a probe whose thread is still
waiting on a hung service is not started again until that thread gives up, so probes never pile up, and "Test
now" while a probe runs shares its answer. Each result is a row in `integration_probe` (the card's latency
history, kept RETENTION), counts into the integration's health and circuit breaker, and tells the admins when the
integration goes down (a refused key at once, no answer twice in a row) or comes back, once per change.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlmodel import col, select

from smartplex import routes
from smartplex.config import get_settings
from smartplex.db import session, write_transaction
from smartplex.log import get_logger
from smartplex.models import PROBES, Integration, IntegrationKind, IntegrationProbe, Server, utcnow
from smartplex.services.integrations import ai_provider, breaker, store
from smartplex.services.notifications import alerts
from smartplex.services.notifications.kinds import INTEGRATION_HEALTH
from smartplex.services.overseerr.client import OverseerrClient, OverseerrError, OverseerrRejected, Timeouts
from smartplex.services.plex import connect, runs, servers
from smartplex.services.tautulli import importer
from smartplex.services.tautulli.client import TautulliClient, TautulliError

log = get_logger(__name__)

OK, SLOW, DEGRADED, DOWN, REJECTED = "ok", "slow", "degraded", "down", "rejected"
SLOW_MS = 1500
CONFIRM_DOWN = 2  # probes in a row that get no answer before the admins hear (a refused key is told at once)
CLIENT_SHARE, DEADLINE_SHARE = 0.8, 0.9  # of the probe timeout: the clients' own timeouts, and the hard stop
RETENTION = timedelta(days=7)
NAMES = {IntegrationKind.OVERSEERR: "Overseerr / Seerr", IntegrationKind.TAUTULLI: "Tautulli",
         IntegrationKind.OPENAI: "The AI provider"}  # fmt: skip

_pool = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="smartplex-probe")
_waiting: set[int] = set()  # integrations whose probe thread has not returned yet
_waiting_lock = threading.Lock()
_running: dict[int, asyncio.Future] = {}


@dataclass(frozen=True)
class Target:
    integration_id: int
    kind: str
    name: str
    server_id: int | None = None


@dataclass(frozen=True)
class Outcome:
    status: str
    latency_ms: int = 0
    version: str = ""
    error: str = ""  # why it is not healthy, in words ("" when it is)


def timeout() -> float:
    return get_settings().probe_timeout


def name_of(kind: str, server_name: str | None) -> str:
    return f"Plex · {server_name}" if kind == IntegrationKind.PLEX else NAMES.get(kind, kind)


def targets() -> list[Target]:
    """What there is to probe: every connected Plex server not removed (its integration row made on demand) and every
    configured household integration."""
    with session() as s:
        for server in s.exec(select(Server).where(col(Server.removed_at).is_(None)).order_by(col(Server.id))).all():
            runs.integration_row(s, server)
        rows = s.exec(
            select(Integration, Server.name).join(Server, col(Server.id) == Integration.server_id, isouter=True)
            .where(Integration.base_url != "").order_by(col(Integration.id))
        ).all()  # fmt: skip
    return [Target(row.id or 0, row.kind, name_of(row.kind, server), row.server_id) for row, server in rows]


def target(integration_id: int) -> Target | None:
    return next((t for t in targets() if t.integration_id == integration_id), None)


# --------------------------------------------------------------------------- asking each kind


def _judge(latency_ms: int, version: str = "", note: str = "") -> Outcome:
    if note:
        return Outcome(DEGRADED, latency_ms, version, note)
    if latency_ms > SLOW_MS:
        return Outcome(SLOW, latency_ms, version, f"Slow: answered in {latency_ms / 1000:.1f} s")
    return Outcome(OK, latency_ms, version)


async def _plex(t: Target, limit: float) -> Outcome:
    server = servers.get_server(t.server_id or 0)
    if server is None or not server.preferred_connection_url:
        return Outcome(DOWN, error="No address stored for this server")
    url, token = connect.connection(server.id or 0)
    async for probe in connect.probe_each([url], token, server.machine_id, min(limit, 3.0), limit):
        if probe.ok:
            return _judge(probe.latency_ms, probe.version)
        if probe.reason == "token rejected":
            return Outcome(REJECTED, error="Token rejected")
        if probe.reason == "wrong server":
            return Outcome(DOWN, error="Another Plex server answers at this address")
        if probe.reason == "not a Plex server":
            return Outcome(DOWN, error="Answered, but not as a Plex server (an HTML page?)")
        return Outcome(DOWN, error=f"Unreachable: {probe.reason}")
    return Outcome(DOWN, error="No address stored for this server")


def _seerr(limit: float) -> Outcome:
    connection = store.connection(IntegrationKind.OVERSEERR)
    if connection is None or not connection.secret:
        return Outcome(DOWN, error="No API key stored")
    began = time.perf_counter()
    with OverseerrClient(connection.base_url, connection.secret, timeouts=Timeouts(min(limit, 3.0), limit), attempts=1) as client:
        try:
            version = str(client.status().get("version") or "")[:32]
            latency = int((time.perf_counter() - began) * 1000)
            client.me()
        except OverseerrRejected:
            return Outcome(REJECTED, error="API key rejected")
        except OverseerrError as exc:
            return Outcome(DOWN, error=str(exc))
    return _judge(latency, version)


def _tautulli(limit: float) -> Outcome:
    connection = store.connection(IntegrationKind.TAUTULLI)
    if connection is None or not connection.secret:
        return Outcome(DOWN, error="No API key stored")
    try:
        with TautulliClient(connection.base_url, connection.secret, timeout=httpx.Timeout(limit, connect=min(limit, 3.0)),
                            attempts=1) as client:  # fmt: skip
            identity = client.identity()
    except TautulliError as exc:
        return Outcome(REJECTED, error="API key rejected") if exc.rejected else Outcome(DOWN, error=str(exc))
    try:
        importer.server_for(identity.machine_identifier)
        note = ""
    except TautulliError:
        note = "Watches a Plex server SmartPlex is not connected to: its history cannot be imported"
    return _judge(identity.latency_ms, identity.version, note)


def _ai(limit: float) -> Outcome:
    connection = store.connection(IntegrationKind.OPENAI)
    if connection is None:
        return Outcome(DOWN, error="Not configured")
    try:
        found = ai_provider.models(connection, limit)
    except ai_provider.ProviderError as exc:
        return Outcome(REJECTED if exc.rejected else DOWN, error=str(exc))
    model = str(connection.settings.get("model") or "")
    note = f"Does not offer the model {model}" if model and found.ids and model not in found.ids else ""
    return _judge(found.latency_ms, "", note)


_BLOCKING: dict[str, Callable[[float], Outcome]] = {
    IntegrationKind.OVERSEERR: _seerr, IntegrationKind.TAUTULLI: _tautulli, IntegrationKind.OPENAI: _ai,
}  # fmt: skip


def _in_pool(t: Target, limit: float) -> Outcome:
    try:
        return _BLOCKING[t.kind](limit)
    except Exception as exc:  # noqa: BLE001 - a probe reports, it never raises
        log.warning("integration.probe_crashed", integration_id=t.integration_id, error=type(exc).__name__)
        return Outcome(DOWN, error=f"The check failed: {type(exc).__name__}")
    finally:
        with _waiting_lock:
            _waiting.discard(t.integration_id)


async def ask(t: Target, limit: float | None = None) -> Outcome:
    """One probe of one integration, never longer than `limit` (the probe timeout, less a margin for storing the
    answer) and never raising. The clients get CLIENT_SHARE of it, so they usually give up themselves first."""
    limit = limit or timeout()
    began = time.perf_counter()
    if t.kind == IntegrationKind.PLEX:
        work: asyncio.Future | asyncio.Task = asyncio.ensure_future(_plex(t, limit * CLIENT_SHARE))
    else:
        with _waiting_lock:
            if t.integration_id in _waiting:
                return Outcome(DOWN, error="Still no answer to the previous check")
            _waiting.add(t.integration_id)
        work = asyncio.get_running_loop().run_in_executor(_pool, _in_pool, t, limit * CLIENT_SHARE)
    try:
        outcome = await asyncio.wait_for(work, limit * DEADLINE_SHARE)
    except TimeoutError:
        outcome = Outcome(DOWN, error=f"No answer within {limit:g} s")
    except Exception as exc:  # noqa: BLE001 - a probe reports, it never raises
        outcome = Outcome(DOWN, error=f"The check failed: {type(exc).__name__}")
    if outcome.status in (DOWN, REJECTED) and not outcome.latency_ms:
        outcome = Outcome(outcome.status, int((time.perf_counter() - began) * 1000), outcome.version, outcome.error)
    return outcome


# --------------------------------------------------------------------------- keeping the answer


def record(t: Target, outcome: Outcome, now: datetime | None = None) -> None:
    """Store the probe, count it into the integration's health and circuit, and tell the admins of a change."""
    now = now or utcnow()
    failed = outcome.status in (DOWN, REJECTED)
    with session() as s:
        row = s.get(Integration, t.integration_id)
        if row is None:  # removed meanwhile
            return
        breaker.record(row, outcome.error if failed else None, now, rejected=outcome.status == REJECTED)
        if not failed:
            row.last_latency_ms, row.health_status, row.last_error = outcome.latency_ms, outcome.status, outcome.error or None
        s.add(IntegrationProbe(integration_id=t.integration_id, checked_at=now, status=outcome.status, latency_ms=outcome.latency_ms,
                               version=outcome.version[:64] or None, error=outcome.error[:500] or None))  # fmt: skip
        failing = outcome.status == REJECTED or (failed and row.consecutive_failures >= CONFIRM_DOWN)
        alerts.raise_or_clear(
            s.connection(), f"integration:{t.integration_id}", failing, INTEGRATION_HEALTH,
            title=f"{t.name} refuses SmartPlex's credentials" if outcome.status == REJECTED else f"{t.name} is down",
            body=outcome.error, cleared_title=f"{t.name} is back", cleared_body="It answers again.",
            link=f"{routes.ADMIN_INTEGRATIONS}#integration-{t.integration_id}",
        )  # fmt: skip
    if t.server_id is not None:
        servers.mark_reachable(t.server_id, not failed or outcome.status == REJECTED)


async def probe(t: Target, limit: float | None = None) -> Outcome:
    """Ask one integration and keep the answer; a probe of it already under way is shared, not repeated."""
    running = _running.get(t.integration_id)
    if running is None or running.done() or running.get_loop() is not asyncio.get_running_loop():
        running = asyncio.ensure_future(_probe_and_record(t, limit))
        _running[t.integration_id] = running
        running.add_done_callback(lambda done, key=t.integration_id: _running.pop(key, None) if _running.get(key) is done else None)
    return await asyncio.shield(running)


async def _probe_and_record(t: Target, limit: float | None) -> Outcome:
    outcome = await ask(t, limit)
    await asyncio.to_thread(record, t, outcome)
    return outcome


async def probe_kind(kind: str, limit: float | None = None) -> Outcome:
    """Probe the household integration of `kind` now (after it was saved) and keep the answer."""
    found = next((t for t in await asyncio.to_thread(targets) if t.kind == kind and t.server_id is None), None)
    return await probe(found, limit) if found is not None else Outcome(DOWN, error="Not configured")


async def probe_all(limit: float | None = None) -> list[tuple[Target, Outcome]]:
    """Probe every integration at once; each answer, in the order of `targets()`."""
    found = await asyncio.to_thread(targets)
    outcomes = await asyncio.gather(*(probe(t, limit) for t in found))
    return list(zip(found, outcomes, strict=True))


def prune(now: datetime | None = None) -> int:
    """Forget probes older than RETENTION; how many."""
    with write_transaction() as conn:
        return conn.execute(sa.delete(PROBES).where(PROBES.c.checked_at < (now or utcnow()) - RETENTION)).rowcount
