"""Admin: the connected Plex server, its webhook URL, sync schedules, recent syncs and webhooks,
and which Plex account belongs to which member."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import auth, scheduler
from smartplex.services.auth import UserView
from smartplex.services.plex import accounts, activity, servers, webhooks
from smartplex.services.plex.activity import SyncRunView, WebhookView
from smartplex.services.plex.servers import ServerView
from smartplex.services.scheduler import ScheduleView
from smartplex.state.auth import admin_only
from smartplex.state.play_links import PlayLinksSetting
from smartplex.state.public_address import PublicAddress
from smartplex.state.sync_runner import SyncRunner
from smartplex.state.views import AccountLink, PersonOption


class PlexAdminState(SyncRunner, PublicAddress, PlayLinksSetting, rx.State):
    server: ServerView = servers.NO_SERVER
    schedules: list[ScheduleView] = []
    syncs: list[SyncRunView] = []
    webhooks: list[WebhookView] = []
    plex_accounts: list[AccountLink] = []
    people: list[PersonOption] = []
    accounts_error: str = ""

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

    @rx.event
    @admin_only
    async def load_accounts(self, actor: UserView) -> None:
        server_id = self.server.id
        if not server_id:
            return
        try:
            found = await asyncio.to_thread(accounts.plex_accounts, server_id)
        except Exception as exc:  # noqa: BLE001 - shown to the admin; Plex may be down
            self.accounts_error = f"Could not read accounts from Plex: {exc}"
            return
        self.accounts_error = ""
        self.plex_accounts = [AccountLink(a.id, a.name, str(a.linked_user_id or "")) for a in found]
        self.people = [PersonOption(str(u.id), u.name) for u in await asyncio.to_thread(auth.list_users, actor.id)]

    @rx.event
    @admin_only
    async def link(self, actor: UserView, plex_account_id: int, user_id: str) -> rx.event.EventSpec:
        account = next((a for a in self.plex_accounts if a.id == int(plex_account_id)), None)
        if account is None:
            return rx.toast.error("Unknown Plex account.")
        await asyncio.to_thread(accounts.link_user, int(user_id), int(plex_account_id), account.name)
        return PlexAdminState.load_accounts
