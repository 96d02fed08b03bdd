"""Absolute URLs that SmartPlex hands out (webhook URLs for Plex to call)."""

from __future__ import annotations

import reflex as rx
from reflex_base.constants import Env
from reflex_base.environment import environment

from smartplex.config import get_settings


def api_origin(state: rx.State) -> str:
    """Where machines reach SmartPlex's API: SMARTPLEX_PUBLIC_URL when set; in production the page's
    own origin (frontend and backend share one port); in development the separate backend."""
    if public := get_settings().public_url:
        return public
    if environment.REFLEX_ENV_MODE.get() == Env.PROD:
        return state.router.url.origin
    return rx.config.get_config().api_url.rstrip("/")
