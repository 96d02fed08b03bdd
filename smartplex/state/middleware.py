"""Give every browser event a request id in the logs, like HTTP requests get one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import reflex as rx
from reflex_base.event import Event

from smartplex import log

if TYPE_CHECKING:
    from reflex.app import App
    from reflex.state import BaseState, StateUpdate


class EventContext(rx.Middleware):
    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        log.clear()
        log.bind(request_id=log.new_request_id(), event_name=event.name.rsplit(".", 1)[-1])
        return None
