"""A request's status as a coloured badge, and the badge a search result carries."""

from __future__ import annotations

import reflex as rx

STATUS_COLORS = {
    "pending": "amber",
    "approved": "blue",
    "processing": "violet",
    "partially_available": "teal",
    "available": "green",
    "declined": "red",
    "failed": "red",
}
BADGE_COLORS = {"on_server": "green", "available": "green", "partly_available": "teal", "requested_by_you": "blue",
                "requested": "amber"}  # fmt: skip


def request_status(status: rx.Var, label: rx.Var, id: rx.Var | str | None = None) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"), variant="soft", size="2", id=id)


def result_badge(badge: rx.Var, label: rx.Var) -> rx.Component:
    return rx.cond(badge, rx.badge(label, color_scheme=rx.match(badge, *BADGE_COLORS.items(), "gray"), variant="solid", size="1"))
