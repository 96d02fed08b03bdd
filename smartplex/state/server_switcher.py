"""The member's server switcher: every server they reach merged, or one of them; the choice is remembered on
their account (services.plex.household), so it follows them to other browsers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from smartplex import routes
from smartplex.services.auth import UserView
from smartplex.services.plex import household
from smartplex.state.auth import member_only
from smartplex.state.dashboard import DashboardState
from smartplex.state.history import HistoryState
from smartplex.state.search import SearchState
from smartplex.state.stats import StatsState

ALL = "0"
RELOADS = {routes.HOME: DashboardState.load, routes.HISTORY: HistoryState.load, routes.STATS: StatsState.load,
           routes.SEARCH: SearchState.load}  # fmt: skip
"""The pages that show the switcher, and what each reloads after a change."""


@dataclass(frozen=True)
class ServerOption:
    value: str  # the server id, or ALL
    label: str


class ServerSwitcherState(rx.State):
    options: list[ServerOption] = []
    chosen: str = ALL

    @rx.var
    def shown(self) -> bool:
        """Only a member who reaches two or more servers has a choice to make."""
        return len(self.options) > 2

    def _show(self, scope: household.Scope) -> None:
        self.options = [ServerOption(ALL, "All servers")] + [ServerOption(str(s.id), s.name) for s in scope.reachable]
        self.chosen = str(scope.chosen)

    @rx.event
    @member_only
    async def load(self, actor: UserView) -> None:
        self._show(await asyncio.to_thread(household.scope_for, actor.id))

    @rx.event
    @member_only
    async def choose(self, actor: UserView, value: str) -> rx.event.EventSpec | None:
        try:
            scope = await asyncio.to_thread(household.choose, actor.id, int(value) if value.isdigit() else -1)
        except ValueError as exc:
            return rx.toast.error(str(exc))
        self._show(scope)
        reload = RELOADS.get(self.router.url.path.rstrip("/") or routes.HOME)
        return reload() if reload is not None else None
