"""The delivery worker: a lifespan task that sends what the outbox holds, leftovers from before a restart first,
then whenever `wake()` is called or every POLL_SECONDS (retries come due by themselves)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from smartplex.config import get_settings
from smartplex.services.notifications.outbox import BATCH, process_due
from smartplex.services.queue_worker import QueueWorker
from smartplex.services.scheduler import worker_id

POLL_SECONDS = 2.0
SETTLE_SECONDS = 0.1  # the notification's transaction commits just after it wakes us


async def _drain() -> bool:
    return await process_due(owner=worker_id()) == BATCH


_worker = QueueWorker("smartplex-delivery-worker", _drain, poll_seconds=POLL_SECONDS, settle_seconds=SETTLE_SECONDS)
wake = _worker.wake
"""Have the worker look at the outbox now; safe from any thread, a no-op without a worker."""
running = _worker.running
"""Whether a delivery worker runs in this process."""


@contextlib.asynccontextmanager
async def delivery_lifespan() -> AsyncIterator[None]:
    """Run the delivery worker for the life of the app (SMARTPLEX_NOTIFICATION_WORKER=0 switches it off)."""
    if not get_settings().notification_worker_enabled:
        yield
        return
    async with _worker.serving():
        yield
