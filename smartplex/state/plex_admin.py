"""Admin: the Plex servers the admin connected (one picked at a time: its card, schedules and recent syncs), the
one webhook URL for all of them, recent webhooks, adding a server and removing one (which Plex account is which
person lives on the Members page: state.plex_members)."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import scheduler
from smartplex.services.auth import UserView
from smartplex.services.plex import activity, removal, servers, webhooks
from smartplex.services.plex.activity import SyncRunView, WebhookView
from smartplex.services.plex.servers import ServerView
from smartplex.services.scheduler import ScheduleView
from smartplex.state.auth import admin_only
from smartplex.state.play_links import PlayLinksSetting
from smartplex.state.public_address import PublicAddress
from smartplex.state.sync_runner import SyncRunner


NO_SCHEDULE = "No such schedule on your servers."

class PlexAdminState(SyncRunner, PublicAddress, PlayLinksSetting, rx.State):
    owned: list[ServerView] = []  # every server this admin connected and did not remove, in connection order
    server: ServerView = servers.NO_SERVER  # the one picked: the card, schedules and syncs below are its
    schedules: list[ScheduleView] = []
    syncs: list[SyncRunView] = []
    webhooks: list[WebhookView] = []
    sync_server_id: int = 0  # the server the progress bar belongs to
    removal_open: bool = False
    removal_sentence: str = ""

    _removal_id: int = 0  # the server the open confirmation is about

    @rx.var
    def has_server(self) -> bool:
        return self.server.id > 0

    @rx.var
    def has_several(self) -> bool:
        return len(self.owned) > 1

    async def _reload(self, actor: UserView) -> None:
        self.owned = await asyncio.to_thread(servers.servers_for_owner, actor.id)
        picked = self.server.id
        self.server = next(
            (s for s in self.owned if s.id == picked), self.owned[0] if self.owned else servers.NO_SERVER
        )
        await self._load_public_address(actor)
        await self._load_play_links()
        self.webhooks = await asyncio.to_thread(activity.recent_webhooks, actor.id)
        await self._load_server_lists()

    async def _load_server_lists(self) -> None:
        if not self.server.id:
            self.schedules = self.syncs = []
            return
        self.schedules = await asyncio.to_thread(scheduler.list_schedules, self.server.id)
        self.syncs = await asyncio.to_thread(activity.recent_syncs, self.server.id)

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        await self._reload(actor)

    @rx.event
    @admin_only
    async def refresh(self, actor: UserView) -> None:
        await self._reload(actor)

    @rx.event
    @admin_only
    async def pick_server(self, actor: UserView, server_id: str | list[str]) -> None:
        """Show another of the admin's servers (the picker sends its id as text); an unknown id changes nothing."""
        match = next((s for s in self.owned if str(s.id) == server_id), None)
        if match is not None:
            self.server = match
            await self._load_server_lists()

    @rx.event(background=True)
    @admin_only
    async def sync_now(self, actor: UserView, kind: str) -> None:
        async with self:
            server_id = self.server.id
            if server_id and not self.syncing:
                self.sync_server_id = server_id
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
    async def ask_removal(self, actor: UserView) -> rx.event.EventSpec | None:
        """Open the confirmation for the picked server, saying what removing it does."""
        try:
            preview = await asyncio.to_thread(removal.preview, actor.id, self.server.id)
        except removal.RemovalError as exc:
            await self._reload(actor)
            return rx.toast.error(str(exc))
        self._removal_id, self.removal_sentence, self.removal_open = preview.server_id, preview.sentence, True
        return None

    @rx.event
    @admin_only
    async def set_removal_open(self, actor: UserView, is_open: bool) -> None:
        """The dialog closing (Cancel, Escape); it opens only through `ask_removal`, which loads what it says."""
        if not is_open:
            self.removal_open, self._removal_id = False, 0

    @rx.event
    @admin_only
    async def remove_server(self, actor: UserView) -> rx.event.EventSpec:
        """Remove the server the confirmation was about (not whichever is picked by now)."""
        server_id, self.removal_open, self._removal_id = self._removal_id, False, 0
        try:
            done = await asyncio.to_thread(removal.remove, actor.id, server_id)
        except removal.RemovalError as exc:
            await self._reload(actor)
            return rx.toast.error(str(exc))
        await self._reload(actor)
        return rx.toast.success(f"{done.name} was removed. Plays made on it stay in people's history.")

    @rx.event
    @admin_only
    async def rotate_secret(self, actor: UserView) -> rx.event.EventSpec:
        await asyncio.to_thread(servers.rotate_webhook_secret, actor.id)
        webhooks.forget_cached()
        await self._reload(actor)
        return rx.toast.success("New webhook URL created. Paste it into Plex; the old one no longer works.")

    def _shows_schedule(self, schedule_id: int | str) -> bool:
        """Only a schedule of the admin's own server, as this page shows it, may be changed (another admin's
        servers and their schedules are not theirs to touch)."""
        return str(schedule_id).isdigit() and int(schedule_id) in {s.id for s in self.schedules}

    @rx.event
    @admin_only
    async def set_interval(self, actor: UserView, schedule_id: int, minutes: str) -> rx.event.EventSpec | None:
        if not self._shows_schedule(schedule_id):
            return rx.toast.error(NO_SCHEDULE)
        try:
            await asyncio.to_thread(scheduler.update_schedule, int(schedule_id), interval_minutes=int(minutes))
        except (ValueError, scheduler.ScheduleError) as exc:
            await self._reload(actor)
            return rx.toast.error(str(exc) if isinstance(exc, scheduler.ScheduleError) else "Enter whole minutes.")
        await self._reload(actor)
        return rx.toast.success("Schedule saved.")

    @rx.event
    @admin_only
    async def set_enabled(self, actor: UserView, schedule_id: int, enabled: bool) -> rx.event.EventSpec | None:
        if not self._shows_schedule(schedule_id):
            return rx.toast.error(NO_SCHEDULE)
        await asyncio.to_thread(scheduler.update_schedule, int(schedule_id), enabled=bool(enabled))
        await self._reload(actor)
        return None

    @rx.event
    @admin_only
    async def run_schedule_now(self, actor: UserView, schedule_id: int) -> rx.event.EventSpec:
        if not self._shows_schedule(schedule_id):
            return rx.toast.error(NO_SCHEDULE)
        await asyncio.to_thread(scheduler.run_now, int(schedule_id))
        await self._reload(actor)
        return rx.toast.info("Queued: the scheduler starts it within a minute.")
