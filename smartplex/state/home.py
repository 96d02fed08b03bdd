"""The signed-in home: sends an admin without a Plex server to the onboarding wizard."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services.plex import servers
from smartplex.state.auth import acting_user


class HomeState(rx.State):
    has_server: bool = False

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        actor = await acting_user(self)
        if actor is None:
            return None
        self.has_server = bool(await asyncio.to_thread(servers.all_servers))
        if actor.is_admin and not await asyncio.to_thread(servers.servers_for_owner, actor.id) and not self.has_server:
            return rx.redirect("/onboarding", replace=True)
        return None
