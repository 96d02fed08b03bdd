"""plex.tv simulator fixtures (registered through conftest's `pytest_plugins`): one server per module, a fresh
simulated plex.tv per test, and SmartPlex's plex.tv setting pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
import pytest

from smartplex.config import reload_settings
from smartplex.services.plex.client import Timeouts
from smartplex.services.plextv.client import PlexTvClient
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.plextv import PlexTvSimulator
from smartplex.simulators.server import ThreadedServer
from tests.plex_fixtures import CurrentSimulator


@pytest.fixture(scope="module")
def plextv_port() -> Iterator[tuple[CurrentSimulator, str]]:
    current = CurrentSimulator()
    with ThreadedServer(current) as server:
        yield current, server.url


@pytest.fixture
def plextv(
    plextv_port: tuple[CurrentSimulator, str], plex_sim: PlexSimulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PlexTvSimulator]:
    """plex.tv for the Plex simulator's household (its owner and shared users), as SmartPlex's plex.tv."""
    current, url = plextv_port
    tv = PlexTvSimulator.for_plex(plex_sim)
    tv.served_at(url)
    current.sim = tv
    monkeypatch.setenv("SMARTPLEX_PLEX_TV_URL", url)
    reload_settings()
    yield tv
    tv.faults.reset()
    monkeypatch.undo()
    reload_settings()


def fast_client(tv: PlexTvSimulator, read: float = 0.5) -> PlexTvClient:
    """A client with short timeouts and no pause between tries, for the fault tests."""
    return PlexTvClient(tv.url, timeouts=Timeouts(connect=0.5, read=read), backoff=0.0)
