"""The member's full watch history: search (accents and case folded), filters by type and by local dates, pages."""

from __future__ import annotations

import asyncio
from datetime import date

import reflex as rx

from smartplex.services import dashboard
from smartplex.services.auth import UserView
from smartplex.services.plex import household
from smartplex.state.auth import member_only
from smartplex.state.context import view_context
from smartplex.state.detail import DetailDrawer
from smartplex.state.views import CardView, history_view

TYPES = {"all": None, "movies": "movie", "episodes": "episode"}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


class HistoryState(DetailDrawer, rx.State):
    query: str = ""
    kind: str = "all"
    since: str = ""
    until: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    rows: list[CardView] = []

    async def _reload(self, actor: UserView) -> None:
        scope = await asyncio.to_thread(household.scope_for, actor.id)
        played_on = await asyncio.to_thread(household.history_ids, scope)
        if not played_on:
            self.rows, self.total, self.pages = [], 0, 1
            return
        ctx = await view_context(self, actor, played_on)
        found = await asyncio.to_thread(
            dashboard.history,
            actor.id,
            played_on,
            query=self.query[:200],
            media_type=TYPES.get(self.kind),
            since=_day(self.since),
            until=_day(self.until),
            page=self.page,
            tz=ctx.tz,
        )
        self.rows = [history_view(row, ctx) for row in found.rows]
        self.total, self.pages, self.page = found.total, max(found.pages, 1), found.page

    @rx.event
    @member_only
    async def load(self, actor: UserView) -> None:
        await self._reload(actor)

    @rx.event(supersedes=True)
    @member_only
    async def search(self, actor: UserView, text: str) -> None:
        self.query, self.page = text, 1
        await self._reload(actor)

    @rx.event
    @member_only
    async def set_kind(self, actor: UserView, kind: str | list[str]) -> None:
        kind = kind if isinstance(kind, str) else (kind[0] if kind else "all")
        self.kind, self.page = (kind if kind in TYPES else "all"), 1
        await self._reload(actor)

    @rx.event
    @member_only
    async def set_since(self, actor: UserView, text: str) -> None:
        self.since, self.page = text, 1
        await self._reload(actor)

    @rx.event
    @member_only
    async def set_until(self, actor: UserView, text: str) -> None:
        self.until, self.page = text, 1
        await self._reload(actor)

    @rx.event
    @member_only
    async def go(self, actor: UserView, page: int) -> None:
        self.page = min(max(int(page), 1), self.pages)
        await self._reload(actor)
