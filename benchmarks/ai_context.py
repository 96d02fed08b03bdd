"""How much context the chat sends the model: 20 scripted questions on a 52,000-item library (200 members,
1,000,000 watch events), each asked by a different member through the real chat service against the OpenAI
simulator, which calls the tools and answers from their results.

Figures: the prompt tokens of each question summed over its model round trips, as the provider reported them in
`usage` (the simulator counts with the o200k tokenizer, whose encoding ships inside the bpe-openai package); the
median of the 20 against a naive prompt measured in the same run (the whole library dumped into the prompt, one
line per item: "title (year) type genres", as Recommendarr-style prompts do, counted with the same tokenizer);
and whether each answer named the right titles, checked against the database independently of the tools.

    .venv/bin/python benchmarks/ai_context.py     # about a minute, most of it writing a million rows

The last line is one JSON object with `questions`, `correct`, `median_prompt_tokens` and `naive_dump_tokens`.
"""

from __future__ import annotations

import asyncio
import re
import statistics
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import _ai_world as world  # first: it sets up the environment
import orjson
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.models import AI_CALLS, MEDIA, WATCH
from smartplex.services import recommendations, watching
from smartplex.services.ai import chat, provider
from smartplex.services.ai.conversations import StoredMessage
from smartplex.services.dashboard.history import plays
from smartplex.simulators.openai import OpenAISimulator
from smartplex.services.untidy import tag_names

TARGET_MEDIAN = 2_000
NOW = world.NOW
Check = Callable[[StoredMessage, int], bool]


def _items(*conditions: Any, order: Any = None, limit: int | None = None) -> list[Any]:
    with get_engine().connect() as conn:
        stmt = sa.select(MEDIA.c.id, MEDIA.c.title, MEDIA.c.year, MEDIA.c.type, sa.cast(MEDIA.c.genres, sa.Text).label("genres"),
                         sa.cast(MEDIA.c.actors, sa.Text).label("actors"), sa.cast(MEDIA.c.directors, sa.Text).label("directors")).where(*conditions)  # fmt: skip
        return conn.execute(stmt.order_by(*order).limit(limit) if order is not None else stmt).all()


def _by_title(title: str) -> Any:
    return _items(MEDIA.c.title == title)[0]


def _played(user_id: int) -> set[int]:
    """Movies and shows the member played (an episode counts for its show; in this world a show's id is its key)."""
    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.select(MEDIA.c.id, MEDIA.c.type, MEDIA.c.grandparent_rating_key).select_from(WATCH.join(MEDIA, MEDIA.c.id == WATCH.c.media_item_id))
            .where(WATCH.c.user_id == user_id)
        ).all()  # fmt: skip
    return {int(r.grandparent_rating_key) if r.type == "episode" else r.id for r in rows}


def _period_truth(user_id: int, server_id: int, start: Any, end: Any) -> tuple[int, float]:
    """(plays, hours) computed here from the events: one play per item and UTC day, a finished play its whole
    duration, else duration x furthest progress."""
    with get_engine().connect() as conn:
        sub = plays(conn, user_id, server_id, start, end).subquery()
        rows = conn.execute(sa.select(sub.c.progress, sub.c.finished, MEDIA.c.duration_ms).select_from(sub.outerjoin(MEDIA, MEDIA.c.id == sub.c.media_item_id))).all()
    return len(rows), round(sum((r.duration_ms or 0) * (1.0 if r.finished else min(r.progress or 0, 1.0)) for r in rows) / 3_600_000, 1)


def _has(title: str) -> Check:
    return lambda answer, _user: _by_title(title).id in answer.extras["cards"]


def _all_cards(test: Callable[[Any], bool], at_least: int = 1) -> Check:
    def check(answer: StoredMessage, _user: int) -> bool:
        rows = {r.id: r for r in _items(MEDIA.c.id.in_(answer.extras["cards"]))}
        return len(rows) >= at_least and all(test(r) for r in rows.values())

    return check


def _same_ids(truth: Callable[[int], list[int]]) -> Check:
    return lambda answer, user: sorted(answer.extras["cards"]) == sorted(truth(user))


def _trending_ids(server_id: int) -> Callable[[int], list[int]]:
    def truth(_user: int) -> list[int]:
        with get_engine().connect() as conn:
            return [int(t.rating_key) for t in watching.trending(conn, server_id, NOW, limit=8)]

    return truth


def _period_check(server_id: int, days: tuple[Any, Any]) -> Check:
    def check(answer: StoredMessage, user: int) -> bool:
        count, hours = _period_truth(user, server_id, *days)
        found = re.search(r"You watched (\d+) times \(([\d.]+) hours\)", answer.content)
        return bool(found) and int(found.group(1)) == count and float(found.group(2)) == hours

    return check


def _recommended(server_id: int) -> Check:
    def check(answer: StoredMessage, user: int) -> bool:
        picks = [r.media_item_id for r in recommendations.recommend(user, server_id, 8, now=NOW)][:5]
        return set(picks) <= set(answer.extras["cards"]) and "Trending on your server" in answer.content

    return check


def _unwatched(genre: str) -> Check:
    def check(answer: StoredMessage, user: int) -> bool:
        played = _played(user)
        return _all_cards(lambda r: genre in tag_names(r.genres) and r.id not in played, 5)(answer, user)

    return check


