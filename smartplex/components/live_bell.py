"""The bell in the top bar: unread notifications, live (state/live.py starts its watch when the shell mounts)."""

from __future__ import annotations

import reflex as rx

from smartplex.state.live import LiveState as L


def _notice(n: rx.Var) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.text(n.title, size="2", weight=rx.cond(n.read, "regular", "bold")),
            rx.cond(n.body, rx.text(n.body, size="1", color_scheme="gray", class_name="line-clamp-2")),
            rx.moment(n.created_at, from_now=True, size="1", color_scheme="gray"),
            spacing="0",
            padding="8px",
            border_radius="6px",
            _hover={"background": rx.color("gray", 3)},
            width="100%",
        ),
        href=rx.cond(n.link, n.link, "#"),
        underline="none",
        color="inherit",
        width="100%",
    )


def live_bell() -> rx.Component:
    count = rx.cond(L.unread > 9, "9+", L.unread.to_string())
    return rx.box(
        rx.popover.root(
            rx.popover.trigger(
                rx.box(
                    rx.icon_button(rx.icon("bell", size=18), variant="ghost", aria_label="Notifications", id="live-bell"),
                    rx.cond(
                        L.unread > 0,
                        rx.badge(count, color_scheme="red", variant="solid", radius="full", size="1", position="absolute",
                                 top="-4px", right="-6px", pointer_events="none", id="live-badge"),  # fmt: skip
                    ),
                    position="relative",
                )
            ),
            rx.popover.content(
                rx.vstack(
                    rx.hstack(
                        rx.text("Notifications", weight="bold"),
                        rx.spacer(),
                        rx.cond(L.unread > 0, rx.button("Mark all read", size="1", variant="ghost", on_click=L.mark_all_read, id="mark-read")),
                        width="100%",
                        align="center",
                    ),
                    rx.cond(
                        L.recent.length() > 0,
                        rx.vstack(rx.foreach(L.recent, _notice), spacing="1", width="100%"),
                        rx.text("Nothing new. Requests you make report here when they are on the server.", size="2", color_scheme="gray"),
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="320px",
                max_width="92vw",
                id="live-notices",
            ),
        ),
        on_mount=L.start,
        on_unmount=L.stop,
    )
