"""A notification as the bell's panel and the notifications page show it: its kind's icon, title, text and age."""

from __future__ import annotations

import reflex as rx

from smartplex.services.notifications.kinds import KINDS


def kind_icon(kind: rx.Var, size: int = 16) -> rx.Component:
    """The kind's icon in a soft circle, tinted while the notification is unread."""
    return rx.match(kind, *[(key, rx.icon(k.icon, size=size)) for key, k in KINDS.items()], rx.icon("bell", size=size))


def kind_badge(n: rx.Var) -> rx.Component:
    """The kind's icon in a circle, tinted while the notification is unread."""
    return rx.center(
        kind_icon(n.kind),
        width="32px",
        min_width="32px",
        height="32px",
        border_radius="999px",
        background=rx.cond(n.read, rx.color("gray", 3), rx.color("accent", 4)),
        color=rx.cond(n.read, rx.color("gray", 10), rx.color("accent", 11)),
    )


def ago(moment: rx.Var) -> rx.Component:
    return rx.text(rx.moment(moment, from_now=True), size="1", color_scheme="gray", white_space="nowrap")


def unread_dot(n: rx.Var) -> rx.Component:
    return rx.cond(~n.read, rx.box(width="8px", min_width="8px", height="8px", border_radius="999px", background=rx.color("accent", 9),
                                   margin_top="6px", aria_label="unread"))  # fmt: skip


def notice_line(n: rx.Var) -> rx.Component:
    """Icon, title (bold while unread), text, how long ago, and a dot while unread (the bell's panel)."""
    return rx.hstack(
        kind_badge(n),
        rx.vstack(
            rx.text(n.title, size="2", weight=rx.cond(n.read, "regular", "bold"), class_name="line-clamp-2"),
            rx.cond(n.body, rx.text(n.body, size="1", color_scheme="gray", class_name="line-clamp-2")),
            ago(n.created_at),
            spacing="0",
            min_width="0",
            flex="1",
            align="start",
        ),
        unread_dot(n),
        spacing="3",
        align="start",
        width="100%",
    )
