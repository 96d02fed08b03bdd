"""The frame of one integration on Admin → Integrations: name, what it is for, its health badge, then its parts (the
health strip of components/integration_health.py, its own settings)."""

from __future__ import annotations

import reflex as rx

BADGES = {  # status -> (words, colour): green healthy; yellow slow or degraded; red down or refusing credentials
    "ok": ("Healthy", "green"),
    "slow": ("Slow", "amber"),
    "degraded": ("Degraded", "amber"),
    "down": ("Down", "red"),
    "rejected": ("Rejected", "red"),
}


def health_badge(status: rx.Var, id: str | None = None) -> rx.Component:
    return rx.match(
        status,
        *[(key, rx.badge(rx.icon("circle", size=8, fill="currentColor"), words, color_scheme=colour, variant="soft", size="2", id=id))
          for key, (words, colour) in BADGES.items()],
        rx.badge("Not checked", color_scheme="gray", variant="soft", size="2", id=id),
    )  # fmt: skip


def integration_card(
    name: str | rx.Var, icon: str, about: str, health: rx.Var, *parts: rx.Component, id: str | rx.Var, badge_id: str | rx.Var | None = None
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.hstack(
                    rx.center(rx.icon(icon, size=20), width="36px", min_width="36px", height="36px", border_radius="8px",
                              background=rx.color("accent", 3), color=rx.color("accent", 11)),  # fmt: skip
                    rx.vstack(rx.heading(name, size="4"), rx.text(about, size="2", color_scheme="gray"), spacing="0"),
                    align="center",
                    spacing="3",
                ),
                rx.spacer(),
                health_badge(health, badge_id),
                width="100%",
                gap="8px",
                wrap="wrap",
                align="center",
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


def connection_field(label: str, control: rx.Component, html_for: str, flex: str = "2", min_width: str = "220px") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=html_for), control, spacing="1", flex=flex, min_width=min_width
    )


def secret_input(mask: rx.Var, hint: str, id: str, max_length: int = 512) -> rx.Component:
    """The API key: never sent back to the page; the placeholder says whether one is stored (its last four)."""
    return rx.input(
        name="api_key", type="password", auto_complete="off", max_length=max_length, width="100%", id=id,
        placeholder=rx.cond(mask, "Stored " + mask + " — leave empty to keep", hint),
    )  # fmt: skip


def connection_form(*fields: rx.Component, on_submit: rx.EventHandler, busy: rx.Var, save_id: str) -> rx.Component:
    """Where an integration is and its key, saved and tested in one step; the form is emptied so the key never stays."""
    return rx.form(
        rx.flex(
            *fields,
            rx.button("Save and test", type="submit", loading=busy, id=save_id, align_self="end"),
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        width="100%",
    )
