"""The admin's onboarding wizard: enter the server, pick the connection, first sync, done.

Every address is tried at once and each one's answer is shown as it arrives; the admin may go on as soon as one
works. The Plex token typed in step 1 is held only encrypted (with the vault's key) until the server is saved,
so an abandoned wizard leaves no readable token in state, wherever the state manager keeps it; it is never sent
back to the browser.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import reflex as rx

from smartplex.services import vault
from smartplex.services.auth import UserView
from smartplex.services.plex import activity, connect, servers
from smartplex.services.plex.connect import Probe
from smartplex.services.scheduler import ensure_default_schedules
from smartplex.state.auth import admin_only
from smartplex.state.public_address import PublicAddress
from smartplex.state.sync_runner import SyncRunner

MAX_URLS = 8
CHECKING = "checking…"
LIBRARY_TYPES = ("movie", "show", "season", "episode")


def split_urls(text: str) -> list[str]:
    return [u for u in re.split(r"[\s,]+", text.strip()) if u][:MAX_URLS]


def failure_message(probes: list[Probe]) -> str:
    """Why no address works, in words: the token is blamed only when every server that answered refused it."""
    answered = [p for p in probes if p.reason not in ("timeout", "refused", "host not found", "cannot connect")]
    if answered and all(p.reason == "token rejected" for p in answered):
        return "Plex rejected this token. Copy it again from Plex Web (Get Info > View XML) and try again."
    return "No address answered as a Plex server. Each address's answer is listed below."


class OnboardingState(SyncRunner, PublicAddress, rx.State):
    step: int = 1
    error: str = ""
    checking: bool = False
    candidates: list[Probe] = []
    chosen_url: str = ""
    server_name: str = ""
    machine_id: str = ""
    server_version: str = ""
    adding: bool = False  # ?add=1: connecting another server next to the ones already connected

    counts: dict[str, int] = {}

    _urls: list[str] = []
    _sealed_token: str = ""  # the typed token, encrypted with the vault's key
    _attempt: int = 0
    _server_id: int = 0

    @rx.var
    def can_continue(self) -> bool:
        return any(c.ok for c in self.candidates)

    @rx.var
    def library_total(self) -> int:
        return sum(self.counts.get(kind, 0) for kind in LIBRARY_TYPES)

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        """Resume where the admin is: a connected server skips straight to the summary, unless the admin came to
        connect it again (?reconnect=1: its token was rejected) or to add another server (?add=1)."""
        await self._load_public_address(actor)
        if self.syncing:
            return
        params = self.router.url.query_parameters
        self.adding = bool(params.get("add"))
        if params.get("reconnect") or self.adding:
            self.step, self.error, self.candidates = 1, "", []  # a new token (or addresses), or another server
            return
        owned = await asyncio.to_thread(servers.servers_for_owner, actor.id)
        if self.step >= 3 and any(s.id == self._server_id for s in owned):
            return  # the summary, or a failed first sync to try again, of a server still connected
        if not owned and self.step >= 3:
            self.step, self.error, self.candidates = 1, "", []  # the server it was about was removed meanwhile
        elif owned:
            server = next((s for s in owned if s.id == self._server_id), owned[0])
            self._server_id = server.id
            self.server_name, self.chosen_url = server.name, server.preferred_connection_url or ""
            await self._finish(actor)

    @rx.event(background=True)
    @admin_only
    async def test_connection(self, actor: UserView, form: dict) -> AsyncIterator[None]:
        """Try every address at once and show each answer as it arrives."""
        urls = split_urls(str(form.get("urls") or ""))
        token = str(form.get("token") or "").strip()
        async with self:
            self.candidates, self.chosen_url = [], ""
            if not urls:
                self.error = "Enter your Plex server's address, for example http://192.168.1.10:32400."
                return
            if not token or len(token) > 256:
                self.error = "Enter your Plex token (Plex Web: any item > Get Info > View XML shows it)."
                return
            self._attempt += 1
            attempt = self._attempt
            self.error, self.checking = "", True
            self._urls = connect.usable_urls(urls)
            self._sealed_token = vault.encrypt(token)
            self.candidates = [Probe(url=url, ok=False, reason=CHECKING) for url in self._urls]
        async for probe in connect.probe_each(urls, token):
            async with self:
                if attempt != self._attempt:
                    return  # a newer test replaced this one
                self._show_probe(probe)
        async with self:
            if attempt == self._attempt:
                self.checking = False
                if not self.can_continue:
                    self.error = failure_message(self.candidates)

    def _show_probe(self, probe: Probe) -> None:
        known = [c.url for c in self.candidates]
        if probe.url in known:
            self.candidates = [probe if c.url == probe.url else c for c in self.candidates]
        else:
            self.candidates = [*self.candidates, probe]
        fastest = min((c for c in self.candidates if c.ok), key=lambda c: c.latency_ms, default=None)
        if probe.ok and (not self.chosen_url or fastest is probe):
            self.chosen_url, self.server_name = probe.url, probe.name
            self.machine_id, self.server_version = probe.machine_id, probe.version

    @rx.event
    @admin_only
    async def go_on(self, actor: UserView) -> None:
        """Step 1 -> 2, as soon as one address works (the others may still be answering)."""
        if self.can_continue:
            self.step, self.error = 2, ""

    @rx.event
    @admin_only
    async def choose(self, actor: UserView, url: str) -> None:
        match = next((c for c in self.candidates if c.url == url and c.ok), None)
        if match is not None:
            self.chosen_url, self.server_name = match.url, match.name
            self.machine_id, self.server_version = match.machine_id, match.version

    @rx.event
    @admin_only
    async def back(self, actor: UserView) -> None:
        self.step, self.error = 1, ""

    @rx.event
    @admin_only
    async def save_and_sync(self, actor: UserView) -> rx.event.EventSpec | None:
        """Step 2 -> 3: store the server (token encrypted) and start the first sync."""
        if not (self._sealed_token and self.chosen_url and self.machine_id):
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
                token=vault.decrypt(self._sealed_token),
                version=self.server_version,
            )
        except (servers.ServerError, vault.VaultError) as exc:
            self.error = str(exc)
            return None
        self._sealed_token = ""
        self._attempt += 1  # a test still running must not touch the list any more
        self._server_id = saved.id
        await asyncio.to_thread(ensure_default_schedules, saved.id)
        self.step = 3
        self._start_sync("full")
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
        self._start_sync("full")
        return OnboardingState.run_first_sync

    async def _finish(self, actor: UserView) -> None:
        self.counts = await asyncio.to_thread(activity.library_counts, self._server_id)
        await self._load_public_address(actor)
        self.step = 4
