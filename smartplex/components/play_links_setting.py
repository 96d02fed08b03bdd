"""The admin's choice of where "Play in Plex" opens titles (state/play_links.py)."""

from __future__ import annotations

import reflex as rx

from smartplex.components.card_heading import card_heading


def play_links_card(state: type[rx.State]) -> rx.Component:
    s: type = state
    return rx.card(
        rx.form(
            rx.vstack(
                card_heading(
                    "“Play in Plex” links",
                    "Members' “Play in Plex” buttons open titles on app.plex.tv. If your members reach your server's "
                    "own web address (for example https://plex.example.com:32400), enter it to open titles there instead.",
                ),
                rx.hstack(
                    rx.input(
                        name="plex_web_url",
                        default_value=s.plex_web_url,
                        placeholder="Empty: app.plex.tv",
                        id="plex-web-url",
                        max_length=512,
                        flex="1",
                        key=s.plex_web_url,
                    ),
                    rx.button("Save", type="submit", id="plex-web-url-save"),
                    width="100%",
                ),
                rx.cond(s.plex_web_url_error, rx.text(s.plex_web_url_error, size="1", color_scheme="red", id="plex-web-url-error")),
                rx.text("A link looks like: ", rx.code(s.play_link_example, size="1", word_break="break-all"), size="1", color_scheme="gray"),
                spacing="3",
                width="100%",
            ),
            on_submit=s.save_plex_web_url,
            id="play-links-form",
            width="100%",
        ),
        width="100%",
        id="play-links",
    )
