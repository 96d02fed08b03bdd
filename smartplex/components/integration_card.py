"""The frame of one integration on Admin → Integrations: name, what it is for, its health, then its own parts.

Every service SmartPlex talks to gets one (Overseerr / Seerr now; Plex, Tautulli and the AI provider next), so
the page reads the same way for each; a health history (sparkline) fits in `aside`.
"""

from __future__ import annotations

import reflex as rx

from smartplex.components.status_badge import status_badge

HEALTH_WORDS = {"ok": "ok", "down": "down", "rejected": "key rejected", "unknown": "not checked"}


def health_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        ("unknown", rx.badge("not checked", color_scheme="gray", variant="soft")),
        ("rejected", rx.badge("key rejected", color_scheme="red", variant="soft")),
        status_badge(status),
    )


def integration_card(
    name: str, icon: str, about: str, health: rx.Var, *parts: rx.Component, id: str, aside: rx.Component | None = None
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.hstack(
                    rx.center(rx.icon(icon, size=20), width="36px", height="36px", border_radius="8px", background=rx.color("accent", 3),
                              color=rx.color("accent", 11)),  # fmt: skip
                    rx.vstack(rx.heading(name, size="4"), rx.text(about, size="2", color_scheme="gray"), spacing="0"),
                    align="center",
                    spacing="3",
                ),
                rx.spacer(),
                rx.hstack(aside if aside is not None else rx.fragment(), health_badge(health), align="center"),
                width="100%",
                gap="8px",
                wrap="wrap",
            ),
            *parts,
            spacing="4",
            width="100%",
        ),
        width="100%",
        id=id,
    )


def section(title: str, *children: rx.Component, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.divider(),
        rx.text(title, weight="bold", size="3"),
        rx.cond(hint != "", rx.text(hint, size="2", color_scheme="gray")) if hint else rx.fragment(),
        *children,
        spacing="2",
        width="100%",
    )
