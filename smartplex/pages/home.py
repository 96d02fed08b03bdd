"""/: the signed-in home."""

import reflex as rx

from smartplex.components.layout import app_page
from smartplex.state.auth import AuthState


def _empty_server() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("server", size=32, color=rx.color("accent", 9)),
            rx.cond(
                AuthState.is_admin,
                rx.vstack(
                    rx.heading("Connect your Plex server", size="5"),
                    rx.text(
                        "SmartPlex fills this page from your Plex library: what's new, what to watch next, "
                        "and what your people enjoy. Server onboarding arrives in the next release.",
                        color_scheme="gray",
                    ),
                    rx.link(rx.button("Invite members", variant="soft"), href="/admin/members"),
                    spacing="2",
                ),
                rx.vstack(
                    rx.heading("Your server isn't connected yet", size="5"),
                    rx.text(
                        "Once the owner connects the Plex server, your history and recommendations appear here.",
                        color_scheme="gray",
                    ),
                    spacing="2",
                ),
            ),
            spacing="3",
            padding="8px",
        ),
        id="empty-server",
        width="100%",
    )


@app_page(route="/", title="Home")
def home() -> rx.Component:
    return rx.vstack(
        rx.heading(f"Welcome, {AuthState.user_name}", size="7", id="welcome"),
        _empty_server(),
        spacing="5",
        width="100%",
    )
