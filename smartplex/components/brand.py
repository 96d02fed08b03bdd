"""The SmartPlex wordmark."""

from __future__ import annotations

import reflex as rx


def logo(size: str = "5") -> rx.Component:
    return rx.hstack(
        rx.center(rx.icon("clapperboard", size=18, color="white"), width="32px", height="32px", border_radius="8px", background=rx.color("accent", 9)),
        rx.heading("SmartPlex", size=size, weight="bold"),
        align="center",
        spacing="2",
    )
