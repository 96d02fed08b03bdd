"""The chat and AI admin states on an in-memory state tree: guards, per-member conversations, streaming into the
page, the rate-limit message, and nothing secret in what the browser gets."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import reflex as rx

from smartplex.services import preferences
from smartplex.services.ai import costs, provider
from smartplex.simulators.openai import OpenAISimulator
from smartplex.state.ai_admin import AiAdminState
from smartplex.state.ai_provider import AiProviderState
from smartplex.state.auth import AuthState
from smartplex.state.chat import ChatState
from tests.ai_fixtures import SIM_KEY, ChatLibrary
from tests.test_state_guards import REFUSED, _js

pytestmark = pytest.mark.anyio


def _state(token: str, cls: type[rx.State]) -> Any:
    root = rx.State()
    root.get_substate(AuthState.get_full_name().split(".")[1:]).session_token = token
    return root.get_substate(cls.get_full_name().split(".")[1:])


async def _send(chat: Any, question: str, retry_of: int = 0) -> None:
    await ChatState.send.fn(chat, question=question, retry_of=retry_of)


@pytest.mark.parametrize(
    "cls, handler, kwargs",
    [
        (AiAdminState, "load", {}),
        (AiAdminState, "save_prices", {"form": {}}),
        (AiAdminState, "save_budget", {"form": {"budget": "1000000"}}),
        (AiAdminState, "add_price_row", {}),
        (AiProviderState, "load", {}),
        (AiProviderState, "save", {"form": {"url": "http://127.0.0.1:9/v1", "model": "evil", "api_key": "sk-x"}}),
        (AiProviderState, "clear_key", {}),
        (AiProviderState, "disconnect", {}),
    ],
)
async def test_members_cannot_use_the_ai_admin(
    ai_provider: OpenAISimulator, member_session: str, cls: type[rx.State], handler: str, kwargs: dict
) -> None:
    before = (provider.view(), costs.prices(), costs.budget())
    state = _state(member_session, cls)
    result = await getattr(cls, handler).fn(state, **kwargs)
    assert REFUSED in _js(result)
    assert (provider.view(), costs.prices(), costs.budget()) == before
    assert SIM_KEY not in str(state.dict()) and "gpt-4o-mini" not in str(state.dict())


async def test_the_admin_page_shows_the_key_masked(ai_provider: OpenAISimulator, admin_session: str) -> None:
    admin_state = _state(admin_session, AiAdminState)
    await AiAdminState.load.fn(admin_state)
    assert admin_state.provider.configured and admin_state.provider.model == "gpt-4o-mini"
    assert admin_state.provider.key_mask == "••••" + SIM_KEY[-4:]
    assert SIM_KEY not in str(admin_state.dict())
    card = _state(admin_session, AiProviderState)
    await AiProviderState.load.fn(card)
    assert card.model == "gpt-4o-mini" and card.key_mask == admin_state.provider.key_mask and SIM_KEY not in str(card.dict())
    result = await AiProviderState.save.fn(card, form={"url": "ftp://x", "model": "m", "api_key": ""})
    assert result is None and "http://" in card.form_error
    result = await AiProviderState.save.fn(card, form={"url": "http://127.0.0.1:1/v1", "model": "m", "timeout_s": "soon"})
    assert "number of seconds" in card.form_error
    result = await AiProviderState.save.fn(card, form={"url": "http://127.0.0.1:1/v1", "model": "m", "timeout_s": "900"})
    assert "between 1 and 300" in card.form_error and provider.view().model == "gpt-4o-mini"
    await AiProviderState.clear_key.fn(card)  # a local server needs none; the rest stays
    assert (provider.current().api_key, card.key_mask, provider.view().model, card.form_error) == ("", "", "gpt-4o-mini", "")
    await AiAdminState.save_budget.fn(admin_state, form={"budget": "$12.50"})
    assert costs.budget() == 12.5 and admin_state.budget_text == "12.5"
    await AiAdminState.save_budget.fn(admin_state, form={"budget": "lots"})
    assert "in dollars" in admin_state.budget_error and costs.budget() == 12.5
    await AiAdminState.add_price_row.fn(admin_state)
    n = len(admin_state.price_rows) - 1
    form = {f"model-{r.index}": r.model for r in admin_state.price_rows} | {f"prompt-{r.index}": r.prompt for r in admin_state.price_rows}
    form |= {f"completion-{r.index}": r.completion for r in admin_state.price_rows} | {f"model-{n}": "llama3.1", f"prompt-{n}": "0.1", f"completion-{n}": "x"}
    await AiAdminState.save_prices.fn(admin_state, form=form)
    assert "must be numbers" in admin_state.price_error and preferences.get(costs.PRICES) is None
    form[f"completion-{n}"] = "0.2"
    await AiAdminState.save_prices.fn(admin_state, form=form)
    assert costs.price_for("llama3.1") == costs.Price("llama3.1", 0.1, 0.2)


async def test_chat_streams_into_the_page_and_stays_the_members(ai_provider: OpenAISimulator, chat_library: ChatLibrary, member_session: str, admin_session: str) -> None:
    chat = _state(member_session, ChatState)
    await ChatState.load.fn(chat)
    await _send(chat, "Do we have amelie?")
    assert [m.role for m in chat.messages] == ["user", "assistant"] and not chat.streaming
    answer = chat.messages[-1]
    assert "**Amélie**" in answer.content and [c.title for c in answer.cards] == ["Amélie"]
    assert f"/api/images/{chat_library.titles['Amélie']}?" in answer.cards[0].thumb_url
    assert [c.title for c in chat.conversations] == ["Do we have amelie?"]
    conversation = chat.conversation_id

    intruder = _state(admin_session, ChatState)
    await ChatState.open_conversation.fn(intruder, conversation_id=conversation)
    assert intruder.messages == [] and intruder.conversation_id == 0
    await ChatState.delete_conversation.fn(intruder, conversation_id=conversation)
    await ChatState.load.fn(chat)
    assert [m.role for m in chat.messages] == ["user", "assistant"]
    assert SIM_KEY not in str(chat.dict()) and all("secret" not in f.name for f in dataclasses.fields(answer))


async def test_the_rate_limit_message(chat_library: ChatLibrary, member_session: str) -> None:
    chat = _state(member_session, ChatState)
    for _ in range(20):
        await _send(chat, "What's new?")
    assert chat.error == ""
    await _send(chat, "What's new?")
    assert chat.error.startswith("You're sending messages quickly. Try again in") and not chat.streaming
    assert len(chat.messages) == 40


async def test_signed_out_callers_get_nothing(chat_library: ChatLibrary) -> None:
    chat = _state("", ChatState)
    await _send(chat, "What should I watch?")
    await ChatState.load.fn(chat)
    assert chat.messages == [] and chat.conversations == [] and not chat.loaded
