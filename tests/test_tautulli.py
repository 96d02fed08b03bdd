"""Tautulli as a history source: its API through our client against the Tautulli simulator, and its history
imported without counting again what Plex's history already holds."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.services.auth import UserView
from smartplex.services.plex import sync
from smartplex.services.tautulli import importer
from smartplex.services.tautulli.client import TautulliClient, TautulliError
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.tautulli import TautulliSimulator, item_row
from tests import factories
from tests.plex_fixtures import FAST

FAST_TIMEOUT = httpx.Timeout(0.5, connect=0.5)


@pytest.fixture
def tautulli(plex_sim: PlexSimulator) -> Iterator[tuple[TautulliSimulator, str]]:
    sim = TautulliSimulator.watching(plex_sim, plex_sim.machine_identifier)
    with sim.serve() as server:
        yield sim, server.url


def client(tautulli: tuple[TautulliSimulator, str], key: str | None = None) -> TautulliClient:
    sim, url = tautulli
    return TautulliClient(url, key or sim.api_key, timeout=FAST_TIMEOUT, attempts=2)


def events(source: str | None = None) -> int:
    query = "SELECT count(*) FROM watch_event" + (" WHERE source = :s" if source else "")
    with get_engine().connect() as conn:
        return conn.execute(sa.text(query), {"s": source}).scalar_one()


# --------------------------------------------------------------------------- the client


def test_identity_and_paged_history(tautulli: tuple[TautulliSimulator, str], plex_sim: PlexSimulator) -> None:
    sim, _ = tautulli
    with client(tautulli) as c:
        identity = c.identity()
        first = c.history_page(0, 7)
        rest = c.history_page(7, 1000)
    assert (identity.version, identity.machine_identifier) == ("v2.15.3", plex_sim.machine_identifier)
    assert first.total == len(sim.rows) and len(first.rows) == 7 and len(first.rows) + len(rest.rows) == len(sim.rows)
    assert [r["date"] for r in first.rows] == sorted(r["date"] for r in first.rows)  # oldest first
    assert all("apikey" not in query for query in sim.queries)  # the key travels in the body


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("html", "Tautulli answered HTML, not its API"),
        ("wrong key", "Tautulli refused: Invalid apikey"),
        ("500", "Tautulli failed: HTTP 500"),
        ("hang", "Tautulli unreachable: timeout"),
    ],
)
def test_failures_come_back_in_words(tautulli: tuple[TautulliSimulator, str], fault: str, message: str) -> None:
    sim, _ = tautulli
    sim.faults.html, sim.faults.hang = fault == "html", fault == "hang"
    sim.faults.status = 500 if fault == "500" else None
    with pytest.raises(TautulliError, match=message) as caught, client(tautulli, "nope" if fault == "wrong key" else None) as c:
        c.identity()
    sim.faults.reset()
    assert caught.value.rejected is (fault == "wrong key")
    assert sim.api_key not in str(caught.value)
    assert len(sim.requests) == (2 if fault in ("500", "hang") else 1)  # only transient failures are retried


def test_an_address_where_nothing_listens() -> None:
    with pytest.raises(TautulliError, match="Tautulli unreachable: connection refused"):
        TautulliClient(factories.NOWHERE, "k", timeout=FAST_TIMEOUT).identity()


# --------------------------------------------------------------------------- the import


def test_plays_plex_already_knows_are_not_added_again(
    admin: UserView, plex_sim: PlexSimulator, tautulli: tuple[TautulliSimulator, str]
) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    assert sync.run_sync(server_id, "full", options=FAST).status == "succeeded"  # imports Plex's history too
    from_plex = events("history")
    assert from_plex == len(plex_sim.history) > 0

    result = importer.import_history(client(tautulli))

    assert (result.server_id, result.rows, result.added) == (server_id, from_plex, 0)
    assert result.duplicates == from_plex  # the owner's plays too: Tautulli's admin is Plex's account 1
    assert events() == from_plex


def test_sessions_only_tautulli_saw_are_added_once_and_untidy_rows_skipped(
    admin: UserView, plex_sim: PlexSimulator, tautulli: tuple[TautulliSimulator, str]
) -> None:
    sim, _ = tautulli
    server_id = factories.simulated_server(admin.id, plex_sim)
    alice = factories.person("Alice", plex_account_id=5129384)
    movie = next(item for item in plex_sim.items.values() if item.type == "movie")
    episode = next(item for item in plex_sim.items.values() if item.type == "episode")
    factories.item(server_id, movie.title, rating_key=str(movie.rating_key))
    sim.rows.clear()
    sim.add_row(item_row(movie, 5129384, "alice.w", 1_780_000_000) | {"percent_complete": 45, "watched_status": 0})
    sim.add_row(item_row(episode, 6620417, "bobbytables", 1_780_100_000) | {"title": "Ōkami 千と千尋"})
    sim.add_row({"media_type": "track", "rating_key": "5", "stopped": 1_780_000_000})  # music: not ours
    sim.add_row({"media_type": "movie", "rating_key": None, "stopped": 1_780_000_000})  # no item
    sim.add_row({"media_type": "movie", "rating_key": "77", "stopped": "soon"})  # no time
    sim.add_row({"media_type": "episode"})

    result = importer.import_history(client(tautulli))
    again = importer.import_history(client(tautulli))

    assert (result.added, result.duplicates, result.skipped) == (2, 0, 4)
    assert (again.added, again.duplicates) == (0, 2)
    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.text("SELECT rating_key, user_id, plex_account_id, event, progress, media_item_id FROM watch_event "
                    "WHERE source = 'tautulli' ORDER BY viewed_at")
        ).all()  # fmt: skip
    assert rows[0][:5] == (str(movie.rating_key), alice, 5129384, "stop", 0.45) and rows[0][5] is not None
    assert rows[1][:5] == (str(episode.rating_key), None, 6620417, "viewed", 1.0)  # not synced yet: kept by key


def test_a_tautulli_watching_another_server_is_refused(admin: UserView, plex_sim: PlexSimulator) -> None:
    factories.simulated_server(admin.id, plex_sim)
    other = TautulliSimulator(machine_identifier="f" * 40)
    with other.serve() as server, pytest.raises(TautulliError, match="not connected to"):
        importer.import_history(TautulliClient(server.url, other.api_key, timeout=FAST_TIMEOUT))
    assert events() == 0
