"""The member's statistics page: when, what and how much they watch."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import clock, dashboard
from smartplex.services.auth import UserView
from smartplex.services.plex import household
from smartplex.state.auth import member_only
from smartplex.state.views import ChartPoint

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class StatsState(rx.State):
    hours_week: float = 0.0
    hours_month: float = 0.0
    hours_year: float = 0.0
    plays: int = 0
    by_weekday: list[ChartPoint] = []
    by_hour: list[ChartPoint] = []
    by_genre: list[ChartPoint] = []
    by_type: list[ChartPoint] = []
    time_zone: str = "UTC"  # the zone "by hour" and "this week" are counted in

    @rx.event
    @member_only
    async def load(self, actor: UserView) -> None:
        played_on = await asyncio.to_thread(household.history_ids, await asyncio.to_thread(household.scope_for, actor.id))
        if not played_on:
            return
        self.time_zone = actor.time_zone or "UTC"
        s = await asyncio.to_thread(dashboard.stats, actor.id, played_on, tz=clock.zone(actor.time_zone))
        self.hours_week, self.hours_month, self.hours_year, self.plays = s.hours_week, s.hours_month, s.hours_year, s.plays
        self.by_weekday = [ChartPoint(d, n) for d, n in zip(WEEKDAYS, s.by_weekday, strict=True)]
        self.by_hour = [ChartPoint(f"{h:02d}", n) for h, n in enumerate(s.by_hour)]
        self.by_genre = [ChartPoint(g, n) for g, n in s.favourite_genres[:10]]
        self.by_type = [ChartPoint(t.capitalize() + "s", n) for t, n in s.by_type.items()]
