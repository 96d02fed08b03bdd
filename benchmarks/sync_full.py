"""Full sync of 52,000 rows (10,000 movies; 400 shows x 4 seasons x 25 episodes) from the Plex simulator.

Prints one JSON object: the sync's seconds (median of REPEATS runs, each into a new empty SQLite
database) and the process's peak RSS, the floor measured in the same run (fetching and parsing the
same pages with the same client, page size and prefetch, writing nothing), their ratio, and
plexapi's object-model time for the movie section and the simulator's own build time as references.

    .venv/bin/python benchmarks/sync_full.py [--no-plexapi]
"""

from __future__ import annotations

import sys
import time

import _plex_bench as bench  # first: it sets up the environment
import orjson
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.services.plex import sync
from smartplex.services.plex.runs import SyncResult
from smartplex.services.plex.client import PlexClient

MOVIES, SHOWS, SEASONS, EPISODES = 10_000, 400, 4, 25
ROWS = MOVIES + SHOWS * (1 + SEASONS + SEASONS * EPISODES)
REPEATS = 3
PLEXAPI_TIMEOUT_S = 60


def floor(url: str) -> tuple[float, float, int]:
    """(seconds for every page, seconds for the movie pages, items) fetched and parsed without writing."""
    began = time.perf_counter()
    items, movies_s = 0, 0.0
    with PlexClient(url, bench.TOKEN) as client:
        for listing, page in sync.pages(client, sync.listings(client, None), sync.PAGE_SIZE):
            items += len(page.items)
            if listing.type_number == 1:
                movies_s = time.perf_counter() - began
    return time.perf_counter() - began, movies_s, items


def full_sync(url: str, repeat: int) -> tuple[float, SyncResult]:
    owner = bench.fresh_database(f"full-{repeat}")
    server_id = bench.connect(owner, url)
    began = time.perf_counter()
    result = sync.run_sync(server_id, "full", "benchmark")
    elapsed = time.perf_counter() - began
    with get_engine().connect() as conn:
        rows = conn.execute(sa.text("SELECT COUNT(*) FROM media_item")).scalar_one()
    assert result.status == "succeeded" and rows == ROWS == result.items_changed, (result, rows)
    return elapsed, result


def plexapi_movies(url: str) -> float:
    from plexapi.server import PlexServer

    began = time.perf_counter()
    movies = PlexServer(url, bench.TOKEN, timeout=PLEXAPI_TIMEOUT_S).library.section("Movies").all()
    assert len(movies) == MOVIES
    return time.perf_counter() - began


def simulator_build() -> float:
    """Seconds to generate the simulator's library of the same size (what every benchmark waits for first)."""
    from smartplex.simulators.plex import PlexLibrary

    began = time.perf_counter()
    library = PlexLibrary(movies=MOVIES, shows=SHOWS, seasons=SEASONS, episodes=EPISODES, seed=1)
    elapsed = time.perf_counter() - began
    assert len(library.items) == ROWS
    return elapsed


def main() -> None:
    args = ["--movies", str(MOVIES), "--shows", str(SHOWS), "--seasons", str(SEASONS), "--episodes", str(EPISODES)]
    floors, movie_floors, syncs = [], [], []
    with bench.simulator(*args) as url:
        floor(url)  # warm-up: the simulator sorts each listing once
        baseline_rss = bench.peak_rss_mb()
        for repeat in range(REPEATS):
            floor_s, movies_s, items = floor(url)
            assert items == ROWS
            floors.append(floor_s)
            movie_floors.append(movies_s)
            syncs.append(full_sync(url, repeat)[0])
        peak_rss = bench.peak_rss_mb()
        plexapi_s = None if "--no-plexapi" in sys.argv else plexapi_movies(url)
    build_s = simulator_build()  # after the RSS reading: the library is 52,000 objects in this process
    sync_s, floor_s = bench.median(syncs), bench.median(floors)
    figures = {
        "benchmark": "sync_full",
        "rows": ROWS,
        "page_size": sync.PAGE_SIZE,
        "repeats": REPEATS,
        "sync_s": sync_s,
        "floor_fetch_parse_s": floor_s,
        "ratio_to_floor": round(sync_s / floor_s, 2),
        "peak_rss_mb": peak_rss,
        "rss_before_first_sync_mb": baseline_rss,
        "targets": {"sync_s_max": 10, "ratio_to_floor_max": 2.5, "peak_rss_mb_max": 300},
        "runs": {"sync_s": [round(s, 3) for s in syncs], "floor_s": [round(s, 3) for s in floors]},
        "reference": {
            "floor_movie_section_s": bench.median(movie_floors),
            "plexapi_movie_section_s": None if plexapi_s is None else round(plexapi_s, 3),
            "simulator_build_s": round(build_s, 3),
        },
    }
    print(orjson.dumps(figures).decode())


if __name__ == "__main__":
    main()
