"""The built-in answerer at scale: 52,000 items, 200 members, 1,000,000 watch events in SQLite.

For each common intent, the answer to one question by 5 different members through the real chat service with no
AI model set up (what members get when the provider is down, its circuit open or the budget spent), end to end:
the rate limit, storing the question and the answer, the tools. Reported: the median and max per intent, and the
very first question of the run separately (it builds the server's shared recommendation figures, which the
dashboard normally has built already). Baseline in the same run: the same questions answered through the model
path against the OpenAI simulator with no delays (two round trips and the same tools).

    .venv/bin/python benchmarks/ai_builtin_speed.py
"""

from __future__ import annotations

import asyncio
import statistics
import time

import _ai_world as world  # first: it sets up the environment
import orjson

from smartplex.services.ai import chat, provider
from smartplex.simulators.openai import OpenAISimulator

TARGET_MS = 1_000
PER_INTENT = 5
QUESTIONS = {
    "recommend": "What should I watch tonight?",
    "new": "What's new?",
    "trending": "What's trending?",
    "history": "What did I watch last week?",
    "history_month": "What did I watch in March?",
    "hours": "How many hours did I watch this month?",
    "have": "Do we have Movie 4242?",
}


async def _ask(member: int, question: str) -> tuple[float, str]:
    began = time.perf_counter()
    answered_by = ""
    async for event in chat.ask(member, question, now=world.NOW):
        if isinstance(event, chat.Finished):
            answered_by = event.message.answered_by
    return (time.perf_counter() - began) * 1000, answered_by


def main() -> None:
    owner, _server_id, members = world.populate("ai-builtin-speed")
    cold_ms, _ = asyncio.run(_ask(members[-1], QUESTIONS["recommend"]))
    builtin: dict[str, list[float]] = {}
    for n, (intent, question) in enumerate(QUESTIONS.items()):
        for k in range(PER_INTENT):
            ms, by = asyncio.run(_ask(members[(n * PER_INTENT + k) % 150], question))
            assert by == "builtin", by
            builtin.setdefault(intent, []).append(ms)
    sim = OpenAISimulator(api_key="sk-bench")
    with sim.serve() as server:
        provider.save(owner, base_url=f"{server.url}/v1", model="gpt-4o-mini", api_key="sk-bench", timeout_s=60)
        model: dict[str, list[float]] = {}
        for n, (intent, question) in enumerate(QUESTIONS.items()):
            for k in range(PER_INTENT):
                ms, by = asyncio.run(_ask(members[150 + (n * PER_INTENT + k) % 49], question))
                assert by == "model", by
                model.setdefault(intent, []).append(ms)
    every = [ms for runs in builtin.values() for ms in runs]
    print(orjson.dumps({
        "benchmark": "ai_builtin_speed",
        "items": 52_000, "members": len(members), "watch_events": 1_000_000,
        "builtin_ms": {i: {"median": round(statistics.median(r), 1), "max": round(max(r), 1)} for i, r in builtin.items()},
        "builtin_overall_ms": {"median": round(statistics.median(every), 1), "max": round(max(every), 1), "answers": len(every)},
        "cold_first_answer_ms": round(cold_ms, 1),
        "baseline_model_path_simulator_ms": {i: round(statistics.median(r), 1) for i, r in model.items()},
        "targets": {"builtin_max_ms": TARGET_MS},
        "meets_target": max(every) < TARGET_MS,
    }).decode())


if __name__ == "__main__":
    main()
