"""The ViewContext a state turns service results into views with: this browser's image origin, the server's
"Play in Plex" links and the acting member's time zone."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import clock
from smartplex.services.auth import UserView
from smartplex.services.plex import links
from smartplex.state.urls import api_origin
from smartplex.state.views import ViewContext


async def view_context(state: rx.State, actor: UserView, server_id: int) -> ViewContext:
    play_links = await asyncio.to_thread(links.for_server, server_id) if server_id else links.NO_LINKS
    return ViewContext(origin=api_origin(state), links=play_links, tz=clock.zone(actor.time_zone))
