"""Fixtures for the AI chat: the OpenAI simulator, the provider pointed at it, and a small library with two
members' histories."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from smartplex.models import utcnow
from smartplex.services import auth, ratelimit, recommendations
from smartplex.services.ai import provider
from smartplex.simulators.openai import OpenAISimulator
from tests import factories

SIM_KEY = "sk-sim-0123456789abcdef"


@pytest.fixture
def openai_sim() -> Iterator[tuple[OpenAISimulator, str]]:
    """The simulator and its API base URL."""
    sim = OpenAISimulator(api_key=SIM_KEY)
    server = sim.serve().start()
    try:
        yield sim, f"{server.url}/v1"
    finally:
        sim.heal()
        server.stop()


@pytest.fixture
def ai_provider(admin: auth.UserView, openai_sim: tuple[OpenAISimulator, str]) -> OpenAISimulator:
    """The household's AI provider set up against the simulator (timeout 2 s, so hangs end quickly)."""
    sim, base_url = openai_sim
    provider.save(admin.id, base_url=base_url, model="gpt-4o-mini", api_key=SIM_KEY, timeout_s=2)
    ratelimit.reset()
    return sim


@dataclass(frozen=True)
class ChatLibrary:
    server_id: int
    now: datetime
    titles: dict[str, int]  # title -> media_item id
    other_id: int  # a second member, whose history must never reach the first one's answers
    other_only: str  # a title only the other member watched


@pytest.fixture
def chat_library(admin: auth.UserView, member: auth.UserView) -> ChatLibrary:
    """A server with movies; `member` watched some, a second member and three neighbours others (enough people
    for trending)."""
    recommendations.clear_cache()  # on PostgreSQL ids restart per test while rating keys do not: a stale cache
    server_id = factories.server(admin.id)
    now = utcnow()
    titles = {}
    for title, genres, year, actors in [
        ("Amélie", ["Comedy", "Romance"], 2001, ["Audrey Tautou"]),
        ("Alien", ["Horror", "Science Fiction"], 1979, ["Sigourney Weaver"]),
        ("Aliens", ["Action", "Science Fiction"], 1986, ["Sigourney Weaver"]),
        ("Heat", ["Crime", "Thriller"], 1995, ["Al Pacino"]),
        ("Paddington 2", ["Comedy", "Family"], 2017, ["Ben Whishaw"]),
        ("The Secret Garden", ["Family", "Drama"], 1993, []),
    ]:
        titles[title] = factories.item(
            server_id, title, genres=genres, year=year, actors=actors, thumb=f"/library/metadata/{title[:3]}/thumb",
            summary=f"A film called {title}.", duration_ms=6_000_000, added_at=now - timedelta(days=len(titles)),
            audience_rating=7.0 + len(titles) / 10,
        )  # fmt: skip
    other = factories.person("Olive Other")
    factories.play(server_id, member.id, titles["Alien"], now - timedelta(days=2))
    factories.play(server_id, member.id, titles["Amélie"], now - timedelta(days=40))
    factories.play(server_id, other, titles["The Secret Garden"], now - timedelta(days=1))
    for name in ("Nia", "Noor", "Ned"):
        neighbour = factories.person(name)
        factories.play(server_id, neighbour, titles["Heat"], now - timedelta(days=1))
    return ChatLibrary(server_id, now, titles, other, "The Secret Garden")
