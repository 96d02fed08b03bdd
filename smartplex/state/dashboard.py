"""A member's dashboard: their sections, recommendations, the detail drawer, and live refresh."""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict
from typing import Any

import reflex as rx

from smartplex.services import dashboard, recommendations
from smartplex.services.dashboard import Card
from smartplex.services.images import poster_url
from smartplex.services.plex import activity, servers
from smartplex.state.auth import acting_user
from smartplex.state.urls import api_origin

LIVE_POLL_SECONDS = 3.0
LIVE_MAX_SECONDS = 4 * 3600  # a tab closed without unmounting stops polling after this
HOME = "/"


def card_view(card: Card, origin: str, reason: str = "", subtitle: str | None = None) -> dict[str, Any]:
    view = asdict(card)
    view["thumb_url"] = f"{origin}{card.thumb_url}" if card.thumb_url else ""
    view["year"] = card.year or 0
    view["reason"] = reason
    if subtitle is not None:
        view["subtitle"] = subtitle
    return view


def recommendation_view(rec: recommendations.Recommendation, origin: str) -> dict[str, Any]:
    return {
        "media_item_id": rec.media_item_id,
        "title": rec.title,
        "subtitle": "",
        "year": rec.year,
        "type": rec.type,
        "genres": list(rec.genres),
        "thumb_url": f"{origin}{poster_url(rec.media_item_id)}" if rec.thumb else "",
        "progress": 0.0,
        "reason": rec.reason,
    }


class DashboardState(rx.State):
    loaded: bool = False
    has_server: bool = True
    continue_watching: list[dict] = []
    recently_added: list[dict] = []
    recommended: list[dict] = []
    trending: list[dict] = []
    recent_history: list[dict] = []
    hours_week: float = 0.0
    hours_month: float = 0.0
    hours_year: float = 0.0
    plays: int = 0
    favourite_genres: list[dict] = []
    plays_per_day: list[dict] = []
    detail: dict = {}
    detail_open: bool = False

    _server_id: int = 0
    _marker: str = ""
    _generation: int = 0

    async def _refresh(self, user_id: int) -> None:
        origin = api_origin(self)
        data, recs = await asyncio.gather(
            asyncio.to_thread(dashboard.member_dashboard, user_id, self._server_id),
            asyncio.to_thread(recommendations.recommend, user_id, self._server_id, 20),
        )
        self._marker = await asyncio.to_thread(activity.change_marker, self._server_id)
        self.continue_watching = [card_view(c, origin) for c in data.continue_watching]
        self.recently_added = [card_view(c, origin) for c in data.recently_added]
        self.recommended = [recommendation_view(r, origin) for r in recs]
        self.trending = [card_view(t.card, origin, reason=f"{t.members} people this week") for t in data.trending]
        self.recent_history = [
            card_view(row.card, origin, subtitle=row.card.subtitle) | {"watched_at": row.watched_at, "finished": row.finished}
            for row in data.history.rows
        ]
        stats = data.stats
        self.hours_week, self.hours_month, self.hours_year = stats.hours_week, stats.hours_month, stats.hours_year
        self.plays = stats.plays
        self.favourite_genres = [{"genre": g, "plays": n} for g, n in stats.favourite_genres[:8]]
        self.plays_per_day = [{"day": d[5:], "plays": n} for d, n in stats.plays_per_day]
        self.loaded = True

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        actor = await acting_user(self)
        if actor is None:
            return None
        self._server_id = await asyncio.to_thread(servers.default_server_id)
        self.has_server = bool(self._server_id)
        if not self._server_id:
            if actor.is_admin:
                return rx.redirect("/onboarding", replace=True)
            self.loaded = True
            return None
        await self._refresh(actor.id)
        return None

    @rx.event
    def start_watching(self) -> rx.event.EventSpec:
        """on_mount: start this view's live refresh; a newer mount or an unmount ends older loops.

        (React's development mode mounts, unmounts and mounts again; the generation keeps one loop.)"""
        self._generation += 1
        return DashboardState.watch(self._generation)

    @rx.event
    def stop_watching(self) -> None:
        self._generation += 1

    @rx.event(background=True)
    async def watch(self, generation: int) -> None:
        """While the dashboard is open, refresh it within seconds of a new play or library change."""
        deadline = time.monotonic() + LIVE_MAX_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(LIVE_POLL_SECONDS)
            async with self:
                if generation != self._generation or self.router.url.path != HOME:
                    return
                server_id, marker = self._server_id, self._marker
            if not server_id or await asyncio.to_thread(activity.change_marker, server_id) == marker:
                continue
            async with self:
                actor = await acting_user(self)
                if actor is None:
                    return
                await self._refresh(actor.id)

    @rx.event
    async def open_detail(self, media_item_id: int) -> None:
        actor = await acting_user(self)
        if actor is None or not self._server_id:
            return
        found = await asyncio.to_thread(dashboard.item_detail, actor.id, self._server_id, int(media_item_id))
        if found is None:
            return
        view = asdict(found)
        view["thumb_url"] = f"{api_origin(self)}{found.thumb_url}" if found.thumb_url else ""
        self.detail, self.detail_open = view, True

    @rx.event
    def set_detail_open(self, is_open: bool) -> None:
        self.detail_open = is_open
