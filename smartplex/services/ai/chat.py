"""One chat turn: a member's question in, an answer streamed out and kept in their conversation.

`ask` is an async generator: `Begun` (the conversation and the stored question), `Delta`s of answer text as the
model streams it, then `Finished` (the stored answer). The model gets the compact context (services.ai.context)
and calls tools (services.ai.tools) for up to MAX_ROUNDS round trips; every call is recorded with its usage and
cost (services.ai.costs). The built-in answerer (services.ai.builtin) takes over, labelled, when no model is set
up, the month's budget is spent, the circuit is open, or the provider fails before any text was shown; a
provider that fails mid-answer leaves the partial answer marked `cut_off` (the page offers Retry). A consumer
that stops early (the Stop button) closes the generator: the text so far is kept, marked `stopped`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smartplex.db import reading
from smartplex.models import IntegrationKind, utcnow
from smartplex.services import ratelimit
from smartplex.services.ai import builtin, context, conversations, costs, mentions, provider, tools
from smartplex.services.ai.client import Provider, ProviderError, Reply, stream_reply
from smartplex.services.ai.conversations import ConversationSummary, StoredMessage
from smartplex.services.ai.tools import Findings, Scope
from smartplex.services.dashboard.cards import Card, card, items_by_id
from smartplex.services.integrations import store
from smartplex.services.plex import household

CHAT_LIMIT = ratelimit.rule("20/minute")  # roadmap item 24: per member, shared by every worker through Redis
MAX_QUESTION = 2_000
MAX_ROUNDS = 4  # model calls per answer; the last one is offered no tools, so it must answer
MAX_CALLS_PER_ROUND = 6
FEATURE = "chat"
MODEL, BUILTIN = "model", "builtin"
COMPLETE, CUT_OFF, STOPPED = "complete", "cut_off", "stopped"
_FROM_LIBRARY = "so this answer comes straight from your library."
NOTES = {
    "not_configured": f"No AI model is set up, {_FROM_LIBRARY}",
    "budget": f"This month's AI budget is used up, {_FROM_LIBRARY} The model is back next month, or when the admin raises the budget.",
    "blocked": f"The AI model is paused after repeated failures, {_FROM_LIBRARY}",
    "failed": f"The AI model isn't answering right now, {_FROM_LIBRARY}",
    "cut_off": "The AI model stopped answering partway through.",
}


class ChatError(ValueError):
    """A question that cannot be asked as given; the message is safe to show."""


class RateLimited(ChatError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"You're sending messages quickly. Try again in {retry_after} second{'s' * (retry_after != 1)}.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Begun:
    conversation: ConversationSummary
    question: StoredMessage | None  # None when retrying (the question is already there)


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class Finished:
    message: StoredMessage


def requests_available() -> bool:
    """Whether "Request it" can file a request: Overseerr / Seerr is set up (else titles not on the server are
    only named as such)."""
    return store.connection(IntegrationKind.OVERSEERR) is not None


def scope_for(user_id: int, now: datetime | None = None) -> Scope:
    """The server this person's pages show (their chosen one, else the first they reach); ChatError when there is
    none to ask about."""
    server_id = household.scope_for(user_id).primary
    if not server_id:
        raise ChatError("No Plex server is connected yet, so there is no library to ask about.")
    return Scope(user_id, server_id, now or utcnow())


class _Turn:
    """The state of one answer while it streams; `finish` stores it exactly once."""

    def __init__(self, scope: Scope, conversation_id: int) -> None:
        self.scope = scope
        self.conversation_id = conversation_id
        self.findings = Findings()
        self.text = ""
        self.answered_by = MODEL
        self.note = ""
        self.stored: StoredMessage | None = None

    def finish(self, status: str) -> StoredMessage:
        if self.stored is None:
            extras: dict[str, Any] = {
                "cards": mentions.cards(self.text, self.findings),
                "missing": mentions.missing(self.text, self.findings),
                "can_request": requests_available(),
                "note": self.note,
                "sources": list(dict.fromkeys(self.findings.sources)),
            }
            self.stored = conversations.add(
                self.scope.user_id, self.conversation_id, "assistant", self.text, status=status,
                answered_by=self.answered_by, extras=extras,
            )  # fmt: skip
        return self.stored


def _check(question: str) -> str:
    text = question.strip()
    if not text:
        raise ChatError("Type a question first.")
    if len(text) > MAX_QUESTION:
        raise ChatError(f"Keep questions under {MAX_QUESTION:,} characters.")
    return text


async def ask(
    user_id: int,
    question: str,
    *,
    conversation_id: int | None = None,
    retry_of: int | None = None,
    now: datetime | None = None,
) -> AsyncIterator[Begun | Delta | Finished]:
    """Answer a question in the member's conversation (a new one when `conversation_id` is None), or answer the
    question of an unfinished answer `retry_of` again. ChatError/RateLimited before anything is stored."""
    if retry_of is None:
        question = _check(question)
    verdict = await asyncio.to_thread(ratelimit.hit, CHAT_LIMIT, f"chat:{user_id}")
    if not verdict.allowed:
        raise RateLimited(verdict.retry_after)
    scope = await asyncio.to_thread(scope_for, user_id, now)
    asked: StoredMessage | None = None
    if retry_of is not None:
        conversation_id, original = await asyncio.to_thread(conversations.take_back, user_id, retry_of)
    else:
        if conversation_id is None:
            conversation_id = (await asyncio.to_thread(conversations.create, user_id, question)).id
        original = asked = await asyncio.to_thread(conversations.add, user_id, conversation_id, "user", question)
    summary = next(c for c in await asyncio.to_thread(conversations.listing, user_id) if c.id == conversation_id)
    yield Begun(summary, asked)

    turn = _Turn(scope, conversation_id)
    status = STOPPED
    try:
        async with contextlib.aclosing(_answer(turn, original)) as pieces:
            async for piece in pieces:
                yield piece
        status = CUT_OFF if turn.note == NOTES["cut_off"] else COMPLETE
    finally:
        stored = await asyncio.to_thread(turn.finish, status)
    yield Finished(stored)


async def _answer(turn: _Turn, question: StoredMessage) -> AsyncIterator[Delta]:
    found = await asyncio.to_thread(provider.current)
    if found is None:
        reason = "not_configured"
    elif (await asyncio.to_thread(costs.budget_state)).exhausted:
        reason = "budget"
    else:
        try:
            async with contextlib.aclosing(_with_model(turn, found, question)) as deltas:
                async for delta in deltas:
                    yield delta
            return
        except ProviderError as exc:
            if turn.text:  # something was shown: keep it, say it broke off
                turn.note = NOTES["cut_off"]
                return
            reason = "blocked" if exc.kind == "blocked" else "failed"
    turn.answered_by, turn.note = BUILTIN, NOTES[reason]
    turn.findings = Findings()
    answer = await asyncio.to_thread(builtin.answer, turn.scope, question.content, turn.findings)
    turn.text = answer.text
    yield Delta(answer.text)


async def _with_model(turn: _Turn, found: Provider, question: StoredMessage) -> AsyncIterator[Delta]:
    scope = turn.scope
    history = await asyncio.to_thread(conversations.context, scope.user_id, turn.conversation_id, question.id)
    messages = await asyncio.to_thread(context.opening, scope, history, question.content, turn.findings)
    for round_number in range(1, MAX_ROUNDS + 1):
        offered = tools.SCHEMAS if round_number < MAX_ROUNDS else []
        reply = Reply()
        started = time.monotonic()
        status, error = "stopped", None
        separate = bool(turn.text)  # text of an earlier round: a paragraph break before this round's
        try:
            async with contextlib.aclosing(stream_reply(found, messages, offered)) as pieces:
                async for piece in pieces:
                    if isinstance(piece, Reply):
                        reply = piece
                        continue
                    if separate:
                        piece, separate = "\n\n" + piece, False
                    turn.text += piece
                    yield Delta(piece)
            status = "ok"
        except ProviderError as exc:
            status, error, reply = ("" if exc.kind == "blocked" else "error"), str(exc), exc.partial
            raise
        finally:
            if status:  # a paused circuit sent nothing, so there is no call to record
                await asyncio.to_thread(
                    costs.record, user_id=scope.user_id, feature=FEATURE, model=found.model,
                    prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens,
                    latency_ms=reply.latency_ms or round((time.monotonic() - started) * 1000), status=status, error=error,
                )  # fmt: skip
        if not reply.tool_calls:
            return
        messages.append(
            {
                "role": "assistant",
                "content": reply.text or None,
                "tool_calls": [
                    {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                    for c in reply.tool_calls
                ],
            }
        )
        for n, call in enumerate(reply.tool_calls):
            result = (
                await asyncio.to_thread(tools.run, scope, call.name, call.arguments, turn.findings)
                if n < MAX_CALLS_PER_ROUND
                else '{"error":"too many tool calls at once"}'
            )
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})


def title_cards(user_id: int, ids: list[int]) -> dict[int, Card]:
    """Poster cards of titles answers named, by id (only the chat's server's, as the member may see it)."""
    server_id = household.scope_for(user_id).primary
    if not ids or not server_id:
        return {}
    with reading() as c:
        rows = items_by_id(c, (server_id,), list(dict.fromkeys(ids)))
    return {item_id: card(row) for item_id, row in rows.items()}
