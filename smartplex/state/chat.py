"""A member's AI chat, on its page and in the slide-over panel: conversations, streaming answers, Stop and Retry.

Answers stream in a background task: each piece of text is pushed to the browser as it arrives (the first at
once, later ones gathered for FLUSH_SECONDS), and Stop ends the task's stream; the service keeps what was said.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import reflex as rx

from smartplex.services.ai import chat, conversations
from smartplex.services.ai.chat import Begun, ChatError, Delta, Finished
from smartplex.services.ai.conversations import ConversationError
from smartplex.services.auth import UserView
from smartplex.services.plex import household
from smartplex.state.auth import member_only, public
from smartplex.state.chat_views import ConversationView, MessageView, card_ids, conversation_view, message_view
from smartplex.state.context import view_context
from smartplex.state.detail import DetailDrawer
from smartplex.state.views import ViewContext

FLUSH_SECONDS = 0.05
SUGGESTIONS = [
    "What should I watch tonight?",
    "What's new on the server?",
    "What's trending?",
    "What did I watch last week?",
    "How many hours did I watch this month?",
]


class ChatState(DetailDrawer, rx.State):
    conversations: list[ConversationView] = []
    conversation_id: int = 0
    messages: list[MessageView] = []
    streaming: bool = False
    streaming_text: str = ""
    error: str = ""
    panel_open: bool = False
    renaming_id: int = 0
    rename_text: str = ""
    loaded: bool = False

    _stop: bool = False

    @rx.var
    def title(self) -> str:
        found = next((c.title for c in self.conversations if c.id == self.conversation_id), "")
        return found or "New chat"

    async def _show(self, actor: UserView, conversation_id: int) -> None:
        """Load a conversation of the actor's (an unknown one reads as a new chat)."""
        try:
            stored = await asyncio.to_thread(conversations.messages, actor.id, conversation_id) if conversation_id else []
        except ConversationError:
            stored, conversation_id = [], 0
        cards = await asyncio.to_thread(chat.title_cards, actor.id, card_ids(stored))
        ctx = await self._view_context(actor)
        self.conversation_id = conversation_id
        self.messages = [message_view(m, cards, ctx) for m in stored]

    async def _view_context(self, actor: UserView) -> ViewContext:
        return await view_context(self, actor, (await asyncio.to_thread(household.scope_for, actor.id)).primary)

    async def _list(self, actor: UserView) -> None:
        self.conversations = [conversation_view(c) for c in await asyncio.to_thread(conversations.listing, actor.id)]

    async def _load(self, actor: UserView) -> None:
        await self._list(actor)
        known = any(c.id == self.conversation_id for c in self.conversations)
        await self._show(actor, self.conversation_id if known else 0)
        self.error, self.loaded = "", True

    @rx.event
    @member_only
    async def load(self, actor: UserView) -> None:
        await self._load(actor)

    @rx.event
    @member_only
    async def open_panel(self, actor: UserView) -> None:
        self.panel_open = True
        if not self.loaded:
            await self._load(actor)

    @rx.event
    @public
    def set_panel_open(self, is_open: bool) -> None:
        """Opens or closes the caller's own panel (`open_panel` loads, and is member-guarded)."""
        self.panel_open = is_open

    @rx.event
    @member_only
    async def open_conversation(self, actor: UserView, conversation_id: int) -> None:
        if self.streaming:
            return
        await self._show(actor, int(conversation_id))
        self.error = ""

    @rx.event
    @public
    def new_chat(self) -> None:
        """Clears the caller's own page for a new conversation (it is created with the first question)."""
        if not self.streaming:
            self.conversation_id, self.messages, self.error = 0, [], ""

    @rx.event
    @member_only
    async def start_rename(self, actor: UserView, conversation_id: int) -> None:
        found = next((c for c in self.conversations if c.id == int(conversation_id)), None)
        if found is not None:
            self.renaming_id, self.rename_text = found.id, found.title

    @rx.event
    @public
    def set_rename_text(self, text: str) -> None:
        """The caller's own rename field; saving is member-guarded."""
        self.rename_text = text[:120]

    @rx.event
    @member_only
    async def save_rename(self, actor: UserView) -> rx.event.EventSpec | None:
        try:
            await asyncio.to_thread(conversations.rename, actor.id, self.renaming_id, self.rename_text)
        except ConversationError as exc:
            return rx.toast.error(str(exc))
        self.renaming_id = 0
        await self._list(actor)
        return None

    @rx.event
    @public
    def cancel_rename(self) -> None:
        """Closes the caller's own rename field."""
        self.renaming_id = 0

    @rx.event
    @member_only
    async def delete_conversation(self, actor: UserView, conversation_id: int) -> rx.event.EventSpec | None:
        if self.streaming and int(conversation_id) == self.conversation_id:
            return rx.toast.error("Stop the answer first.")
        try:
            await asyncio.to_thread(conversations.remove, actor.id, int(conversation_id))
        except ConversationError as exc:
            return rx.toast.error(str(exc))
        if int(conversation_id) == self.conversation_id:
            self.conversation_id, self.messages = 0, []
        await self._list(actor)
        return rx.toast.success("Conversation deleted.")

    @rx.event
    @member_only
    async def submit(self, actor: UserView, form: dict[str, str]) -> rx.event.EventSpec | None:
        question = str(form.get("question") or "")
        if self.streaming or not question.strip():
            return None
        return ChatState.send(question, 0)

    @rx.event
    @member_only
    async def ask(self, actor: UserView, question: str) -> rx.event.EventSpec | None:
        """A suggested question."""
        return None if self.streaming else ChatState.send(str(question), 0)

    @rx.event
    @member_only
    async def retry(self, actor: UserView, message_id: int) -> rx.event.EventSpec | None:
        return None if self.streaming else ChatState.send("", int(message_id))

    @rx.event
    @member_only
    async def stop(self, actor: UserView) -> None:
        self._stop = True

    @rx.event(background=True)
    @member_only
    async def send(self, actor: UserView, question: str, retry_of: int) -> None:
        """Ask (or answer again) and stream the answer into the page."""
        async with self:
            if self.streaming:
                return
            self.streaming, self.streaming_text, self.error, self._stop = True, "", "", False
            conversation_id = self.conversation_id or None
            if retry_of:
                self.messages = [m for m in self.messages if m.id != retry_of]
        stream = chat.ask(actor.id, question, conversation_id=conversation_id, retry_of=retry_of or None)
        pending, flushed, finished = "", 0.0, None
        try:
            async with contextlib.aclosing(stream):
                async for event in stream:
                    if isinstance(event, Begun):
                        async with self:
                            self.conversation_id = event.conversation.id
                            if event.question is not None:
                                self.messages = [*self.messages, message_view(event.question, {}, ViewContext())]
                            if not any(c.id == event.conversation.id for c in self.conversations):
                                self.conversations = [conversation_view(event.conversation), *self.conversations]
                    elif isinstance(event, Delta):
                        pending += event.text
                        if not flushed or time.monotonic() - flushed >= FLUSH_SECONDS:
                            async with self:
                                self.streaming_text += pending
                                stop = self._stop
                            pending, flushed = "", time.monotonic()
                            if stop:
                                break
                    elif isinstance(event, Finished):
                        finished = event.message
        except ChatError as exc:
            async with self:
                self.streaming, self.error = False, str(exc)
            return
        async with self:
            if finished is None:  # stopped: the service kept what was said; show it as stored
                await self._show(actor, self.conversation_id)
            else:
                cards = await asyncio.to_thread(chat.title_cards, actor.id, card_ids([finished]))
                self.messages = [*self.messages, message_view(finished, cards, await self._view_context(actor))]
            self.streaming, self.streaming_text = False, ""
            await self._list(actor)
