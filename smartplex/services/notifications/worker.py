"""The delivery worker: a lifespan task that sends what the outbox holds, leftovers from before a restart first,
then whenever `wake()` is called or every POLL_SECONDS (retries come due by themselves)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from smartplex.config import get_settings
from smartplex.log import get_logger
from smartplex.services.notifications.outbox import BATCH, process_due
from smartplex.services.scheduler import worker_id

log = get_logger(__name__)

POLL_SECONDS = 2.0
SETTLE_SECONDS = 0.1  # the notification's transaction commits just after it wakes us


@dataclass(frozen=True)
class _Worker:
    loop: asyncio.AbstractEventLoop
    wake: asyncio.Event


_worker: _Worker | None = None


def running() -> bool:
    """Whether a delivery worker runs in this process."""
    return _worker is not None


def wake() -> None:
    """Have the worker look at the outbox now; safe from any thread, a no-op without a worker."""
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
async def delivery_lifespan() -> AsyncIterator[None]:
    """Run the delivery worker for the life of the app (SMARTPLEX_NOTIFICATION_WORKER=0 switches it off)."""
    global _worker
    if not get_settings().notification_worker_enabled:
        yield
        return
    worker = _Worker(asyncio.get_running_loop(), asyncio.Event())
    _worker = worker
    task = asyncio.create_task(_run(worker.wake), name="smartplex-delivery-worker")
    try:
        yield
    finally:
        if _worker is worker:
            _worker = None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _run(wake: asyncio.Event) -> None:
    owner = worker_id()
    while True:
        wake.clear()
        try:
            while await process_due(owner=owner) == BATCH:
                pass
        except Exception:  # the next round tries again; a lease left behind expires
            log.exception("notification.worker_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), POLL_SECONDS)
        await asyncio.sleep(SETTLE_SECONDS)
