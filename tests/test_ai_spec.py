"""Our OpenAI client and the simulator against the published OpenAI spec (tests/specs/openai-openapi.yaml).

Prism serves the spec and reports every request that breaks it; it checks the credentials and the path but not
a chat completion's body (an allOf in OpenAPI 3.1, see tests/prism.py), so every body our client sends in a
whole turn (tools, tool calls, tool results) is also validated against the spec's own schema here, and so is
every chunk the simulator streams.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any

import httpx
import orjson
import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from smartplex.services import auth
from smartplex.services.ai import chat, tools
from smartplex.services.ai.client import Provider, ProviderError, Reply, stream_reply
from smartplex.simulators.openai import OpenAISimulator
from tests.ai_fixtures import SIM_KEY, ChatLibrary
from tests.prism import OPENAI_SPEC, PrismMock

SPEC_URI = "urn:openai-spec"


@functools.cache
def _validator(schema_name: str) -> Draft202012Validator:
    spec = _nullable(yaml.load(OPENAI_SPEC.read_text(), Loader=yaml.CSafeLoader))
    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema_name}"}, registry=registry)


def _nullable(node: Any) -> Any:
    """The spec still marks some fields OpenAPI 3.0's way (`nullable: true`), which JSON Schema ignores: read it
    as the spec means it, null allowed."""
    if isinstance(node, list):
        return [_nullable(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _nullable(v) for k, v in node.items()}
    if node.pop("nullable", False) is True and isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    return node


def _problems(schema_name: str, document: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in _validator(schema_name).iter_errors(document)]


TURN = [
    {"role": "system", "content": "You help one member."},
    {"role": "user", "content": "Movies like Alien?"},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "search_library", "arguments": '{"title":"Alien"}'}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": '{"data":{"results":[{"id":2,"title":"Alien","type":"movie"}]}}'},
]


@pytest.mark.anyio
async def test_the_client_passes_prism(openai_mock: PrismMock, db_url: str) -> None:
    base_url, violations = openai_mock
    openai_mock.clear()
    provider = Provider(f"{base_url}/v1", "sk-test", "gpt-4o-mini", timeout_s=20)
    with contextlib.suppress(ProviderError):  # Prism's example reply is not a stream; the request is what counts
        async for _piece in stream_reply(provider, TURN, tools.SCHEMAS):
            pass
    assert violations() == []
    log = "".join(openai_mock._lines)
    assert "post /v1/chat/completions" in log and "The request passed the validation rules" in log
    with contextlib.suppress(ProviderError):  # and a request Prism refuses is reported: the check can fail
        async for _piece in stream_reply(Provider(f"{base_url}/v1", "", "gpt-4o-mini", timeout_s=20), TURN, []):
            pass
    assert violations() == []  # a keyless request still sends a bearer token (local servers need none)


@pytest.mark.anyio
async def test_every_request_of_a_turn_matches_the_spec(ai_provider: OpenAISimulator, chat_library: ChatLibrary, member: auth.UserView) -> None:
    for question in ("Movies like Alien", "What should I watch?", "What did I watch last week?"):
        async for _event in chat.ask(member.id, question):
            pass
    assert len(ai_provider.requests) >= 6
    for body in ai_provider.requests:
        assert _problems("CreateChatCompletionRequest", body) == []
    broken = {**ai_provider.requests[0], "messages": [{"role": "robot", "content": 1}]}
    assert _problems("CreateChatCompletionRequest", broken)  # the check can fail


def test_the_simulators_chunks_match_the_spec(openai_sim: tuple[OpenAISimulator, str]) -> None:
    sim, base_url = openai_sim
    for messages in (TURN, [{"role": "user", "content": "What should I watch?"}]):
        body = {"model": "gpt-4o-mini", "messages": messages, "stream": True, "stream_options": {"include_usage": True}, "tools": tools.SCHEMAS}
        with httpx.stream("POST", f"{base_url}/chat/completions", json=body, headers={"Authorization": f"Bearer {SIM_KEY}"}) as answer:
            assert answer.headers["content-type"].startswith("text/event-stream")
            events = [line[6:] for line in answer.iter_lines() if line.startswith("data: ")]
        assert events[-1] == "[DONE]"
        chunks = [orjson.loads(e) for e in events[:-1]]
        for chunk in chunks:
            assert _problems("CreateChatCompletionStreamResponse", chunk) == []
        assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["prompt_tokens"] > 0
    whole = httpx.post(f"{base_url}/chat/completions", json={**body, "stream": False}, headers={"Authorization": f"Bearer {SIM_KEY}"}).json()
    assert _problems("CreateChatCompletionResponse", whole) == []
    assert httpx.post(f"{base_url}/chat/completions", json=body).status_code == 401


@pytest.mark.anyio
async def test_the_client_reads_tool_calls_and_usage_from_the_simulator(openai_sim: tuple[OpenAISimulator, str], db_url: str) -> None:
    sim, base_url = openai_sim
    pieces = [p async for p in stream_reply(Provider(base_url, SIM_KEY, "gpt-4o-mini"), [{"role": "user", "content": "What's trending?"}], tools.SCHEMAS)]
    [reply] = pieces
    assert isinstance(reply, Reply) and [c.name for c in reply.tool_calls] == ["trending"]
    assert reply.prompt_tokens == sim.prompt_tokens(sim.requests[-1]) and reply.completion_tokens > 0
    with pytest.raises(ProviderError) as refused:
        async for _ in stream_reply(Provider(base_url, "sk-wrong", "gpt-4o-mini"), [{"role": "user", "content": "hi"}], []):
            pass
    assert refused.value.kind == "rejected"
