"""What the top bar carries for requests: the Request button and its window, and the live notification bell."""

from __future__ import annotations

import reflex as rx

from smartplex.components.live_bell import live_bell
from smartplex.components.request_window import request_button, request_window


def request_bar() -> rx.Component:
    return rx.hstack(request_button(compact=True), request_window(), live_bell(), spacing="3", align="center")
