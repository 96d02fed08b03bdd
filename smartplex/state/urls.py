"""Absolute URLs SmartPlex hands out: to this browser (posters), to other machines (Plex's webhooks) and to
people elsewhere (invite links)."""

from __future__ import annotations

import asyncio

import reflex as rx
from reflex_base.constants import Env
from reflex_base.environment import environment

from smartplex import routes
from smartplex.services import preferences
from smartplex.services.plex import servers


def api_origin(state: rx.State) -> str:
    """Where this browser reaches SmartPlex's API (posters): in production the page's own origin (frontend and
    backend share one port, so the session cookie goes along); in development the separate backend."""
    if environment.REFLEX_ENV_MODE.get() == Env.PROD:
        return state.router.url.origin
    return rx.config.get_config().api_url.rstrip("/")


async def webhook_url(state: rx.State, owner_id: int) -> str:
    """The owner's Plex webhook URL on the public address (else the API address this browser uses)."""
    public, secret = await asyncio.gather(
        asyncio.to_thread(preferences.public_url), asyncio.to_thread(servers.ensure_webhook_secret, owner_id)
    )
    return f"{public or api_origin(state)}{servers.webhook_path(secret)}"


async def invite_link(state: rx.State, token: str) -> str:
    """An invite link on the public address (else the page's own address)."""
    public = await asyncio.to_thread(preferences.public_url)
    return routes.join_link(public or state.router.url.origin, token)
