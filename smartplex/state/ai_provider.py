"""The AI provider card on Admin → Integrations: an OpenAI-compatible endpoint (base URL, model, API key encrypted
and shown masked) and a test that lists what it offers."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.models import IntegrationKind
from smartplex.services.auth import AuthError, UserView
from smartplex.services.integrations import ai_provider, store
from smartplex.state.auth import admin_only
from smartplex.state.integration_health import IntegrationHealthState, checked_after_save

KIND = IntegrationKind.OPENAI


class AiProviderState(rx.State):
    configured: bool = False
    url: str = ""
    model: str = ""
    key_mask: str = ""
    form_error: str = ""
    busy: bool = False

    async def _reload(self) -> None:
        view = await asyncio.to_thread(store.get, KIND)
        self.configured = view is not None and bool(view.base_url)
        self.url = view.base_url if view else ""
        self.model = str(view.settings.get("model", "")) if view else ""
        self.key_mask = view.secret_mask if view else ""

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        self.form_error = ""
        await self._reload()

    @rx.event
    @admin_only
    async def save(self, actor: UserView, form: dict) -> list | None:
        self.busy = True
        try:
            await asyncio.to_thread(ai_provider.save, actor.id, str(form.get("url", "")), str(form.get("api_key", "")),
                                    str(form.get("model", "")))  # fmt: skip
        except (store.IntegrationError, AuthError) as exc:
            self.busy, self.form_error = False, str(exc)
            return None
        self.form_error = ""
        await self._reload()
        shown = await checked_after_save(KIND, "The AI provider")
        self.busy = False
        return shown

    @rx.event
    @admin_only
    async def disconnect(self, actor: UserView) -> list:
        await asyncio.to_thread(store.remove, actor.id, KIND)
        await self._reload()
        return [IntegrationHealthState.reload, rx.toast.success("AI provider removed.")]
