"""The queue worker: a lifespan task that drains leftovers first, then wakes on `notify()` or every second."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from smartplex import log
from smartplex.config import get_settings
from smartplex.services.plex.webhooks.processing import BATCH, process_pending

logger = log.get_logger(__name__)

POLL_SECONDS = 1.0
SETTLE_SECONDS = 0.2


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
