"""The queue worker: a lifespan task that drains leftovers first, then wakes on `notify()` or every second."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from smartplex import log
from smartplex.config import get_settings
from smartplex.services.plex.webhooks.processing import BATCH, process_pending
from smartplex.services.queue_worker import QueueWorker

logger = log.get_logger(__name__)

POLL_SECONDS = 1.0
# Let a burst gather into one batch: per-batch overhead, paid for every few rows, would otherwise take the GIL
# from the requests being received.
SETTLE_SECONDS = 0.2


async def _drain() -> bool:
    return await asyncio.to_thread(process_pending, BATCH) == BATCH


_worker = QueueWorker("smartplex-webhook-worker", _drain, poll_seconds=POLL_SECONDS, settle_seconds=SETTLE_SECONDS)
notify = _worker.wake
"""Wake the worker (after an accepted delivery); safe from any thread, a no-op without a worker."""


def worker_enabled() -> bool:
    return get_settings().webhook_worker_enabled


@contextlib.asynccontextmanager
async def worker_lifespan() -> AsyncIterator[None]:
    """Run the queue worker for the life of the app: drains leftovers first, then wakes on notify() or every second."""
    if not worker_enabled():
        logger.info("webhook_worker_disabled")
        yield
        return
    async with _worker.serving():
        yield
