"""plex.tv simulator fixtures (registered through conftest's `pytest_plugins`): one server per module, a fresh
simulated plex.tv per test, and SmartPlex's plex.tv setting pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from smartplex.config import reload_settings
from smartplex.services.plex.client import Timeouts
from smartplex.services.plextv.client import PlexTvClient
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.plextv import PlexTvSimulator
from smartplex.simulators.server import ThreadedServer


class _CurrentPlexTv:
    """Serves whichever plex.tv simulator the running test made (see plex_fixtures._CurrentSimulator)."""

    tv: PlexTvSimulator | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.tv is not None
        await self.tv.app(scope, receive, send)


@pytest.fixture(scope="module")
def plextv_port() -> Iterator[tuple[_CurrentPlexTv, str]]:
    current = _CurrentPlexTv()
    with ThreadedServer(current) as server:
        yield current, server.url


@pytest.fixture
def plextv(
    plextv_port: tuple[_CurrentPlexTv, str], plex_sim: PlexSimulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PlexTvSimulator]:
    """plex.tv for the Plex simulator's household (its owner and shared users), as SmartPlex's plex.tv."""
    current, url = plextv_port
    tv = PlexTvSimulator.for_plex(plex_sim)
    tv.served_at(url)
    current.tv = tv
    monkeypatch.setenv("SMARTPLEX_PLEX_TV_URL", url)
    reload_settings()
    yield tv
    tv.faults.reset()
    monkeypatch.undo()
    reload_settings()


def fast_client(tv: PlexTvSimulator, read: float = 0.5) -> PlexTvClient:
    """A client with short timeouts and no pause between tries, for the fault tests."""
    return PlexTvClient(tv.url, timeouts=Timeouts(connect=0.5, read=read), backoff=0.0)
