"""Library search: the movies and shows of the servers the member shows, by title, accents and case folded."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services.auth import UserView
from smartplex.services.dashboard.search import MAX_QUERY, search_titles
from smartplex.services.plex import household
from smartplex.state.auth import member_only
from smartplex.state.context import view_context
from smartplex.state.detail import DetailDrawer
from smartplex.state.views import CardView, card_view


class SearchState(DetailDrawer, rx.State):
    query: str = ""
    results: list[CardView] = []
    searched: bool = False  # a query has been answered (so "nothing found" may show)

    @rx.event
    @member_only
    async def load(self, actor: UserView) -> None:
        self.query = str(self.router.url.query_parameters.get("q", ""))[:MAX_QUERY]
        await self._search(actor)

    @rx.event(supersedes=True)
    @member_only
    async def search(self, actor: UserView, text: str) -> None:
        self.query = str(text)[:MAX_QUERY]
        await self._search(actor)

    async def _search(self, actor: UserView) -> None:
        shown = (await asyncio.to_thread(household.scope_for, actor.id)).server_ids
        if not shown or not self.query.strip():
            self.results, self.searched = [], False
            return
        ctx = await view_context(self, actor, shown)
        found = await asyncio.to_thread(search_titles, shown, self.query)
        self.results, self.searched = [card_view(c, ctx) for c in found], True
