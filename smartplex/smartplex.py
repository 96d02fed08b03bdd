"""Assembles the app: pages, API routes and lifespan tasks. Nothing else lives here."""

import reflex as rx

from smartplex import log, pages  # noqa: F401 - importing pages registers them
from smartplex.api import create_api
from smartplex.api.cors import SocketOrigins
from smartplex.components.app_head import head_components
from smartplex.config import get_settings
from smartplex.runtime import freeze_startup_heap
from smartplex.services.notifications.worker import delivery_lifespan
from smartplex.services.plex.webhooks import worker_lifespan
from smartplex.services.scheduler import scheduler_lifespan
from smartplex.state.middleware import EventContext

log.configure(get_settings().log_level)

app = rx.App(api_transformer=create_api(), stylesheets=["/styles.css", "/streaming.css"], head_components=head_components())
app.add_middleware(EventContext())
if app.sio is not None:  # the websocket checks origins itself: the page's own, the frontend's, the configured ones
    app.sio.eio.cors_allowed_origins = SocketOrigins(lambda: rx.config.get_config().deploy_url)
app.register_lifespan_task(worker_lifespan)
app.register_lifespan_task(delivery_lifespan)
app.register_lifespan_task(scheduler_lifespan)
app.register_lifespan_task(freeze_startup_heap)
