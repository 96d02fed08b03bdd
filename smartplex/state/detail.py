"""The detail drawer's state, mixed into every page that opens one (dashboard, history, search)."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import dashboard, recommendations
from smartplex.services.auth import UserView
from smartplex.services.plex import household
from smartplex.state.auth import member_only, public
from smartplex.state.context import view_context
from smartplex.state.views import DetailView, detail_view, recommendation_view

SIMILAR = 12


class DetailDrawer(rx.State, mixin=True):
    detail: DetailView = DetailView()
    detail_open: bool = False

    @rx.event
    @member_only
    async def open_detail(self, actor: UserView, media_item_id: int) -> None:
        reachable = [choice.id for choice in (await asyncio.to_thread(household.scope_for, actor.id)).reachable]
        found = await asyncio.to_thread(dashboard.item_detail, actor.id, reachable, int(media_item_id))
        if found is None:
            return
        similar = await asyncio.to_thread(recommendations.similar, found.server_id, int(media_item_id), SIMILAR)
        ctx = await view_context(self, actor, found.server_id)
        self.detail = detail_view(found, ctx, [recommendation_view(r, ctx) for r in similar])
        self.detail_open = True

    @rx.event
    @public
    def set_detail_open(self, is_open: bool) -> None:
        """Opens or closes the caller's own drawer."""
        self.detail_open = is_open
