"""The admin's onboarding wizard: enter the server, pick the connection, first sync, done.

The Plex token typed in step 1 is kept in a backend-only var until the server is saved (then only
encrypted in the database); it is never sent back to the browser.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import reflex as rx

from smartplex.services.auth import UserView
from smartplex.services.plex import activity, connect, servers
from smartplex.services.plex.connect import Probe
from smartplex.services.scheduler import ensure_default_schedules
from smartplex.state.auth import admin_only
from smartplex.state.sync_runner import SyncRunner
from smartplex.state.urls import api_origin

MAX_URLS = 8


def split_urls(text: str) -> list[str]:
    return [u for u in re.split(r"[\s,]+", text.strip()) if u][:MAX_URLS]


class OnboardingState(SyncRunner, rx.State):
    step: int = 1
    error: str = ""
    busy: bool = False
    candidates: list[Probe] = []
    chosen_url: str = ""
    server_name: str = ""
    machine_id: str = ""
    server_version: str = ""

    counts: dict[str, int] = {}
    webhook_url: str = ""

    _urls: list[str] = []
    _token: str = ""
    _server_id: int = 0

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> rx.event.EventSpec | None:
        """Resume where the admin is: a connected server skips straight to the summary."""
        owned = await asyncio.to_thread(servers.servers_for_owner, actor.id)
        if owned and not self.syncing and self.step < 3:
            server = owned[0]
            self._server_id = server.id
            self.server_name, self.chosen_url = server.name, server.preferred_connection_url or ""
            await self._finish(actor)
        return None

    @rx.event
    @admin_only
    async def test_connection(self, actor: UserView, form: dict) -> AsyncIterator[None]:
        """Step 1 -> 2: race every candidate URL with the token and show what answered."""
        urls = split_urls(str(form.get("urls") or ""))
        token = str(form.get("token") or "").strip()
        if not urls:
            self.error = "Enter your Plex server's address, for example http://192.168.1.10:32400."
            return
        if not token or len(token) > 256:
            self.error = "Enter your Plex token (Plex Web: any item > Get Info > View XML shows it)."
            return
        self.busy, self.error = True, ""
        yield
        try:
            probes = await connect.probe_all(urls, token)
        finally:
            self.busy = False
        self.candidates = probes
        winners = [p for p in probes if p.ok]
        if not winners:
            self.error = "No address answered as a Plex server with this token. Check the details below."
            return
        best = min(winners, key=lambda p: p.latency_ms)
        self._urls = connect.usable_urls(urls)
        self._token = token
        self.chosen_url, self.server_name = best.url, best.name
        self.machine_id, self.server_version = best.machine_id, best.version
        self.step = 2

    @rx.event
    @admin_only
    async def choose(self, actor: UserView, url: str) -> None:
        match = next((c for c in self.candidates if c.url == url and c.ok), None)
        if match is not None:
            self.chosen_url = url

    @rx.event
    @admin_only
    async def back(self, actor: UserView) -> None:
        self.step, self.error = 1, ""

    @rx.event
    @admin_only
    async def save_and_sync(self, actor: UserView) -> rx.event.EventSpec | None:
        """Step 2 -> 3: store the server (token encrypted) and start the first sync."""
        if not (self._token and self.chosen_url and self.machine_id):
            self.step = 1
            self.error = "Enter the server details again."
            return None
        try:
            saved = await asyncio.to_thread(
                servers.save_server,
                actor.id,
                name=self.server_name,
                machine_id=self.machine_id,
                urls=self._urls,
                preferred_url=self.chosen_url,
                token=self._token,
                version=self.server_version,
            )
        except servers.ServerError as exc:
            self.error = str(exc)
            return None
        self._token = ""
        self._server_id = saved.id
        await asyncio.to_thread(ensure_default_schedules, saved.id)
        self.step = 3
        return OnboardingState.run_first_sync

    @rx.event(background=True)
    @admin_only
    async def run_first_sync(self, actor: UserView) -> None:
        async with self:
            server_id = self._server_id
        if not server_id:
            return
        result = await self._run_sync(server_id, "full", "wizard")
        if result is not None and result.status == "succeeded":
            async with self:
                await self._finish(actor)

    @rx.event
    @admin_only
    async def retry_sync(self, actor: UserView) -> rx.event.EventSpec:
        return OnboardingState.run_first_sync

    async def _finish(self, actor: UserView) -> None:
        self.counts = await asyncio.to_thread(activity.library_counts, self._server_id)
        secret = await asyncio.to_thread(servers.ensure_webhook_secret, actor.id)
        self.webhook_url = f"{api_origin(self)}{servers.webhook_path(secret)}"
        self.step = 4
