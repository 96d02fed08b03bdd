"""The server switcher at the top of the member's library pages (home, history, stats, search): all servers
merged, or one. Hidden for members who reach a single server."""

from __future__ import annotations

import reflex as rx

from smartplex.state.server_switcher import ServerSwitcherState as S


def server_switcher() -> rx.Component:
    return rx.cond(
        S.shown,
        rx.hstack(
            rx.icon("server", size=16),
            rx.select.root(
                rx.select.trigger(aria_label="Which server", id="server-switcher"),
                rx.select.content(
                    rx.foreach(S.options, lambda o: rx.select.item(o.label, value=o.value, id="server-" + o.value))
                ),
                value=S.chosen,
                on_change=S.choose,
                size="2",
            ),
            align="center",
            spacing="2",
        ),
    )
