"""The AI provider card on Admin → Integrations, the one place the provider is set up: an OpenAI-compatible
endpoint (base URL, model, timeout, API key encrypted and shown masked) and a test that lists what it offers."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.models import IntegrationKind
from smartplex.services.ai import provider
from smartplex.services.auth import UserView
from smartplex.state.auth import admin_only
from smartplex.state.household_card import HouseholdCard

KIND = IntegrationKind.OPENAI


class AiProviderState(HouseholdCard, rx.State):
    configured: bool = False
    url: str = ""
    model: str = ""
    timeout: str = ""
    key_mask: str = ""

    def _card(self) -> tuple[str, str, str]:
        return KIND, "The AI provider", "AI provider removed: chat answers come from the built-in answerer."

    async def _reload(self) -> None:
        view = await asyncio.to_thread(provider.view)
        self.configured = view.configured
        self.url, self.model, self.key_mask = view.base_url, view.model, view.key_mask
        self.timeout = f"{view.timeout_s:g}"

    @rx.event
    @admin_only
    async def save(self, actor: UserView, form: dict) -> list | None:
        """Save and probe; an empty key field keeps the stored key."""
        key = str(form.get("api_key") or "")
        try:
            timeout = float(str(form.get("timeout_s") or provider.DEFAULT_TIMEOUT_S))
        except ValueError:
            self.form_error = "The timeout must be a number of seconds."
            return None
        return await self._save_and_check(
            lambda: provider.save(
                actor.id, base_url=str(form.get("url") or ""), model=str(form.get("model") or ""), api_key=key or None, timeout_s=timeout
            )
        )

    @rx.event
    @admin_only
    async def clear_key(self, actor: UserView) -> list | None:
        """Forget the stored key (local servers need none); the address, model and timeout stay."""
        url, model, timeout = self.url, self.model, float(self.timeout or provider.DEFAULT_TIMEOUT_S)
        return await self._save_and_check(lambda: provider.save(actor.id, base_url=url, model=model, api_key="", timeout_s=timeout))
