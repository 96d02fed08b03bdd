"""An OpenAI-compatible chat completions server on 127.0.0.1 that behaves like a small, predictable model.

It follows a script keyed on the member's question: it calls the tools the question needs (search, history,
trending, recommendations, similar titles, details), then answers from the tool results it received, so a wrong
tool result shows up as a wrong answer. It streams like OpenAI (SSE chunks, `data: [DONE]`, a usage chunk when
asked), reports usage counted with the o200k tokenizer (bpe-openai ships the encoding in its package), and fails
on demand: `fail("429")` (with Retry-After), `fail("500")`, `fail("cut")` (the next answer's stream breaks partway),
`fail("hang")` (nothing comes back until released).

It is also gullible on purpose: when a tool result carries "ignore previous instructions", it tries what such a
text asks (every user's history), so tests can show that the tools refuse.

    sim = OpenAISimulator(api_key="sk-test")
    with sim.serve() as server:
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="sk-test")

Run standalone: `python -m smartplex.simulators.openai --port 8011 --chunk-delay 0.02`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import re
import threading
import time
import unicodedata
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import bpe_openai
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from smartplex.simulators.server import ThreadedServer

FAULTS = ("429", "500", "cut", "hang")
HANG_SECONDS = 600.0
CHUNK_CHARS = 50_000
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip


@dataclass
class Fault:
    kind: str
    remaining: int | None  # None: every request until healed


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class OpenAISimulator:
    def __init__(
        self,
        *,
        api_key: str | None = "sk-sim",
        model: str = "sim-1",
        chunk_delay: float = 0.0,
        first_chunk_delay: float = 0.0,
        retry_after: float = 1.0,
    ) -> None:
        self.api_key = api_key
        self.model = model
        self.chunk_delay = chunk_delay
        self.first_chunk_delay = first_chunk_delay
        self.retry_after = retry_after
        self.requests: list[dict[str, Any]] = []  # every chat request body, in order
        self.first_chunk_sent_at: list[float] = []  # time.time() when each stream's first text chunk left
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._ids = itertools.count(1)
        self._encoding = bpe_openai.get_encoding("o200k_base")

    # --- control -------------------------------------------------------------------------------------

    def fail(self, kind: str, times: int | None = 1) -> None:
        """Fail the next `times` chat requests (None: all of them until `heal()`)."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        with self._lock:
            self._faults.append(Fault(kind, times))

    def heal(self) -> None:
        with self._lock:
            self._faults.clear()
        self._released.set()

    def _next_fault(self, answering: bool) -> str | None:
        """The fault for this request, consumed; a "cut" waits for a request answered with text."""
        with self._lock:
            if not self._faults or (self._faults[0].kind == "cut" and not answering):
                return None
            fault = self._faults[0]
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.popleft()
            return fault.kind

    def count_tokens(self, text: str) -> int:
        """o200k tokens; a long text is counted in pieces cut after a newline (where the tokenizer's own
        pre-split cuts too), as the encoder refuses very long inputs."""
        total, start = 0, 0
        while start < len(text):
            end = len(text) if len(text) - start <= CHUNK_CHARS else text.rfind("\n", start, start + CHUNK_CHARS) + 1 or start + CHUNK_CHARS
            total += len(self._encoding.encode(text[start:end]))
            start = end
        return total

    def prompt_tokens(self, body: dict[str, Any]) -> int:
        """Prompt tokens as OpenAI counts them, closely: every message's text and tool calls, 3 per message and 3
        to prime the reply, plus the tool definitions (counted as their compact JSON)."""
        total = 3
        for message in body.get("messages", []):
            total += 3 + self.count_tokens(str(message.get("content") or ""))
            for call in message.get("tool_calls") or []:
                total += self.count_tokens(call["function"]["name"] + call["function"]["arguments"])
        if body.get("tools"):
            total += self.count_tokens(orjson.dumps(body["tools"]).decode())
        return total

    # --- HTTP ----------------------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )

    def serve(self, port: int | None = None) -> ThreadedServer:
        self._released.clear()
        return ThreadedServer(self.app(), port)

    def _authorized(self, request: Request) -> bool:
        return self.api_key is None or request.headers.get("authorization") == f"Bearer {self.api_key}"

    @staticmethod
    def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
        body = {"error": {"message": message, "type": "invalid_request_error" if status < 500 else "server_error", "param": None, "code": code}}
        return JSONResponse(body, status_code=status, headers=headers)

    async def _models(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._error(401, "Incorrect API key provided.", "invalid_api_key")
        return JSONResponse({"object": "list", "data": [{"id": self.model, "object": "model", "created": 0, "owned_by": "simulator"}]})

    async def _chat(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._error(401, "Incorrect API key provided.", "invalid_api_key")
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return self._error(400, "We could not parse the JSON body of your request.", "invalid_json")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            return self._error(400, "messages must be a non-empty array.", "invalid_messages")
        self.requests.append(body)
        turn = _script(body)
        fault = self._next_fault(answering=not turn.calls)
        if fault == "429":
            return self._error(429, "Rate limit reached.", "rate_limit_exceeded", {"Retry-After": f"{self.retry_after:g}"})
        if fault == "500":
            return self._error(500, "The server had an error while processing your request.", "server_error")
        if fault == "hang":
            await asyncio.to_thread(self._released.wait, HANG_SECONDS)
            return self._error(500, "released", "server_error")
        completion = self.count_tokens(turn.text) if turn.text else sum(self.count_tokens(c[0] + c[1]) for c in turn.calls)
        usage = {"prompt_tokens": self.prompt_tokens(body), "completion_tokens": completion}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        ident, created = f"chatcmpl-sim{next(self._ids)}", int(time.time())
        if not body.get("stream"):
            return JSONResponse(_whole(ident, created, body.get("model") or self.model, turn, usage))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = self._chunks(ident, created, body.get("model") or self.model, turn, usage if include_usage else None, fault == "cut")
        return StreamingResponse(chunks, media_type="text/event-stream")

    async def _chunks(
        self, ident: str, created: int, model: str, turn: Turn, usage: dict[str, int] | None, cut: bool
    ) -> AsyncIterator[bytes]:
        def event(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            chunk = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model, "choices": choices, **extra}
            return b"data: " + orjson.dumps(chunk) + b"\n\n"

        def delta(content: dict[str, Any], finish: str | None = None) -> bytes:
            return event([{"index": 0, "delta": content, "finish_reason": finish, "logprobs": None}])

        if self.first_chunk_delay:
            await asyncio.sleep(self.first_chunk_delay)
        if turn.calls:
            for n, (name, arguments) in enumerate(turn.calls):
                call = {"index": n, "id": f"call_{ident}_{n}", "type": "function", "function": {"name": name, "arguments": ""}}
                yield delta({"role": "assistant", "content": None, "tool_calls": [call]} if n == 0 else {"tool_calls": [call]})
                yield delta({"tool_calls": [{"index": n, "function": {"arguments": arguments}}]})
            yield delta({}, "tool_calls")
        else:
            pieces = re.findall(r"\S+\s*|\s+", turn.text) or [""]
            for n, piece in enumerate(pieces):
                if n == 0:
                    self.first_chunk_sent_at.append(time.time())
                elif self.chunk_delay:
                    await asyncio.sleep(self.chunk_delay)
                if cut and n == max(len(pieces) // 3, 1):
                    raise ConnectionResetError("simulated: the stream broke off")
                yield delta({"role": "assistant", "content": piece} if n == 0 else {"content": piece})
            yield delta({}, "stop")
        if usage is not None:
            yield event([], usage=usage)
        yield b"data: [DONE]\n\n"


def _whole(ident: str, created: int, model: str, turn: Turn, usage: dict[str, int]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": turn.text or None, "refusal": None}
    if turn.calls:
        message["tool_calls"] = [
            {"id": f"call_{ident}_{n}", "type": "function", "function": {"name": name, "arguments": args}}
            for n, (name, args) in enumerate(turn.calls)
        ]
    finish = "tool_calls" if turn.calls else "stop"
    return {
        "id": ident, "object": "chat.completion", "created": created, "model": model, "usage": usage,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
    }  # fmt: skip


# --- the script ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """What the simulated model does next: call tools, or answer with text."""

    calls: list[tuple[str, str]]  # (tool name, JSON arguments)
    text: str = ""


def _call(name: str, **args: Any) -> tuple[str, str]:
    return name, orjson.dumps(args).decode()


def _quoted(question: str, *lead: str) -> str | None:
    """The title after one of the `lead` phrases ("do we have Alien?" -> "Alien")."""
    for phrase in lead:
        match = re.search(phrase + r"\s+(.+?)[?.!]*$", question, re.IGNORECASE)
        if match:
            return match.group(1).strip(" \"'“”")
    return None


def _today(messages: list[dict[str, Any]]) -> date:
    system = next((str(m.get("content") or "") for m in messages if m.get("role") == "system"), "")
    found = re.search(r"Today is (\d{4}-\d{2}-\d{2})", system)
    return date.fromisoformat(found.group(1)) if found else date.today()


def _period(question: str, today: date) -> dict[str, str]:
    """since/until for the phrases the tests ask with; {} lets the tool default."""
    if "last week" in question:
        monday = today - timedelta(days=today.weekday() + 7)
        return {"since": monday.isoformat(), "until": (monday + timedelta(days=6)).isoformat()}
    if "this month" in question:
        return {"since": today.replace(day=1).isoformat(), "until": today.isoformat()}
    if "this year" in question:
        return {"since": date(today.year, 1, 1).isoformat(), "until": today.isoformat()}
    for n, month in enumerate(MONTHS, start=1):
        if re.search(rf"\bin {month}\b", question):
            year = today.year if n <= today.month else today.year - 1
            end = date(year + (n == 12), n % 12 + 1, 1) - timedelta(days=1)
            return {"since": date(year, n, 1).isoformat(), "until": end.isoformat()}
    return {}


def _plan(question: str, today: date, results: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str]]:
    """The tool calls still to make for this question, given the results so far (by tool name)."""
    folded = _fold(question)
    if title := _quoted(question, r"(?:movies?|shows?|something|titles?) like", r"similar to"):
        if "search_library" not in results:
            return [_call("search_library", title=title)]
        found = results["search_library"][-1].get("data", {}).get("results", [])
        return [_call("similar_titles", id=found[0]["id"])] if found and "similar_titles" not in results else []
    if title := _quoted(question, r"tell me about"):
        if "search_library" not in results:
            return [_call("search_library", title=title)]
        found = results["search_library"][-1].get("data", {}).get("results", [])
        return [_call("title_details", id=found[0]["id"])] if found and "title_details" not in results else []
    if "my_history" in results or "trending" in results or "search_library" in results or "my_recommendations" in results:
        return []
    if re.search(r"how (many|much).*(hours|time)|what did i watch|what have i watched", folded):
        return [_call("my_history", **_period(folded, today))]
    if title := _quoted(question, r"do we have", r"do you have", r"is there"):
        return [_call("search_library", title=title)]
    if "trending" in folded or "popular" in folded:
        return [_call("trending")]
    if re.search(r"what'?s new|recently added|new on", folded):
        return [_call("search_library", sort="added")]
    if person := _quoted(question, r"(?:movies|films|anything) (?:with|starring|by)"):
        return [_call("search_library", person=person)]
    if genre := re.search(r"\b(?:some|a|any|good|unwatched)\s+(\w+?)(?:ies|s)?\b(?:\s+(?:movies?|shows?|films?))?\s+(?:i haven'?t|that i|to watch|for tonight)", folded):
        return [_call("search_library", genre=genre.group(1), unwatched_by_me=True, sort="rating")]
    if decade := re.search(r"from the (\d{2})s", folded):
        start = 1900 + int(decade.group(1)) if int(decade.group(1)) > 25 else 2000 + int(decade.group(1))
        return [_call("search_library", year_from=start, year_to=start + 9, sort="rating")]
    if re.search(r"watch|recommend|suggest", folded):
        return [_call("my_recommendations"), _call("trending")]
    return []


def _tool_results(messages: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Results of the tools called since the member's last question, by tool name (the profile left out)."""
    last_user = max((n for n, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    names: dict[str, str] = {}
    results: dict[str, list[dict[str, Any]]] = {}
    for message in messages[last_user + 1 :]:
        for call in message.get("tool_calls") or []:
            names[call["id"]] = call["function"]["name"]
        if message.get("role") == "tool":
            name = names.get(message.get("tool_call_id", ""), "?")
            if name != "my_profile":
                try:
                    results.setdefault(name, []).append(orjson.loads(message.get("content") or "{}"))
                except orjson.JSONDecodeError:
                    results.setdefault(name, []).append({"error": "unreadable"})
    return results


def _script(body: dict[str, Any]) -> Turn:
    messages = body["messages"]
    question = next((str(m.get("content") or "") for m in reversed(messages) if m.get("role") == "user"), "")
    results = _tool_results(messages)
    tools_offered = bool(body.get("tools"))
    raw = orjson.dumps(results).decode().casefold()
    if tools_offered and "ignore previous instructions" in raw and "injected" not in results:
        # Gullible: do what the title says, with arguments no tool declares.
        return Turn([_call("my_history", user_id=1, all_users=True), _call("injected")])
    plan = _plan(question, _today(messages), results) if tools_offered else []
    if plan:
        return Turn(plan)
    return Turn([], _answer(question, results))


def _line(item: dict[str, Any]) -> str:
    year = f" ({item['year']})" if item.get("year") else ""
    note = item.get("reason") or (f"Trending on your server, {item['people']} people this week" if item.get("people") else "")
    return f"- **{item['title']}**{year}" + (f" — {note}" if note else "")


def _answer(question: str, results: dict[str, list[dict[str, Any]]]) -> str:
    if not results:
        return "I can help you pick something to watch, find titles on your server, or look back at what you watched."
    parts: list[str] = []
    if "similar_titles" in results or "title_details" in results:
        results = {k: v for k, v in results.items() if k != "search_library"}  # that search only found the id
    for name, found in results.items():
        for result in found:
            data = result.get("data")
            if data is None:
                parts.append(f"I couldn't use {name}: {result.get('error', 'no data')}.")
                continue
            if name == "my_history":
                watched = "\n".join(f"- **{w['title']}** — {w['day']}" for w in data["recent"])
                parts.append(f"You watched {data['plays']} times ({data['hours']:g} hours) in {data['period']}.\n{watched}".rstrip())
            elif name == "title_details":
                parts.append(f"**{data['title']}** ({data.get('year', '?')}): {data.get('summary') or 'no summary'}")
            elif name == "trending":
                parts.append("**Trending on your server**:\n" + "\n".join(_line(i) for i in data["results"]))
            elif name == "my_recommendations":
                parts.append("**For you**:\n" + "\n".join(_line(i) for i in data["results"][:5]))
            elif data.get("results"):
                parts.append("Here's what I found on your server:\n" + "\n".join(_line(i) for i in data["results"]))
            else:
                title = _quoted(question, r"do we have", r"do you have", r"is there", r"like", r"about")
                parts.append(f"**{title}** is not on your server." if title else "I found nothing like that on your server.")
    return "\n\n".join(parts)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--api-key", default="sk-sim")
    parser.add_argument("--chunk-delay", type=float, default=0.02)
    parser.add_argument("--first-chunk-delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    sim = OpenAISimulator(api_key=args.api_key, chunk_delay=args.chunk_delay, first_chunk_delay=args.first_chunk_delay)
    with sim.serve(args.port) as server:
        print(f"OpenAI simulator on {server.url}/v1 (key {args.api_key})", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
