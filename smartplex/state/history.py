"""The member's full watch history: search, filters, pages."""

from __future__ import annotations

import asyncio
from datetime import date

import reflex as rx

from smartplex.services import dashboard
from smartplex.services.plex import servers
from smartplex.state.auth import acting_user
from smartplex.state.dashboard import card_view
from smartplex.state.urls import api_origin

TYPES = {"all": None, "movies": "movie", "episodes": "episode"}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


class HistoryState(rx.State):
    query: str = ""
    kind: str = "all"
    since: str = ""
    until: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    rows: list[dict] = []

    async def _reload(self) -> None:
        actor = await acting_user(self)
        server_id = await asyncio.to_thread(servers.default_server_id)
        if actor is None or not server_id:
            self.rows, self.total, self.pages = [], 0, 1
            return
        found = await asyncio.to_thread(
            dashboard.history,
            actor.id,
            server_id,
            query=self.query[:200],
            media_type=TYPES.get(self.kind),
            since=_day(self.since),
            until=_day(self.until),
            page=self.page,
        )
        origin = api_origin(self)
        self.rows = [card_view(r.card, origin) | {"watched_at": r.watched_at, "finished": r.finished} for r in found.rows]
        self.total, self.pages, self.page = found.total, max(found.pages, 1), found.page

    @rx.event
    async def load(self) -> None:
        await self._reload()

    @rx.event(supersedes=True)
    async def search(self, text: str) -> None:
        self.query, self.page = text, 1
        await self._reload()

    @rx.event
    async def set_kind(self, kind: str | list[str]) -> None:
        kind = kind if isinstance(kind, str) else (kind[0] if kind else "all")
        self.kind, self.page = (kind if kind in TYPES else "all"), 1
        await self._reload()

    @rx.event
    async def set_since(self, text: str) -> None:
        self.since, self.page = text, 1
        await self._reload()

    @rx.event
    async def set_until(self, text: str) -> None:
        self.until, self.page = text, 1
        await self._reload()

    @rx.event
    async def go(self, page: int) -> None:
        self.page = min(max(int(page), 1), self.pages)
        await self._reload()
