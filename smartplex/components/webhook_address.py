"""The webhook URL to paste into Plex, with a warning and a public-address form when it names this machine."""

from __future__ import annotations

import reflex as rx

from smartplex.components.copyable import copyable


def webhook_address(state: type[rx.State]) -> rx.Component:
    """Draw a PublicAddress state's webhook URL (`state` mixes in PublicAddress)."""
    s = state
    fix = rx.cond(
        s.public_url_from_env,
        rx.text("SMARTPLEX_PUBLIC_URL sets the public address; change it there.", size="2"),
        rx.form(
            rx.flex(
                rx.input(
                    name="public_url",
                    placeholder="https://smartplex.example.com or http://192.168.1.20:3000",
                    default_value=s.public_url,
                    max_length=512,
                    flex="1",
                    min_width="240px",
                    id="public-url",
                ),
                rx.button("Save address", type="submit", variant="soft", id="save-public-url"),
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            on_submit=s.save_public_url,
            width="100%",
        ),
    )
    return rx.vstack(
        copyable(s.webhook_url, "webhook-url", "Copy webhook URL"),
        rx.cond(
            s.webhook_is_local,
            rx.callout(
                rx.vstack(
                    rx.text(
                        "This address only works on this computer: a Plex server on another machine cannot reach "
                        "it. Enter the address other machines use to reach SmartPlex (its LAN address or public "
                        "name).",
                        size="2",
                    ),
                    spacing="2",
                    width="100%",
                ),
                icon="triangle_alert",
                color_scheme="amber",
                width="100%",
                id="webhook-local-warning",
            ),
        ),
        rx.vstack(
            rx.text("SmartPlex's public address", size="2", weight="medium"),
            fix,
            rx.cond(s.public_url_error, rx.text(s.public_url_error, size="2", color_scheme="red", id="public-url-error")),
            spacing="2",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )
