"""/: the signed-in home."""

import reflex as rx

from smartplex.components.layout import app_page
from smartplex.state.auth import AuthState
from smartplex.state.home import HomeState


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
                        "and what your people enjoy.",
                        color_scheme="gray",
                    ),
                    rx.link(rx.button("Connect Plex"), href="/onboarding"),
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


@app_page(route="/", title="Home", on_load=[HomeState.load])
def home() -> rx.Component:
    return rx.vstack(
        rx.heading(f"Welcome, {AuthState.user_name}", size="7", id="welcome"),
        rx.cond(HomeState.has_server, rx.fragment(), _empty_server()),
        spacing="5",
        width="100%",
    )
