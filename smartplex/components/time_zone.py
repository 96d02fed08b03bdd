"""On a member's first visit, ask the browser for its time zone (nothing is asked once the member has one)."""

from __future__ import annotations

import reflex as rx

from smartplex.state.auth import AuthState
from smartplex.state.profile import ProfileState

BROWSER_ZONE = "Intl.DateTimeFormat().resolvedOptions().timeZone"


def time_zone_probe() -> rx.Component:
    return rx.cond(
        AuthState.signed_in & ~AuthState.user_time_zone.bool(),
        rx.box(on_mount=rx.call_script(BROWSER_ZONE, callback=ProfileState.adopt_browser_time_zone), display="none"),
    )
