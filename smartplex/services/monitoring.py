"""The watching the scheduler does besides syncs, ticked every minute by every worker; a recurring claim
(services/recurring.py) lets one worker run each job when it is due: probe the integrations, check the admins'
alerts (webhooks, storage), send the daily digests, forget old probes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from smartplex.log import get_logger
from smartplex.services import recurring
from smartplex.services.integrations import probes
from smartplex.services.notifications import digest, watchdog
from smartplex.services.plex import servers

log = get_logger(__name__)

PROBE_EVERY = timedelta(minutes=3)
ALERTS_EVERY = timedelta(minutes=5)
DIGEST_EVERY = timedelta(minutes=30)
PRUNE_EVERY = timedelta(hours=6)


async def _alerts() -> None:
    await asyncio.to_thread(watchdog.check_webhooks)
    await asyncio.to_thread(watchdog.check_storage)


async def _digests() -> None:
    server_id = await asyncio.to_thread(servers.default_server_id)
    if server_id:
        await asyncio.to_thread(digest.send_due, server_id)


async def _prune() -> None:
    await asyncio.to_thread(probes.prune)


JOBS: tuple[tuple[str, timedelta, Callable[[], Awaitable[object]]], ...] = (
    ("integration_probes", PROBE_EVERY, probes.probe_all),
    ("admin_alerts", ALERTS_EVERY, _alerts),
    ("digests", DIGEST_EVERY, _digests),
    ("prune_probes", PRUNE_EVERY, _prune),
)


async def tick(owner: str) -> list[str]:
    """Run the jobs that are due and this worker claimed; their names. A failing job is logged, the rest run."""
    ran = []
    for name, every, job in JOBS:
        try:
            if await asyncio.to_thread(recurring.claim, name, every, owner):
                ran.append(name)
                await job()
        except Exception:  # the next claim runs it again
            log.exception("monitoring.job_failed", job=name)
    return ran
