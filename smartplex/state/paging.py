"""What a member's paged list page shares (My requests, Notifications): its page counters, turning pages, and
reloading when news arrives while it is the page open (state/live.py)."""

from __future__ import annotations

import reflex as rx

from smartplex.services.auth import UserView
from smartplex.state.auth import member_only


class MemberPages(rx.State, mixin=True):
    page: int = 1
    pages: int = 1
    total: int = 0
    loaded: bool = False

    def _route(self) -> str:
        """The page's route: news reloads the list only while it is open."""
        raise NotImplementedError

    async def _reload(self, actor: UserView) -> None:
        raise NotImplementedError

    @rx.event
    @member_only
    async def refresh(self, actor: UserView) -> None:
        if self.router.url.path.rstrip("/") == self._route():
            await self._reload(actor)

    @rx.event
    @member_only
    async def go_to_page(self, actor: UserView, page: int) -> None:
        self.page = max(int(page), 1)
        await self._reload(actor)
