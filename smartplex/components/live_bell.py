"""The bell in the top bar: the unread count, live (state/live.py starts its watch when the shell mounts), and a
panel of the latest notifications; each opens its page, and the panel leads to all of them and to the settings."""

from __future__ import annotations

import reflex as rx

from smartplex import routes
from smartplex.components.notice import notice_line
from smartplex.state.live import LiveState as L


def _notice(n: rx.Var) -> rx.Component:
    return rx.box(
        notice_line(n),
        on_click=L.open_notice(n.id),
        padding="8px",
        border_radius="6px",
        cursor="pointer",
        _hover={"background": rx.color("gray", 3)},
        width="100%",
        id="notice-" + n.id.to_string(),
        class_name="bell-notice",
    )


def live_bell() -> rx.Component:
    count = rx.cond(L.unread > 99, "99+", L.unread.to_string())
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
                        rx.popover.close(
                            rx.link(rx.icon("settings", size=16), href=routes.NOTIFICATION_SETTINGS, color=rx.color("gray", 11),
                                    aria_label="Notification settings", id="bell-settings"),  # fmt: skip
                        ),
                        width="100%",
                        align="center",
                    ),
                    rx.cond(
                        L.recent.length() > 0,
                        rx.vstack(rx.foreach(L.recent, _notice), spacing="0", width="100%", max_height="60vh", overflow_y="auto"),
                        rx.text("Nothing yet. Requests you make, and news from the admin, report here.", size="2", color_scheme="gray"),
                    ),
                    rx.divider(),
                    rx.popover.close(
                        rx.link("See all notifications", href=routes.NOTIFICATIONS, size="2", weight="medium", id="bell-all"),
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="360px",
                max_width="92vw",
                id="live-notices",
            ),
            open=L.panel_open,
            on_open_change=L.set_panel_open,
        ),
        on_mount=L.start,
        on_unmount=L.stop,
    )