def questions(server_id: int) -> list[tuple[str, Check]]:
    last_week = (NOW - timedelta(days=NOW.weekday() + 7)).replace(hour=0, minute=0, second=0, microsecond=0)
    may = (NOW.replace(month=5, day=1), NOW.replace(month=6, day=1))
    movie_77, show_3 = _by_title("Movie 77"), _by_title("Show 3")
    newest = [r.id for r in _items(MEDIA.c.type.in_(("movie", "show")), order=(MEDIA.c.added_at.desc(), MEDIA.c.id), limit=8)]
    return [
        ("Do we have Movie 4242?", _has("Movie 4242")),
        ("Do we have Zorblax Returns?", lambda a, _u: a.extras["missing"] == ["Zorblax Returns"] and a.extras["cards"] == []),
        ("Do we have Show 17?", _has("Show 17")),
        ("Do we have Movie 9999?", _has("Movie 9999")),
        ("What's trending?", _same_ids(_trending_ids(server_id))),
        ("What's popular right now?", _same_ids(_trending_ids(server_id))),
        ("What's new on the server?", lambda a, _u: sorted(a.extras["cards"]) == sorted(newest)),
        ("What did I watch last week?", _period_check(server_id, (last_week, last_week + timedelta(days=7)))),
        ("What did I watch in May?", _period_check(server_id, may)),
        ("How many hours did I watch in May?", _period_check(server_id, may)),
        ("What should I watch?", _recommended(server_id)),
        ("Can you recommend something?", _recommended(server_id)),
        ("Movies like Movie 77", _all_cards(lambda r: r.id == movie_77.id or bool(set(tag_names(r.genres)) & set(tag_names(movie_77.genres))), 5)),
        ("Shows like Show 3", _all_cards(lambda r: r.id == show_3.id or bool(set(tag_names(r.genres)) & set(tag_names(show_3.genres))), 5)),
        ("Tell me about Movie 5", lambda a, _u: f"**Movie 5** ({_by_title('Movie 5').year or '?'})" in a.content and _by_title("Movie 5").id in a.extras["cards"]),
        ("Tell me about Show 12", lambda a, _u: "**Show 12**" in a.content and _by_title("Show 12").id in a.extras["cards"]),
        ("Some comedies I haven't seen", _unwatched("Comedy")),
        ("Some thrillers I haven't seen", _unwatched("Thriller")),
        ("Movies with Person 12", _all_cards(lambda r: "Person 12" in (*tag_names(r.actors), *tag_names(r.directors)))),
        ("Movies from the 90s", _all_cards(lambda r: 1990 <= (r.year or 0) <= 1999, 5)),
    ]


def naive_dump_tokens(sim: OpenAISimulator) -> int:
    """The prompt of the naive approach: the library, one line per item, then the question."""
    lines = [
        f"{r.title} ({r.year}) {r.type} {', '.join(tag_names(r.genres))}".rstrip()
        for r in _items(sa.true(), order=(MEDIA.c.id,))
    ]
    body = {"messages": [{"role": "system", "content": "You recommend from this library:\n" + "\n".join(lines)},
                         {"role": "user", "content": "What should I watch?"}]}  # fmt: skip
    return sim.prompt_tokens(body)


async def ask(member: int, question: str) -> StoredMessage:
    finished = None
    async for event in chat.ask(member, question, now=NOW):
        if isinstance(event, chat.Finished):
            finished = event.message
    assert finished is not None
    return finished


def main() -> None:
    owner, server_id, members = world.populate("ai-context")
    sim = OpenAISimulator(api_key="sk-bench")
    with sim.serve() as server:
        provider.save(owner, base_url=f"{server.url}/v1", model="gpt-4o-mini", api_key="sk-bench", timeout_s=60)
        recommendations.recommend(members[0], server_id, 8, now=NOW)  # the shared figures, built once as the dashboard would
        results = []
        for n, (question, check) in enumerate(questions(server_id)):
            member = members[n * 7 % len(members)]
            before = len(sim.requests)
            answer = asyncio.run(ask(member, question))
            with get_engine().connect() as conn:
                tokens = conn.execute(sa.select(sa.func.sum(AI_CALLS.c.prompt_tokens)).where(AI_CALLS.c.user_id == member)).scalar() or 0
            results.append({
                "question": question, "prompt_tokens": int(tokens), "round_trips": len(sim.requests) - before,
                "answered_by": answer.answered_by, "correct": bool(answer.answered_by == "model" and check(answer, member)),
            })  # fmt: skip
            if not results[-1]["correct"]:
                results[-1]["answer"] = answer.content[:600]
                results[-1]["cards"] = answer.extras["cards"]
        naive = naive_dump_tokens(sim)
    median = statistics.median(r["prompt_tokens"] for r in results)
    for r in results:
        print(f"{r['prompt_tokens']:>6} tokens  {r['round_trips']} trips  {'ok ' if r['correct'] else 'BAD'}  {r['question']}")
    print(orjson.dumps({
        "benchmark": "ai_context",
        "items": 52_000, "members": len(members), "watch_events": 1_000_000,
        "questions": len(results),
        "correct": sum(r["correct"] for r in results),
        "median_prompt_tokens": median,
        "max_prompt_tokens": max(r["prompt_tokens"] for r in results),
        "naive_dump_tokens": naive,
        "ratio_median_to_naive": round(median / naive, 5),
        "tokenizer": "o200k_base (bpe-openai), the simulator's usage",
        "targets": {"median_prompt_tokens_max": TARGET_MEDIAN, "correct": len(results)},
        "meets_targets": median <= TARGET_MEDIAN and all(r["correct"] for r in results),
        "per_question": results,
    }).decode())


if __name__ == "__main__":
    main()
