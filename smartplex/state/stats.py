"""The member's statistics page: when, what and how much they watch."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import dashboard
from smartplex.services.plex import servers
from smartplex.state.auth import acting_user

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class StatsState(rx.State):
    hours_week: float = 0.0
    hours_month: float = 0.0
    hours_year: float = 0.0
    plays: int = 0
    by_weekday: list[dict] = []
    by_hour: list[dict] = []
    by_genre: list[dict] = []
    by_type: list[dict] = []

    @rx.event
    async def load(self) -> None:
        actor = await acting_user(self)
        server_id = await asyncio.to_thread(servers.default_server_id)
        if actor is None or not server_id:
            return
        s = await asyncio.to_thread(dashboard.stats, actor.id, server_id)
        self.hours_week, self.hours_month, self.hours_year, self.plays = s.hours_week, s.hours_month, s.hours_year, s.plays
        self.by_weekday = [{"day": d, "plays": n} for d, n in zip(WEEKDAYS, s.by_weekday, strict=True)]
        self.by_hour = [{"hour": f"{h:02d}", "plays": n} for h, n in enumerate(s.by_hour)]
        self.by_genre = [{"genre": g, "plays": n} for g, n in s.favourite_genres[:10]]
        self.by_type = [{"type": t.capitalize() + "s", "plays": n} for t, n in s.by_type.items()]
