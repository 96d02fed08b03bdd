"""The chat's slide-over panel and the top-bar button that opens it, on every signed-in page but the Chat page."""

from __future__ import annotations

import reflex as rx

from smartplex import routes
from smartplex.components.chat import composer, messages
from smartplex.components.detail_drawer import detail_drawer
from smartplex.state.auth import AuthState
from smartplex.state.chat import ChatState


def _panel() -> rx.Component:
    return rx.drawer.root(
        rx.drawer.overlay(z_index="5"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        rx.icon("sparkles", size=18, color=rx.color("accent", 10)),
                        rx.drawer.title(rx.text(ChatState.title, weight="bold", size="3", class_name="line-clamp-1")),
                        rx.spacer(),
                        rx.tooltip(rx.icon_button(rx.icon("plus", size=16), variant="ghost", on_click=ChatState.new_chat, aria_label="New chat", id="chat-panel-new"), content="New chat"),
                        rx.tooltip(rx.link(rx.icon_button(rx.icon("maximize-2", size=16), variant="ghost", aria_label="Open the Chat page"), href=routes.CHAT, id="chat-panel-full"), content="Open the Chat page"),
                        rx.drawer.close(rx.icon_button(rx.icon("x", size=16), variant="ghost", aria_label="Close")),
                        width="100%",
                        align="center",
                    ),
                    rx.scroll_area(messages(compact=True), type="auto", scrollbars="vertical", flex="1", min_height="0"),
                    composer(compact=True),
                    spacing="3",
                    height="100%",
                    padding="16px",
                ),
                id="chat-panel",
                position="fixed",
                top="0",
                right="0",
                left="auto",
                height="100vh",
                width=["100vw", "440px"],
                z_index="6",
                background=rx.color("gray", 1),
                box_shadow="-8px 0 24px rgba(0,0,0,0.15)",
            ),
        ),
        open=ChatState.panel_open,
        on_open_change=ChatState.set_panel_open,
        direction="right",
    )


def chat_panel_trigger() -> rx.Component:
    """The top bar's entry point to the chat: a button and its panel (not on the Chat page itself)."""
    return rx.cond(
        AuthState.router.url.path != routes.CHAT,
        rx.fragment(
            rx.tooltip(
                rx.icon_button(rx.icon("sparkles", size=18), variant="ghost", on_click=ChatState.open_panel, aria_label="Ask the AI", id="chat-panel-trigger"),
                content="Ask about your library",
            ),
            _panel(),
            detail_drawer(ChatState.detail, ChatState.detail_open, ChatState.set_detail_open, ChatState.open_detail),
        ),
    )
