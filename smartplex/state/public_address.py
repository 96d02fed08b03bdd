"""The webhook URL to paste into Plex, a warning when it names this machine only, and the public address that
fixes it: shared by the onboarding wizard and the Plex admin page."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import preferences
from smartplex.services.auth import AuthError, UserView
from smartplex.state.auth import admin_only
from smartplex.state.urls import webhook_url


class PublicAddress(rx.State, mixin=True):
    webhook_url: str = ""
    public_url: str = ""  # the public address in force ("" = none: the browser's address is used)
    public_url_from_env: bool = False  # set by SMARTPLEX_PUBLIC_URL, so not editable here
    public_url_error: str = ""

    @rx.var
    def webhook_is_local(self) -> bool:
        """The webhook URL names this machine only: a Plex server elsewhere cannot deliver to it."""
        return bool(self.webhook_url) and preferences.is_loopback(self.webhook_url)

    async def _load_public_address(self, actor: UserView) -> None:
        found, from_env = await asyncio.gather(
            asyncio.to_thread(preferences.public_url), asyncio.to_thread(preferences.public_url_from_environment)
        )
        self.public_url, self.public_url_from_env, self.public_url_error = found or "", bool(from_env), ""
        self.webhook_url = await webhook_url(self, actor.id)

    @rx.event
    @admin_only
    async def save_public_url(self, actor: UserView, form: dict) -> rx.event.EventSpec | None:
        try:
            await asyncio.to_thread(preferences.set_public_url, actor.id, str(form.get("public_url") or ""))
        except (preferences.PreferenceError, AuthError) as exc:
            self.public_url_error = str(exc)
            return None
        await self._load_public_address(actor)
        return rx.toast.success("Public address saved. Paste the new webhook URL into Plex.")
