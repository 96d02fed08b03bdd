"""A sync with a live progress bar, shared by the onboarding wizard and the Plex admin page."""

from __future__ import annotations

import asyncio
import threading
import time

import reflex as rx

from smartplex.services.auth import UserView
from smartplex.services.plex import servers, sync
from smartplex.services.plex.runs import SyncResult
from smartplex.services.plex.sync import SyncProgress
from smartplex.state.auth import admin_only

POLL_SECONDS = 0.3
# Cancel flags of running syncs by client token: a threading.Event reaches into the sync thread.
_CANCELS: dict[str, threading.Event] = {}
PHASES = {
    "counting": "Asking Plex what is in the library…",
    "removing": "Marking what is no longer on the server…",
    "history": "Importing Plex's watch history…",
}


class SyncRunner(rx.State, mixin=True):
    syncing: bool = False
    sync_status: str = ""  # "" (none yet) | running | succeeded | failed | cancelled
    sync_error: str = ""
    sync_kind: str = ""
    phase: str = ""
    message: str = ""  # what is happening when the numbers do not say it (trying other addresses)
    section: str = ""
    section_done: int = 0
    section_total: int = 0
    done: int = 0
    total: int = 0
    changed: int = 0
    removed: int = 0
    elapsed_s: float = 0.0

    @rx.var
    def percent(self) -> int:
        return min(100, int(self.done * 100 / self.total)) if self.total else 0

    @rx.var
    def elapsed(self) -> str:
        minutes, seconds = divmod(int(self.elapsed_s), 60)
        return f"{minutes}:{seconds:02d}"

    @rx.var
    def activity(self) -> str:
        """The line under the bar: what the sync is doing, in words."""
        return self.message or PHASES.get(self.phase, "")

    @rx.var
    def outcome(self) -> str:
        """The finished sync in words: an incremental sync that found nothing is "already up to date"."""
        if self.sync_status != "succeeded":
            return ""
        if self.sync_kind == "incremental" and not (self.changed or self.removed):
            return "Already up to date."
        removed = f", {self.removed:,} removed" if self.removed else ""
        return f"Sync finished: {self.changed:,} of {self.done:,} items new or changed{removed}."

    def _start_sync(self, kind: str) -> None:
        """Show a sync as starting at once (call in the handler that schedules it: no flash of the last outcome)."""
        self.syncing, self.sync_status, self.sync_error, self.sync_kind = True, "running", "", kind
        self.done = self.total = self.section_done = self.section_total = self.changed = self.removed = 0
        self.phase, self.section, self.message, self.elapsed_s = "connecting", "", "", 0.0

    async def _run_sync(self, server_id: int, kind: str, trigger: str) -> SyncResult | None:
        """Run a sync in a thread and mirror its progress; call from a background task, outside `async with`."""
        async with self:
            if self.router.session.client_token in _CANCELS:
                return None  # this browser already runs one
            self._start_sync(kind)
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
        except servers.ServerError as exc:  # the server is gone (removed meanwhile): nothing ran
            async with self:
                self.syncing, self.sync_status, self.sync_error = False, "failed", str(exc)
            return None
        finally:
            _CANCELS.pop(client, None)
        async with self:
            self._show_progress(latest[-1] if latest else None, time.monotonic() - started)
            self.syncing = False
            self.sync_status, self.sync_error, self.sync_kind = result.status, result.error or "", result.kind
            self.changed, self.removed = result.items_changed, result.items_removed
            if result.status == "succeeded":
                self.done = self.total = max(self.total, self.done, result.items_seen)
                self.message = ""
        return result

    def _show_progress(self, p: SyncProgress | None, elapsed: float) -> None:
        self.elapsed_s = elapsed
        if p is not None:
            self.phase, self.section, self.message = p.phase, p.section, p.message
            self.section_done, self.section_total = p.section_done, p.section_total
            self.done, self.total = p.done, p.total

    @rx.event
    @admin_only
    async def cancel_sync(self, actor: UserView) -> None:
        flag = _CANCELS.get(self.router.session.client_token)
        if flag is not None:
            flag.set()
