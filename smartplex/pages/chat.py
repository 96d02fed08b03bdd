"""/chat: the member's AI chat with their conversations."""

import reflex as rx

from smartplex import routes
from smartplex.components.chat import composer, messages
from smartplex.components.detail_drawer import detail_drawer
from smartplex.components.layout import app_page
from smartplex.state.chat import ChatState as S


def _conversation(conversation: rx.Var) -> rx.Component:
    active = conversation.id == S.conversation_id
    return rx.cond(
        S.renaming_id == conversation.id,
        rx.form(
            rx.hstack(
                rx.input(value=S.rename_text, on_change=S.set_rename_text, size="1", auto_focus=True, width="100%", id="chat-rename-input"),
                rx.icon_button(rx.icon("check", size=14), size="1", type="submit", aria_label="Save name", id="chat-rename-save"),
                rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", type="button", on_click=S.cancel_rename, aria_label="Cancel"),
                width="100%",
            ),
            on_submit=lambda _form: S.save_rename(),
            width="100%",
        ),
        rx.hstack(
            rx.text(conversation.title, size="2", class_name="line-clamp-1", flex="1", on_click=S.open_conversation(conversation.id), cursor="pointer"),
            rx.menu.root(
                rx.menu.trigger(rx.icon_button(rx.icon("ellipsis", size=14), size="1", variant="ghost", aria_label="Conversation actions", class_name="chat-conversation-menu")),
                rx.menu.content(
                    rx.menu.item(rx.icon("pencil", size=14), "Rename", on_click=S.start_rename(conversation.id), class_name="chat-rename"),
                    rx.menu.item(rx.icon("trash-2", size=14), "Delete", color_scheme="red", on_click=S.delete_conversation(conversation.id), class_name="chat-delete"),
                ),
            ),
            align="center",
            width="100%",
            padding_x="10px",
            padding_y="6px",
            border_radius="8px",
            background=rx.cond(active, rx.color("accent", 4), "transparent"),
            _hover={"background": rx.color("accent", 3)},
            class_name="chat-conversation",
        ),
    )


def _conversations() -> rx.Component:
    return rx.vstack(
        rx.button(rx.icon("plus", size=16), "New chat", on_click=S.new_chat, width="100%", variant="soft", id="chat-new"),
        rx.cond(
            S.conversations.length() > 0,
            rx.vstack(rx.foreach(S.conversations, _conversation), spacing="1", width="100%"),
            rx.text("Your conversations appear here.", size="2", color_scheme="gray"),
        ),
        spacing="3",
        width=["100%", "100%", "240px"],
        min_width=["0", "0", "240px"],
        id="chat-conversations",
    )


@app_page(routes.CHAT, "Chat", on_load=[S.load], icon="message-circle", order=3)
def chat_page() -> rx.Component:
    """The conversation list beside the chat on wide screens, below it on phones (one list, so one set of ids)."""
    return rx.flex(
        rx.box(_conversations(), width=["100%", "100%", "auto"], border_top=[f"1px solid {rx.color('gray', 5)}", f"1px solid {rx.color('gray', 5)}", "none"], padding_top=["12px", "12px", "0"]),
        rx.vstack(
            rx.hstack(rx.heading(S.title, size="4", class_name="line-clamp-1", id="chat-title"), width="100%", align="center"),
            messages(),
            rx.box(composer(), position="sticky", bottom="0", width="100%", padding_y="12px", background=rx.color("gray", 1)),
            spacing="4",
            width="100%",
            min_width="0",
        ),
        detail_drawer(S.detail, S.detail_open, S.set_detail_open, S.open_detail),
        direction=rx.breakpoints(initial="column-reverse", md="row"),
        gap="6",
        width="100%",
        align="start",
    )
