"""The Tautulli card on Admin → Integrations: its address and API key (encrypted, shown masked), a test with
Tautulli's own error messages, and importing its history with live progress and the result in words."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.models import IntegrationKind
from smartplex.services.auth import AuthError, UserView
from smartplex.services.integrations import store
from smartplex.services.tautulli import importer, setup
from smartplex.services.tautulli.client import TautulliError
from smartplex.state.auth import admin_only
from smartplex.state.household_card import HouseholdCard
from smartplex.state.integration_health import IntegrationHealthState

KIND = IntegrationKind.TAUTULLI
POLL_SECONDS = 0.3


class TautulliState(HouseholdCard, rx.State):
    configured: bool = False
    url: str = ""
    key_mask: str = ""
    importing: bool = False
    import_done: int = 0
    import_total: int = 0
    import_error: str = ""
    last_import: str = ""
    last_import_at: str = ""

    @rx.var
    def import_percent(self) -> int:
        return min(100, int(self.import_done * 100 / self.import_total)) if self.import_total else 0

    def _card(self) -> tuple[str, str, str]:
        return KIND, "Tautulli", "Tautulli disconnected; the plays it brought stay."

    async def _reload(self) -> None:
        view = await asyncio.to_thread(store.get, KIND)
        self.configured = view is not None and bool(view.secret_mask)
        self.url = view.base_url if view else ""
        self.key_mask = view.secret_mask if view else ""
        last = (view.settings.get("last_import") if view else None) or {}
        self.last_import, self.last_import_at = str(last.get("summary", "")), str(last.get("at", ""))

    @rx.event
    @admin_only
    async def save(self, actor: UserView, form: dict) -> list | None:
        return await self._save_and_check(lambda: setup.save(actor.id, str(form.get("url", "")), str(form.get("api_key", ""))))

    @rx.event(background=True)
    @admin_only
    async def start_import(self, actor: UserView):  # noqa: ANN201 - an async generator of events
        async with self:
            if self.importing:
                return
            self.importing, self.import_done, self.import_total, self.import_error = True, 0, 0, ""
        latest: list[importer.ImportProgress] = []
        job = asyncio.ensure_future(asyncio.to_thread(setup.import_history, actor.id, latest.append))
        while not job.done():
            await asyncio.sleep(POLL_SECONDS)
            if latest:
                async with self:
                    self.import_done, self.import_total = latest[-1].done, latest[-1].total
        try:
            result = job.result()
        except (TautulliError, AuthError) as exc:
            async with self:
                self.importing, self.import_error = False, str(exc)
                yield IntegrationHealthState.reload
            return
        async with self:
            self.importing = False
            self.import_done = self.import_total = result.rows
            await self._reload()
        yield IntegrationHealthState.reload
        yield rx.toast.success(setup.summary(result))
