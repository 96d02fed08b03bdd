"""Streaming chat completions from any OpenAI-compatible endpoint (OpenAI, Ollama, LM Studio, vLLM,
llama.cpp's server) through the `openai` package, with tools.

`stream_reply` yields the answer's text as it arrives and ends with a `Reply` (the full text, the tool calls,
the usage the API reported, the latency). Around every call:
- the circuit breaker of the `openai` integration (services.integrations): while it is open nothing is sent;
- a timeout (connect, and each wait for the next bytes), so a hung provider fails instead of hanging a chat;
- one retry on 429, 5xx or a refused connection, after the provider's Retry-After (when it asks for at most
  MAX_RETRY_WAIT seconds; longer, and the member is better served by the built-in answerer now), and only
  before any text was streamed: a stream that breaks mid-answer raises `ProviderError` with the partial text.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import openai

from smartplex.log import get_logger
from smartplex.models import IntegrationKind
from smartplex.services.integrations import store

log = get_logger(__name__)

CONNECT_TIMEOUT = 5.0
MAX_RETRY_WAIT = 10.0
DEFAULT_RETRY_WAIT = 1.0
KEYLESS = "no-key"  # local servers take any key; the SDK insists on one


@dataclass(frozen=True)
class Provider:
    """Where the model is and how to reach it; `api_key` never leaves the server."""

    base_url: str
    api_key: str
    model: str
    timeout_s: float = 30.0

    def __repr__(self) -> str:  # keeps the key out of logs and tracebacks
        return f"Provider(base_url={self.base_url!r}, model={self.model!r}, timeout_s={self.timeout_s})"


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, as the model wrote it


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0
    finish_reason: str = ""


class ProviderError(Exception):
    """The provider did not give a whole answer. `kind`: blocked (circuit open), rejected (our key or request),
    unavailable (errors, refused connections, rate limits after the retry), timeout, cut (broke mid-answer)."""

    def __init__(self, kind: str, message: str, *, partial: Reply | None = None, until: datetime | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.partial = partial or Reply()
        self.until = until


class _Broken(Exception):
    """A stream that ended without saying it was done; `partial` holds what came."""

    def __init__(self, partial: Reply) -> None:
        self.partial = partial


def _retry_wait(exc: Exception) -> float | None:
    """Seconds to wait before the one retry, or None when this failure is not worth one."""
    if isinstance(exc, openai.APITimeoutError):
        return None
    if isinstance(exc, openai.APIConnectionError):
        return DEFAULT_RETRY_WAIT
    if isinstance(exc, openai.APIStatusError) and (exc.status_code == 429 or exc.status_code >= 500):
        header = exc.response.headers.get("retry-after")
        try:
            wait = float(header) if header is not None else DEFAULT_RETRY_WAIT
        except ValueError:
            wait = DEFAULT_RETRY_WAIT
        return max(wait, 0.0) if wait <= MAX_RETRY_WAIT else None
    return None


def _classify(exc: Exception) -> tuple[str, bool]:
    """(kind, rejected) of a failed call: a refused key or request is `rejected` and will not heal by itself."""
    if isinstance(exc, openai.APITimeoutError):
        return "timeout", False
    if isinstance(exc, openai.APIStatusError) and exc.status_code in (400, 401, 403, 404, 422):
        return "rejected", exc.status_code in (401, 403)
    return "unavailable", False


def _describe(exc: Exception) -> str:
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    return type(exc).__name__


def _client(provider: Provider) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url=provider.base_url,
        api_key=provider.api_key or KEYLESS,
        max_retries=0,  # ours: one, honouring Retry-After, never after text was shown
        timeout=openai.Timeout(provider.timeout_s, connect=CONNECT_TIMEOUT),
    )


async def _attempt(provider: Provider, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> AsyncIterator[str | Reply]:
    reply = Reply()
    calls: dict[int, dict[str, str]] = {}
    started = time.monotonic()
    async with _client(provider) as client:
        request: dict[str, Any] = {"model": provider.model, "messages": messages, "stream": True, "stream_options": {"include_usage": True}}
        if tools:
            request["tools"] = tools
        stream = await client.chat.completions.create(**request)
        try:
            async for chunk in stream:
                if chunk.usage is not None:
                    reply.prompt_tokens, reply.completion_tokens = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
                for choice in chunk.choices:
                    delta = choice.delta
                    if delta.content:
                        reply.text += delta.content
                        yield delta.content
                    for call in delta.tool_calls or []:
                        slot = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                        if call.id:
                            slot["id"] = call.id
                        if call.function is not None:
                            slot["name"] += call.function.name or ""
                            slot["arguments"] += call.function.arguments or ""
                    if choice.finish_reason:
                        reply.finish_reason = choice.finish_reason
        except Exception:
            raise _Broken(reply) from None
        finally:
            await stream.close()
    if not reply.finish_reason:
        raise _Broken(reply)  # the stream ended without saying it was done: cut off
    reply.tool_calls = [ToolCall(c["id"] or f"call_{n}", c["name"], c["arguments"]) for n, c in sorted(calls.items())]
    reply.latency_ms = round((time.monotonic() - started) * 1000)
    yield reply


async def stream_reply(provider: Provider, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> AsyncIterator[str | Reply]:
    """Text deltas as they stream, then the `Reply`; ProviderError when no whole answer came."""
    started = time.monotonic()
    until = await asyncio.to_thread(store.blocked_until, IntegrationKind.OPENAI)
    if until is not None:
        raise ProviderError("blocked", "The AI model is paused after repeated failures.", until=until)
    for attempt in (1, 2):
        shown = False
        try:
            async for piece in _attempt(provider, messages, tools):
                if isinstance(piece, Reply):
                    await asyncio.to_thread(store.record_call, IntegrationKind.OPENAI, None, piece.latency_ms)
                shown = shown or isinstance(piece, str)
                yield piece
            return
        except _Broken as broken:
            await asyncio.to_thread(store.record_call, IntegrationKind.OPENAI, "stream broke off mid-answer")
            log.warning("ai_stream_cut", model=provider.model, chars=len(broken.partial.text))
            kind = "cut" if broken.partial.text else "unavailable"
            raise ProviderError(kind, "The answer broke off.", partial=broken.partial) from None
        except (openai.APIError, OSError) as exc:
            kind, rejected = _classify(exc)
            await asyncio.to_thread(store.record_call, IntegrationKind.OPENAI, _describe(exc), rejected=rejected)
            wait = _retry_wait(exc)
            log.warning("ai_call_failed", model=provider.model, error=_describe(exc), attempt=attempt, retry_in=wait)
            failure = ProviderError(kind, f"The AI model failed ({_describe(exc)}).")
            if attempt == 2 or shown or wait is None or time.monotonic() - started + wait > provider.timeout_s:
                raise failure from None
            if await asyncio.to_thread(store.blocked_until, IntegrationKind.OPENAI) is not None:
                raise failure from None  # this failure opened the circuit: no retry into it
            await asyncio.sleep(wait)
