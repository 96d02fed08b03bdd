"""Seerr simulator fixtures (registered for every test through conftest's `pytest_plugins`) and helpers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from smartplex.models import IntegrationKind
from smartplex.services.auth import UserView
from smartplex.services.integrations import store
from smartplex.services.overseerr import gateway, people
from smartplex.services.overseerr import posters as tmdb_posters
from smartplex.simulators.overseerr import AUTO_APPROVE, REQUEST, OverseerrSimulator
from smartplex.simulators.server import ThreadedServer

KIND = IntegrationKind.OVERSEERR


class _CurrentSimulator:
    """Serves whichever simulator the running test made: one server per module, a fresh Seerr per test."""

    sim: OverseerrSimulator | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.sim is not None
        await self.sim.app(scope, receive, send)


@pytest.fixture(scope="module")
def seerr_port() -> Iterator[tuple[_CurrentSimulator, str]]:
    current = _CurrentSimulator()
    with ThreadedServer(current) as server:
        yield current, server.url


@pytest.fixture
def seerr_sim(seerr_port: tuple[_CurrentSimulator, str]) -> Iterator[OverseerrSimulator]:
    current, url = seerr_port
    sim = OverseerrSimulator()
    sim._url = url
    current.sim = sim
    gateway.reset()
    tmdb_posters.reset()
    yield sim
    sim.faults.reset()
    gateway.reset()


@pytest.fixture
def seerr(admin: UserView, seerr_sim: OverseerrSimulator) -> OverseerrSimulator:
    """The simulator connected as the household's Seerr (by the admin)."""
    store.save(admin.id, KIND, base_url=seerr_sim.url, secret=seerr_sim.api_key)
    return seerr_sim


def link(sim: OverseerrSimulator, person: UserView, *, auto_approve: bool = False, **options: Any) -> int:
    """A Seerr user with the person's email, linked by a refresh of the mapping; its Seerr id."""
    user = sim.add_user(person.name.split()[0].lower(), person.email, permissions=REQUEST | (AUTO_APPROVE if auto_approve else 0), **options)
    people.refresh()
    assert people.seerr_user_for(person.id) == user.id
    return user.id
