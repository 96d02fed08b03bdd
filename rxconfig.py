"""Reflex configuration. Everything comes from the environment (see README: Configuration)."""

import reflex as rx

from smartplex.config import get_settings

settings = get_settings()

config = rx.Config(
    app_name="smartplex",
    db_url=settings.db_url,
    # Browser state holds the session token (and the request headers with its cookie): keep it in memory, or in
    # Redis when several workers share it, never in files under .states/.
    state_manager_mode=rx.constants.StateManagerMode.REDIS if settings.redis_url else rx.constants.StateManagerMode.MEMORY,
    telemetry_enabled=False,
    # Reflex's default, "*", let any site's page call the API with the user's cookies (see smartplex/api/cors.py).
    cors_allowed_origins=list(settings.cors_origins),
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="inherit", accent_color="amber", gray_color="slate", radius="medium", scaling="100%")
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
