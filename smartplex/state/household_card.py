"""What the cards of household integrations on Admin → Integrations share (Tautulli, the AI provider): saving the
form, then probing the integration as the scheduler does; removing it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import reflex as rx

from smartplex.services.auth import AuthError, UserView
from smartplex.services.integrations import store
from smartplex.state.auth import admin_only
from smartplex.state.integration_health import IntegrationHealthState, checked_after_save


class HouseholdCard(rx.State, mixin=True):
    form_error: str = ""
    busy: bool = False

    def _card(self) -> tuple[str, str, str]:
        """(integration kind, its name in messages, what removing it says)."""
        raise NotImplementedError

    async def _reload(self) -> None:
        raise NotImplementedError

    async def _save_and_check(self, save: Callable[[], object]) -> list | None:
        """Run `save` (a service call that validates and stores the form); show why not, or probe the result."""
        kind, name, _removed = self._card()
        self.busy = True
        try:
            await asyncio.to_thread(save)
        except (store.IntegrationError, AuthError) as exc:
            self.busy, self.form_error = False, str(exc)
            return None
        self.form_error = ""
        await self._reload()
        shown = await checked_after_save(kind, name)
        self.busy = False
        return shown

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        self.form_error = ""
        await self._reload()

    @rx.event
    @admin_only
    async def disconnect(self, actor: UserView) -> list:
        kind, _name, removed = self._card()
        await asyncio.to_thread(store.remove, actor.id, kind)
        await self._reload()
        return [IntegrationHealthState.reload, rx.toast.success(removed)]
