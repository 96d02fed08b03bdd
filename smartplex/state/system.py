"""Admin: the health of SmartPlex and its dependencies."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import health
from smartplex.services.auth import UserView
from smartplex.services.plex import activity
from smartplex.services.plex.activity import StrayDeliveries
from smartplex.state.auth import admin_only
from smartplex.state.views import ComponentHealth


class SystemState(rx.State):
    status: str = ""
    version: str = ""
    checked_at: str = ""
    components: list[ComponentHealth] = []
    stray: StrayDeliveries = StrayDeliveries(0, None, None)

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        report = await asyncio.to_thread(health.report)
        self.status, self.version, self.checked_at = report["status"], report["version"], report["checked_at"]
        self.components = [
            ComponentHealth(name, c["status"], c.get("error") or "") for name, c in report["components"].items()
        ]
        self.stray = await asyncio.to_thread(activity.stray_webhooks)
