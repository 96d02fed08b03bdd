"""A member's dashboard: the hero, their sections, recommendations, the detail drawer, and live refresh."""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from smartplex import routes
from smartplex.services import dashboard, recommendations, wording
from smartplex.services.auth import UserView
from smartplex.services.dashboard import hero
from smartplex.services.plex import activity, household
from smartplex.state.auth import acting_user, member_only, public
from smartplex.state.context import view_context
from smartplex.state.detail import DetailDrawer
from smartplex.state.views import (
    CardView,
    ChartPoint,
    HeroView,
    card_view,
    hero_view,
    history_view,
    recommendation_view,
)

LIVE_POLL_SECONDS = 3.0
LIVE_MAX_SECONDS = 4 * 3600  # a tab closed without unmounting stops polling after this
HERO_FROM_CONTINUE = 2  # at most this many hero slides come from continue watching; the rest are recommendations


def _continue_reason(card: dashboard.Card) -> str:
    done = round(card.progress * 100)
    where = f"{card.episode} · " if card.episode else ""
    return f"Continue watching · {where}{done}% watched" if done else "Continue watching"


class DashboardState(DetailDrawer, rx.State):
    loaded: bool = False
    has_server: bool = True
    hero: list[HeroView] = []
    continue_watching: list[CardView] = []
    recently_added: list[CardView] = []
    recommended: list[CardView] = []
    trending: list[CardView] = []
    trending_heading: str = "Trending on your server"
    recent_history: list[CardView] = []
    hours_week: float = 0.0
    hours_month: float = 0.0
    hours_year: float = 0.0
    plays: int = 0
    favourite_genres: list[ChartPoint] = []
    plays_per_day: list[ChartPoint] = []

    _servers: tuple[int, ...] = ()  # the servers shown (household.Scope.server_ids)
    _played_on: tuple[int, ...] = ()  # whose plays history and stats read (household.history_ids)
    _marker: str = ""
    _generation: int = 0

    async def _refresh(self, actor: UserView) -> None:
        ctx = await view_context(self, actor, self._played_on)
        data, recs = await asyncio.gather(
            asyncio.to_thread(
                dashboard.member_dashboard, actor.id, self._servers, played_on=self._played_on, tz=ctx.tz
            ),
            asyncio.to_thread(recommendations.recommend, actor.id, self._servers, 20),
        )
        picks = [hero.Pick(c.media_item_id, _continue_reason(c), c.progress) for c in data.continue_watching]
        picks = picks[:HERO_FROM_CONTINUE] + [hero.Pick(r.media_item_id, r.reason) for r in recs[: hero.SLIDES]]
        slides = await asyncio.to_thread(hero.slides, self._servers, picks)
        self._marker = await asyncio.to_thread(activity.change_marker, self._servers)
        self.hero = [hero_view(s, ctx) for s in slides]
        self.continue_watching = [card_view(c, ctx) for c in data.continue_watching]
        self.recently_added = [card_view(c, ctx) for c in data.recently_added]
        self.recommended = [recommendation_view(r, ctx) for r in recs]
        self.trending = [
            card_view(t.card, ctx, reason=f"{wording.plural(t.members, 'person', 'people')} this week")
            for t in data.trending
        ]
        self.recent_history = [history_view(row, ctx) for row in data.history.rows]
        self._show_stats(data.stats)
        self.loaded = True

    def _show_stats(self, stats: dashboard.Stats) -> None:
        self.hours_week, self.hours_month, self.hours_year = stats.hours_week, stats.hours_month, stats.hours_year
        self.plays = stats.plays
        self.favourite_genres = [ChartPoint(g, n) for g, n in stats.favourite_genres[:8]]
        self.plays_per_day = [ChartPoint(d[5:], n) for d, n in stats.plays_per_day]

    @rx.event
    @member_only
    async def load(self, actor: UserView) -> rx.event.EventSpec | None:
        scope = await asyncio.to_thread(household.scope_for, actor.id)
        self._servers = scope.server_ids
        self._played_on = await asyncio.to_thread(household.history_ids, scope)
        self.has_server = bool(self._servers)
        self.trending_heading = "Trending on your servers" if len(self._servers) > 1 else "Trending on your server"
        if not self._servers:
            if actor.is_admin:
                return rx.redirect(routes.ONBOARDING, replace=True)
            self.loaded = True
            return None
        await self._refresh(actor)
        title = str(self.router.url.query_parameters.get("title", ""))
        if title.isascii() and title.isdigit() and len(title) < 12:  # /?title=<id>: a notification's link to a title
            return DashboardState.open_detail(int(title))
        return None

    @rx.event
    @public
    def start_watching(self) -> rx.event.EventSpec:
        """on_mount: start this view's live refresh; a newer mount or an unmount ends older loops.

        (React's development mode mounts, unmounts and mounts again; the generation keeps one loop.)"""
        self._generation += 1
        return DashboardState.watch(self._generation)

    @rx.event
    @public
    def stop_watching(self) -> None:
        self._generation += 1

    @rx.event(background=True)
    @member_only
    async def watch(self, actor: UserView, generation: int) -> None:
        """While the dashboard is open, refresh it within seconds of a new play or library change."""
        deadline = time.monotonic() + LIVE_MAX_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(LIVE_POLL_SECONDS)
            async with self:
                if generation != self._generation or self.router.url.path != routes.HOME:
                    return
                shown, marker = self._servers, self._marker
            if not shown or await asyncio.to_thread(activity.change_marker, shown) == marker:
                continue
            async with self:
                fresh = await acting_user(self)
                if fresh is None:  # signed out or expired meanwhile
                    return
                await self._refresh(fresh)
