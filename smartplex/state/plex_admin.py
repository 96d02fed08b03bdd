"""Admin: the connected Plex server, its webhook URL, sync schedules, recent syncs and webhooks (which Plex account
is which person lives on the Members page: state.plex_members)."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import scheduler
from smartplex.services.auth import UserView
from smartplex.services.plex import activity, servers, webhooks
from smartplex.services.plex.activity import SyncRunView, WebhookView
from smartplex.services.plex.servers import ServerView
from smartplex.services.scheduler import ScheduleView
from smartplex.state.auth import admin_only
from smartplex.state.play_links import PlayLinksSetting
from smartplex.state.public_address import PublicAddress
from smartplex.state.sync_runner import SyncRunner


class PlexAdminState(SyncRunner, PublicAddress, PlayLinksSetting, rx.State):
    server: ServerView = servers.NO_SERVER
    schedules: list[ScheduleView] = []
    syncs: list[SyncRunView] = []
    webhooks: list[WebhookView] = []

    @rx.var
    def has_server(self) -> bool:
        return self.server.id > 0

    async def _reload(self, actor: UserView) -> None:
        owned = await asyncio.to_thread(servers.servers_for_owner, actor.id)
        self.server = owned[0] if owned else servers.NO_SERVER
        await self._load_public_address(actor)
        await self._load_play_links()
        self.webhooks = await asyncio.to_thread(activity.recent_webhooks, actor.id)
        if not owned:
            self.schedules = self.syncs = []
            return
        server_id = owned[0].id
        self.schedules = await asyncio.to_thread(scheduler.list_schedules, server_id)
        self.syncs = await asyncio.to_thread(activity.recent_syncs, server_id)

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        await self._reload(actor)

    @rx.event
    @admin_only
    async def refresh(self, actor: UserView) -> None:
        await self._reload(actor)

    @rx.event(background=True)
    @admin_only
    async def sync_now(self, actor: UserView, kind: str) -> None:
        async with self:
            server_id = self.server.id
        if not server_id or kind not in ("full", "incremental"):
            return
        result = await self._run_sync(server_id, kind, "manual")
        async with self:
            await self._reload(actor)
            outcome = self.outcome
        if result is not None and result.status == "succeeded":
            yield rx.toast.success(outcome)

    @rx.event
    @admin_only
    async def rotate_secret(self, actor: UserView) -> rx.event.EventSpec:
        await asyncio.to_thread(servers.rotate_webhook_secret, actor.id)
        webhooks.forget_cached()
        await self._reload(actor)
        return rx.toast.success("New webhook URL created. Paste it into Plex; the old one no longer works.")

    @rx.event
    @admin_only
    async def set_interval(self, actor: UserView, schedule_id: int, minutes: str) -> rx.event.EventSpec | None:
        try:
            await asyncio.to_thread(scheduler.update_schedule, int(schedule_id), interval_minutes=int(minutes))
        except (ValueError, scheduler.ScheduleError) as exc:
            await self._reload(actor)
            return rx.toast.error(str(exc) if isinstance(exc, scheduler.ScheduleError) else "Enter whole minutes.")
        await self._reload(actor)
        return rx.toast.success("Schedule saved.")

    @rx.event
    @admin_only
    async def set_enabled(self, actor: UserView, schedule_id: int, enabled: bool) -> None:
        await asyncio.to_thread(scheduler.update_schedule, int(schedule_id), enabled=bool(enabled))
        await self._reload(actor)

    @rx.event
    @admin_only
    async def run_schedule_now(self, actor: UserView, schedule_id: int) -> rx.event.EventSpec:
        await asyncio.to_thread(scheduler.run_now, int(schedule_id))
        await self._reload(actor)
        return rx.toast.info("Queued: the scheduler starts it within a minute.")
