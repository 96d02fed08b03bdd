"""The "Sign in with Plex" block of the login page: the button, the wait for Plex, and what went wrong with a retry."""

from __future__ import annotations

import reflex as rx

from smartplex.state.plex_signin import OPEN_POPUP, PlexSignInState as S

PLEX_GOLD = "#E5A00D"


def _open_plex() -> rx.event.EventSpec:
    """Opens the popup within the click itself (browsers block later ones), then tells the server."""
    return rx.call_script(OPEN_POPUP, callback=S.begin)


def _plex_button(label: str, id: str) -> rx.Component:
    """Plex's own look: charcoal with the gold chevron, so it does not read as the email form's button."""
    return rx.button(
        rx.icon("chevron-right", size=20, stroke_width=3.5, color=PLEX_GOLD),
        label,
        on_click=_open_plex(),
        id=id,
        size="3",
        width="100%",
        background=rx.color_mode_cond(light="#1F1F1F", dark="#33363B"),
        color="white",
        _hover={"background": rx.color_mode_cond(light="#33363B", dark="#44474D")},
    )


def _waiting() -> rx.Component:
    return rx.hstack(
        rx.spinner(size="2"),
        rx.vstack(
            rx.text(rx.cond(S.status == "starting", "Opening Plex…", "Waiting for Plex…"), weight="medium", size="2"),
            rx.text("Finish in the Plex window; it closes by itself.", size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.button("Cancel", variant="ghost", color_scheme="gray", size="1", on_click=S.cancel, id="plex-cancel"),
        align="center",
        width="100%",
        padding="12px",
        border_radius="8px",
        border=f"1px solid {rx.color('gray', 5)}",
        id="plex-waiting",
    )


def _failure() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("circle-alert")),
        rx.vstack(
            rx.callout.text(S.message, id="plex-error"),
            rx.hstack(
                rx.button("Try again", size="1", variant="soft", on_click=_open_plex(), id="plex-retry"),
                rx.cond(
                    S.offer_this_tab,
                    rx.button(
                        "Continue in this tab", size="1", variant="outline", on_click=S.continue_here, id="plex-this-tab"
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
        ),
        color_scheme="amber",
        role="alert",
        width="100%",
    )


def _or() -> rx.Component:
    line = rx.box(height="1px", flex="1", background=rx.color("gray", 6))
    return rx.hstack(line, rx.text("or with email", size="1", color_scheme="gray"), line, align="center", width="100%")


def plex_sign_in() -> rx.Component:
    """Shown once a Plex server is connected (before that, no Plex account can be checked)."""
    return rx.cond(
        S.available,
        rx.vstack(
            rx.cond(
                S.busy,
                _waiting(),
                rx.cond(S.status == "failed", _failure(), _plex_button("Sign in with Plex", "plex-sign-in")),
            ),
            _or(),
            spacing="3",
            width="100%",
        ),
    )
