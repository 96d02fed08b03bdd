"""Request from a library title's detail (the dashboard's drawer): a show's missing seasons, in place."""

from __future__ import annotations

import reflex as rx

from smartplex.state.requests import RequestState


def request_in_place(detail: rx.Var, close: rx.event.EventSpec | None = None) -> rx.Component:
    """For a show: a button that opens the Request window on its seasons (`close` shuts the drawer first)."""
    events = [close] if close is not None else []
    return rx.cond(
        detail.type == "show",
        rx.button(
            rx.icon("circle-plus", size=16),
            "Request missing seasons",
            variant="soft",
            on_click=[*events, RequestState.open_for_item(detail.media_item_id)],
            id="request-from-detail",
        ),
    )
