"""Where "Play in Plex" links go: app.plex.tv (the default) or the Plex server's own web address."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import preferences
from smartplex.services.auth import AuthError, UserView
from smartplex.services.plex.links import play_url
from smartplex.state.auth import admin_only


class PlayLinksSetting(rx.State, mixin=True):
    plex_web_url: str = ""  # "" = app.plex.tv
    plex_web_url_error: str = ""

    @rx.var
    def play_link_example(self) -> str:
        """What a link to a title looks like with the current choice (a made-up title, no token)."""
        return play_url("<machine id>", "12345", self.plex_web_url or None)

    async def _load_play_links(self) -> None:
        self.plex_web_url = await asyncio.to_thread(preferences.plex_web_url) or ""
        self.plex_web_url_error = ""

    @rx.event
    @admin_only
    async def save_plex_web_url(self, actor: UserView, form: dict) -> rx.event.EventSpec | None:
        try:
            saved = await asyncio.to_thread(preferences.set_plex_web_url, actor.id, str(form.get("plex_web_url") or ""))
        except (preferences.PreferenceError, AuthError) as exc:
            self.plex_web_url_error = str(exc)
            return None
        self.plex_web_url, self.plex_web_url_error = saved or "", ""
        return rx.toast.success("“Play in Plex” now opens " + (saved or "app.plex.tv") + ".")
