"""A worker that drains a durable queue in the database for the life of the app: it drains what is left over from
before a restart first, then whenever `wake()` is called (from any thread) or every `poll_seconds`. Used by the
Plex webhook queue and the notification outbox."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from smartplex.log import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class _Running:
    loop: asyncio.AbstractEventLoop
    wake: asyncio.Event


class QueueWorker:
    """`drain()` handles one batch and says whether another may be waiting (a full batch); it runs again at once
    then, else after a wake-up or `poll_seconds`, each time `settle_seconds` later, so a burst gathers into one
    batch. A failing drain is logged and tried again on the next round."""

    def __init__(self, name: str, drain: Callable[[], Awaitable[bool]], *, poll_seconds: float, settle_seconds: float) -> None:
        self.name, self.poll_seconds, self.settle_seconds = name, poll_seconds, settle_seconds
        self._drain = drain
        self._running: _Running | None = None

    def running(self) -> bool:
        return self._running is not None

    def wake(self) -> None:
        """Have the worker look now; safe from any thread, a no-op while it does not run."""
        running = self._running
        if running is None:
            return
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is running.loop:
            running.wake.set()
        else:
            running.loop.call_soon_threadsafe(running.wake.set)

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[None]:
        """Run the worker while the context is open (a lifespan task's body)."""
        running = _Running(asyncio.get_running_loop(), asyncio.Event())
        self._running = running
        task = asyncio.create_task(self._run(running.wake), name=self.name)
        try:
            yield
        finally:
            if self._running is running:
                self._running = None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, wake: asyncio.Event) -> None:
        while True:
            wake.clear()
            try:
                while await self._drain():
                    pass
            except Exception:  # the next round tries again
                log.exception("queue_worker.failed", worker=self.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self.poll_seconds)
            await asyncio.sleep(self.settle_seconds)
