"""Plex simulator fixtures (registered for every test through conftest's `pytest_plugins`) and helpers."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator
from typing import Any
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.services.plex.client import Timeouts
from smartplex.services.plex.sync import SyncOptions
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.server import Served, ThreadedServer, free_port

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)  # library dates end here, well before the tests run
SHARED_USER = 5129384  # "alice.w" in the simulator's default accounts
# Small pages to exercise paging, short timeouts and backoff so fault tests stay fast.
FAST = SyncOptions(page_size=100, timeouts=Timeouts(connect=1.0, read=0.5), attempts=3, backoff=0.01)


class CurrentSimulator:
    """An ASGI app serving whichever simulator the running test made: one server per module, while every test
    still gets a fresh simulator (building a library takes 10 ms; starting and stopping a server 250 ms)."""

    sim: Served | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.sim is not None
        await self.sim.app(scope, receive, send)


@pytest.fixture(scope="module")
def plex_port() -> Iterator[tuple[CurrentSimulator, str]]:
    current = CurrentSimulator()
    with ThreadedServer(current) as server:
        yield current, server.url


@pytest.fixture
def plex_sim(plex_port: tuple[CurrentSimulator, str]) -> Iterator[PlexSimulator]:
    """300 movies and 5 shows x 2 seasons x 5 episodes (365 items; seed 3 has legacy-agent shows) on 127.0.0.1."""
    current, url = plex_port
    sim = PlexSimulator(movies=300, shows=5, seasons=2, episodes=5, seed=3, now=ANCHOR, plays_per_account=10)
    sim.served_at(url)
    current.sim = sim
    yield sim
    sim.faults.reset()  # a hanging request of this test ends now


def dead_url() -> str:
    """An address where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """An address that accepts TCP connections and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@contextlib.contextmanager
def media_item_writes() -> Iterator[Callable[[], int]]:
    """Count INSERTs and UPDATEs on media_item with a database trigger; yields a function returning the count."""
    engine = get_engine()
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS test_writes (n INTEGER)"))
        conn.execute(sa.text("DELETE FROM test_writes"))
        if postgres:
            conn.execute(
                sa.text(
                    "CREATE OR REPLACE FUNCTION test_count_write() RETURNS trigger AS "
                    "$$ BEGIN INSERT INTO test_writes VALUES (1); RETURN NULL; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                sa.text(
                    "CREATE TRIGGER test_writes_trg AFTER INSERT OR UPDATE ON media_item "
                    "FOR EACH ROW EXECUTE FUNCTION test_count_write()"
                )
            )
        else:
            for event in ("INSERT", "UPDATE"):
                conn.execute(
                    sa.text(
                        f"CREATE TRIGGER test_writes_{event.lower()} AFTER {event} ON media_item "
                        "BEGIN INSERT INTO test_writes VALUES (1); END"
                    )
                )

    def count() -> int:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT COUNT(*) FROM test_writes")).scalar_one()

    try:
        yield count
    finally:
        with engine.begin() as conn:
            if postgres:
                conn.execute(sa.text("DROP TRIGGER IF EXISTS test_writes_trg ON media_item"))
            else:
                conn.execute(sa.text("DROP TRIGGER IF EXISTS test_writes_insert"))
                conn.execute(sa.text("DROP TRIGGER IF EXISTS test_writes_update"))
            conn.execute(sa.text("DROP TABLE test_writes"))
