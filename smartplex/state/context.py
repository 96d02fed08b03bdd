"""The ViewContext a state turns service results into views with: this browser's image origin, each shown
server's "Play in Plex" links and the acting member's time zone."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import clock
from smartplex.services.auth import UserView
from smartplex.services.plex import links
from smartplex.services.plex.household import Servers, as_ids
from smartplex.state.urls import api_origin
from smartplex.state.views import ViewContext


async def view_context(state: rx.State, actor: UserView, servers: Servers) -> ViewContext:
    play_links = {server_id: await asyncio.to_thread(links.for_server, server_id) for server_id in as_ids(servers) if server_id}
    return ViewContext(origin=api_origin(state), links=play_links, tz=clock.zone(actor.time_zone))
