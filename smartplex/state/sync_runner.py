"""A sync with a live progress bar, shared by the onboarding wizard and the Plex admin page."""

from __future__ import annotations

import asyncio
import threading
import time

import reflex as rx

from smartplex.services.auth import UserView
from smartplex.services.plex import sync
from smartplex.services.plex.runs import SyncResult
from smartplex.services.plex.sync import SyncProgress
from smartplex.state.auth import admin_only

POLL_SECONDS = 0.3
# Cancel flags of running syncs by client token: a threading.Event reaches into the sync thread.
_CANCELS: dict[str, threading.Event] = {}


class SyncRunner(rx.State, mixin=True):
    syncing: bool = False
    sync_status: str = ""
    sync_error: str = ""
    phase: str = ""
    section: str = ""
    section_done: int = 0
    section_total: int = 0
    done: int = 0
    total: int = 0
    elapsed_s: float = 0.0

    @rx.var
    def percent(self) -> int:
        return min(100, int(self.done * 100 / self.total)) if self.total else 0

    @rx.var
    def elapsed(self) -> str:
        minutes, seconds = divmod(int(self.elapsed_s), 60)
        return f"{minutes}:{seconds:02d}"

    async def _run_sync(self, server_id: int, kind: str, trigger: str) -> SyncResult | None:
        """Run a sync in a thread and mirror its progress; call from a background task, outside `async with`."""
        async with self:
            if self.syncing:
                return None
            self.syncing, self.sync_status, self.sync_error = True, "running", ""
            self.done = self.total = self.section_done = self.section_total = 0
            self.phase = self.section = ""
            client = self.router.session.client_token
        cancel = _CANCELS[client] = threading.Event()
        latest: list[SyncProgress] = []
        started = time.monotonic()
        job = asyncio.ensure_future(asyncio.to_thread(sync.run_sync, server_id, kind, trigger, latest.append, cancel))
        try:
            while not job.done():
                await asyncio.sleep(POLL_SECONDS)
                async with self:
                    self._show_progress(latest[-1] if latest else None, time.monotonic() - started)
            result = job.result()
        finally:
            _CANCELS.pop(client, None)
        async with self:
            self._show_progress(latest[-1] if latest else None, time.monotonic() - started)
            self.syncing = False
            self.sync_status, self.sync_error = result.status, result.error or ""
            if result.status == "succeeded":
                self.done = self.total = max(self.total, self.done)
        return result

    def _show_progress(self, p: SyncProgress | None, elapsed: float) -> None:
        self.elapsed_s = elapsed
        if p is not None:
            self.phase, self.section = p.phase, p.section
            self.section_done, self.section_total = p.section_done, p.section_total
            self.done, self.total = p.done, p.total

    @rx.event
    @admin_only
    async def cancel_sync(self, actor: UserView) -> None:
        flag = _CANCELS.get(self.router.session.client_token)
        if flag is not None:
            flag.set()
