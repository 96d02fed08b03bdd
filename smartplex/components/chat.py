"""The chat's pieces, shared by the Chat page and the slide-over panel: messages (markdown, poster cards, the
built-in answerer's label, cut-off answers with Retry), the streaming answer, suggestions and the composer.
`compact` is the panel's narrower layout."""

from __future__ import annotations

import reflex as rx

from smartplex.components.poster import poster_card
from smartplex.state.chat import SUGGESTIONS, ChatState
from smartplex.state.requests import RequestState


def _bubble(content: rx.Component, mine: bool, **props: object) -> rx.Component:
    style = {"max_width": "100%", "class_name": "chat-markdown", **props}
    return rx.box(
        content,
        background=rx.color("accent", 4) if mine else rx.color("gray", 3),
        border_radius="12px",
        padding_x="14px",
        padding_y="10px",
        **style,
    )


def _cards(message: rx.Var) -> rx.Component:
    return rx.cond(
        message.cards.length() > 0,
        rx.scroll_area(
            rx.hstack(rx.foreach(message.cards, lambda c: poster_card(c, ChatState.open_detail)), spacing="3", padding_bottom="10px"),
            type="hover",
            scrollbars="horizontal",
            width="100%",
            class_name="chat-cards",
        ),
    )


def _missing_title(message: rx.Var, title: rx.Var) -> rx.Component:
    """A title the answer names that is not on the server; "Request it" opens the Request window on it."""
    return rx.hstack(
        rx.badge(rx.icon("circle-slash", size=12), title, " · not on your server", variant="outline", color_scheme="gray"),
        rx.cond(
            message.can_request,
            rx.button(
                rx.icon("circle-plus", size=14),
                "Request it",
                size="1",
                variant="soft",
                on_click=[RequestState.open_window, RequestState.set_query(title)],
                class_name="chat-request-it",
            ),
        ),
        spacing="2",
        align="center",
    )


def _missing(message: rx.Var) -> rx.Component:
    return rx.cond(
        message.missing.length() > 0,
        rx.hstack(
            rx.foreach(message.missing, lambda title: _missing_title(message, title)),
            wrap="wrap",
            class_name="chat-missing",
        ),
    )


def _assistant(message: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.cond(
            message.builtin,
            rx.hstack(
                rx.badge(rx.icon("database", size=12), "Answered without the AI model", color_scheme="amber", variant="soft"),
                rx.text(message.note, size="1", color_scheme="gray"),
                wrap="wrap",
                align="center",
                class_name="chat-builtin",
            ),
        ),
        _bubble(rx.markdown(message.content), False),
        _cards(message),
        _missing(message),
        rx.cond(
            message.cut_off | message.stopped,
            rx.hstack(
                rx.icon("triangle-alert", size=14, color=rx.color("amber", 10)),
                rx.text(rx.cond(message.cut_off, "The answer was cut off.", "You stopped this answer."), size="2", color_scheme="gray"),
                rx.button(rx.icon("rotate-ccw", size=14), "Retry", size="1", variant="soft", on_click=ChatState.retry(message.id), class_name="chat-retry"),
                align="center",
                class_name="chat-cut-off",
            ),
        ),
        spacing="2",
        align="start",
        width="100%",
        class_name="chat-answer",
    )


def _message(message: rx.Var) -> rx.Component:
    return rx.cond(
        message.role == "user",
        rx.flex(_bubble(rx.text(message.content, size="2"), True, max_width="85%"), justify="end", width="100%", class_name="chat-question"),
        _assistant(message),
    )


def _streaming() -> rx.Component:
    return rx.cond(
        ChatState.streaming,
        rx.vstack(
            rx.cond(
                ChatState.streaming_text,
                _bubble(rx.markdown(ChatState.streaming_text), False, class_name="chat-markdown chat-cursor", id="chat-streaming"),
                rx.hstack(rx.spinner(size="2"), rx.text("Looking through your library…", size="2", color_scheme="gray"), id="chat-thinking"),
            ),
            width="100%",
            align="start",
        ),
    )


def _suggestions() -> rx.Component:
    return rx.vstack(
        rx.text("Ask about your library, your history or what to watch next.", size="2", color_scheme="gray"),
        rx.flex(
            *[
                rx.button(text, variant="surface", size="2", radius="full", on_click=ChatState.ask(text), class_name="chat-suggestion")
                for text in SUGGESTIONS
            ],
            wrap="wrap",
            gap="2",
        ),
        spacing="3",
        id="chat-suggestions",
        padding_y="12px",
    )


def messages(compact: bool = False) -> rx.Component:
    return rx.vstack(
        rx.cond((ChatState.messages.length() == 0) & ~ChatState.streaming, _suggestions()),
        rx.foreach(ChatState.messages, _message),
        _streaming(),
        rx.box(id="chat-end"),
        spacing="4",
        width="100%",
        id="chat-messages-compact" if compact else "chat-messages",
    )


def composer(compact: bool = False) -> rx.Component:
    suffix = "-compact" if compact else ""
    return rx.vstack(
        rx.cond(
            ChatState.error,
            rx.callout(ChatState.error, icon="clock", color_scheme="amber", size="1", width="100%", id=f"chat-error{suffix}"),
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="question",
                    placeholder="Ask about your library…",
                    size="3",
                    width="100%",
                    max_length=2000,
                    auto_complete="off",
                    disabled=ChatState.streaming,
                    id=f"chat-input{suffix}",
                ),
                rx.cond(
                    ChatState.streaming,
                    rx.button(rx.icon("square", size=16), "Stop", size="3", color_scheme="gray", type="button", on_click=ChatState.stop, id=f"chat-stop{suffix}"),
                    rx.button(rx.icon("send", size=16), rx.cond(compact, "", "Send"), size="3", type="submit", id=f"chat-send{suffix}"),
                ),
                width="100%",
            ),
            on_submit=ChatState.submit,
            reset_on_submit=True,
            width="100%",
        ),
        spacing="2",
        width="100%",
    )
