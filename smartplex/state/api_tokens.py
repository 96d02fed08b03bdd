"""API tokens on Admin → Integrations: make one for a script or monitor (shown once), see when each was last used,
revoke it. A new token goes straight into its read-only field in the browser (`rx.set_value`), never into state,
so it is in no state store; only its hash is kept."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from smartplex.services import api_tokens
from smartplex.services.auth import AuthError, UserView
from smartplex.state.auth import admin_only, public

NEW_TOKEN_FIELD = "new-api-token"


@dataclass(frozen=True)
class TokenRowView:
    id: int = 0
    name: str = ""
    hint: str = ""
    created_at: str = ""
    last_used_at: str = ""


class ApiTokensState(rx.State):
    tokens: list[TokenRowView] = []
    token_shown: bool = False  # the field holding a just-made token is visible
    error: str = ""

    async def _reload(self, actor: UserView) -> None:
        found = await asyncio.to_thread(api_tokens.mine, actor.id)
        self.tokens = [TokenRowView(t.id, t.name, t.hint, t.created_at, t.last_used_at or "") for t in found]

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        self.token_shown, self.error = False, ""
        await self._reload(actor)

    @rx.event
    @admin_only
    async def create(self, actor: UserView, form: dict) -> rx.event.EventSpec | None:
        try:
            _view, token = await asyncio.to_thread(api_tokens.create, actor.id, str(form.get("name", "")))
        except (api_tokens.TokenError, AuthError) as exc:
            self.error = str(exc)
            return None
        self.token_shown, self.error = True, ""
        await self._reload(actor)
        return rx.set_value(NEW_TOKEN_FIELD, token)

    @rx.event
    @admin_only
    async def revoke(self, actor: UserView, token_id: int) -> rx.event.EventSpec:
        await asyncio.to_thread(api_tokens.revoke, actor.id, int(token_id))
        await self._reload(actor)
        return rx.toast.success("Token revoked: it stops working at once.")

    @rx.event
    @public
    def dismiss_token(self) -> rx.event.EventSpec:
        """Hides the caller's own freshly made token from their page."""
        self.token_shown = False
        return rx.set_value(NEW_TOKEN_FIELD, "")
