"""The AI provider card on Admin → Integrations: an OpenAI-compatible endpoint (base URL, model, API key encrypted
and shown masked) and a test that lists what it offers."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.models import IntegrationKind
from smartplex.services.auth import UserView
from smartplex.services.integrations import ai_provider, store
from smartplex.state.auth import admin_only
from smartplex.state.household_card import HouseholdCard

KIND = IntegrationKind.OPENAI


class AiProviderState(HouseholdCard, rx.State):
    configured: bool = False
    url: str = ""
    model: str = ""
    key_mask: str = ""

    def _card(self) -> tuple[str, str, str]:
        return KIND, "The AI provider", "AI provider removed."

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
        return await self._save_and_check(
            lambda: ai_provider.save(actor.id, str(form.get("url", "")), str(form.get("api_key", "")), str(form.get("model", "")))
        )
