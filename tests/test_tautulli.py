"""Tautulli as a history source: its API through our client against the Tautulli simulator, and its history
imported without counting again what Plex's history already holds."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.models import IntegrationKind
from smartplex.services.auth import AuthError, UserView
from smartplex.services.integrations import store
from smartplex.services.plex import sync
from smartplex.services.tautulli import importer, setup
from smartplex.services.tautulli.client import TautulliClient, TautulliError
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.tautulli import TautulliSimulator, item_row
from tests import factories
from tests.plex_fixtures import FAST

FAST_TIMEOUT = httpx.Timeout(0.5, connect=0.5)


def client(tautulli_sim: tuple[TautulliSimulator, str], key: str | None = None) -> TautulliClient:
    sim, url = tautulli_sim
    return TautulliClient(url, key or sim.api_key, timeout=FAST_TIMEOUT, attempts=2)


def events(source: str | None = None) -> int:
    query = "SELECT count(*) FROM watch_event" + (" WHERE source = :s" if source else "")
    with get_engine().connect() as conn:
        return conn.execute(sa.text(query), {"s": source}).scalar_one()


# --------------------------------------------------------------------------- the client


def test_identity_and_paged_history(tautulli_sim: tuple[TautulliSimulator, str], plex_sim: PlexSimulator) -> None:
    sim, _ = tautulli_sim
    with client(tautulli_sim) as c:
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
def test_failures_come_back_in_words(tautulli_sim: tuple[TautulliSimulator, str], fault: str, message: str) -> None:
    sim, _ = tautulli_sim
    sim.faults.html, sim.faults.hang = fault == "html", fault == "hang"
    sim.faults.status = 500 if fault == "500" else None
    with pytest.raises(TautulliError, match=message) as caught, client(tautulli_sim, "nope" if fault == "wrong key" else None) as c:
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
    admin: UserView, plex_sim: PlexSimulator, tautulli_sim: tuple[TautulliSimulator, str]
) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    assert sync.run_sync(server_id, "full", options=FAST).status == "succeeded"  # imports Plex's history too
    from_plex = events("history")
    assert from_plex == len(plex_sim.history) > 0

    result = importer.import_history(client(tautulli_sim))

    assert (result.server_id, result.rows, result.added) == (server_id, from_plex, 0)
    assert result.duplicates == from_plex  # the owner's plays too: Tautulli's admin is Plex's account 1
    assert events() == from_plex


def test_sessions_only_tautulli_saw_are_added_once_and_untidy_rows_skipped(
    admin: UserView, plex_sim: PlexSimulator, tautulli_sim: tuple[TautulliSimulator, str]
) -> None:
    sim, _ = tautulli_sim
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

    result = importer.import_history(client(tautulli_sim))
    again = importer.import_history(client(tautulli_sim))

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


def test_untidy_unicode_rows_are_skipped_or_read_safely(
    admin: UserView, plex_sim: PlexSimulator, tautulli_sim: tuple[TautulliSimulator, str]
) -> None:
    sim, _ = tautulli_sim
    factories.simulated_server(admin.id, plex_sim)
    movie = next(item for item in plex_sim.items.values() if item.type == "movie")
    sim.rows.clear()
    sim.add_row({"media_type": "movie", "rating_key": "١٢٣", "stopped": 1_780_000_000})  # Arabic-Indic digits: no key
    sim.add_row(item_row(movie, 0, "", 1_780_000_000) | {"user_id": "nobody", "percent_complete": "NaN", "watched_status": None,
                                                          "full_title": "Amélie \u202e\u0000 ✨"})  # fmt: skip
    sim.add_row({"media_type": "movie", "rating_key": str(movie.rating_key), "stopped": 10**20})  # past any calendar
    result = importer.import_history(client(tautulli_sim))
    assert (result.rows, result.added, result.skipped) == (3, 1, 2)
    with get_engine().connect() as conn:
        row = conn.execute(sa.text("SELECT plex_account_id, progress, event FROM watch_event WHERE source = 'tautulli'")).one()
    assert tuple(row) == (None, 0.0, "stop")


# --------------------------------------------------------------------------- as the admin connects it


def test_connect_and_import_as_the_admin_does(
    admin: UserView, plex_sim: PlexSimulator, tautulli_sim: tuple[TautulliSimulator, str]
) -> None:
    sim, url = tautulli_sim
    factories.simulated_server(admin.id, plex_sim)
    view = setup.save(admin.id, url + "/api/v2/", sim.api_key)
    assert view.base_url == url and view.secret_mask == "••••" + sim.api_key[-4:]
    seen: list[importer.ImportProgress] = []
    result = setup.import_history(admin.id, seen.append)
    assert seen[-1].done == seen[-1].total == result.rows
    words = setup.summary(result)
    assert words == f"Read {result.rows:,} rows of Tautulli's history: {result.added:,} plays added."
    stored = store.get(IntegrationKind.TAUTULLI)
    assert stored.settings["last_import"]["summary"] == words and stored.health_status == "ok"


def test_tautulli_s_own_error_message_is_what_the_admin_reads(
    admin: UserView, plex_sim: PlexSimulator, tautulli_sim: tuple[TautulliSimulator, str]
) -> None:
    _sim, url = tautulli_sim
    setup.save(admin.id, url, "wrong-key-0000")
    with pytest.raises(TautulliError, match="Tautulli refused: Invalid apikey"):
        setup.import_history(admin.id)
    stored = store.get(IntegrationKind.TAUTULLI)
    assert (stored.health_status, stored.last_error) == ("rejected", "Tautulli refused: Invalid apikey")


@pytest.mark.parametrize(
    ("url", "key", "says"),
    [("", "k", "Enter Tautulli's address"), ("ftp://x", "k", "http:// or https://"), ("http://h:port", "k", "port"),
     ("http://h", "two words", "does not look like an API key"), ("http://h", "", "Enter the API key")],
)  # fmt: skip
def test_bad_addresses_and_keys_are_refused_in_words(admin: UserView, url: str, key: str, says: str) -> None:
    with pytest.raises(store.IntegrationError, match=says):
        setup.save(admin.id, url, key)
    assert store.get(IntegrationKind.TAUTULLI) is None


def test_members_cannot_connect_or_import(member: UserView, tautulli_sim: tuple[TautulliSimulator, str]) -> None:
    sim, url = tautulli_sim
    with pytest.raises(AuthError):
        setup.save(member.id, url, sim.api_key)
    with pytest.raises(AuthError):
        setup.import_history(member.id)
    assert sim.requests == []
