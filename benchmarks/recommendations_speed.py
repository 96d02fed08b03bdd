"""Recommendation latency at scale: 52,000 items, 200 members, 1,000,000 watch events in SQLite.

Prints one JSON object: `recommend()` for 20 different members on a warm shared cache (median, p95; each is
that member's first request), the cold first call (which builds the server's shared figures), the refresh
after 100 new events, and the naive approach measured in the same run on a few members: every request
rebuilds everything from the database (the engine without its shared cache). Peak RSS is this process's,
which only migrates and recommends: the data is generated and written by a forked child.

    .venv/bin/python benchmarks/recommendations_speed.py
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import _plex_bench as bench  # first: it sets up the environment
from _library_data import DAY, stamp, taste_clusters
import orjson

from smartplex import db
from smartplex.db import get_engine
from smartplex.services import recommendations
from smartplex.simulators.plex import GENRES

MOVIES, SHOWS, SEASONS, EPISODES = 10_000, 400, 4, 25
MEMBERS, EVENTS = 200, 1_000_000
CLUSTERS = 8
WARM_MEMBERS, NAIVE_MEMBERS = 20, 3
TARGET_WARM_MEDIAN_MS = 200
NOW = datetime(2026, 6, 1, tzinfo=UTC)
SEED = 20261124


def library(rng: random.Random, server_id: int) -> tuple[list[tuple], dict[int, list[int]]]:
    """(media_item rows, show id -> episode ids); ids are assigned here, 1..52,000. One movie in 33 has no
    year, rating or genres; a few thousand people direct and act."""
    now = NOW.timestamp()
    names = [f"Person {n}" for n in range(6_000)]
    rows: list[tuple] = []
    episodes: dict[int, list[int]] = {}

    def add(kind: str, title: str, parent: str | None, grandparent: str | None, sparse: bool = False) -> int:
        item_id = len(rows) + 1
        top = kind in ("movie", "show")
        genres = rng.sample(GENRES, rng.randint(1, 3)) if top and not sparse else []
        added = now - 6 * 365 * DAY * rng.random() ** 1.6
        rows.append((
            server_id, str(item_id), kind, title, parent, grandparent, 0 if sparse else rng.randint(1950, 2026),
            orjson.dumps(genres).decode(), orjson.dumps([rng.choice(names)] if kind == "movie" else []).decode(),
            orjson.dumps(rng.sample(names, rng.randint(2, 5)) if top else []).decode(),
            0.0 if sparse else round(rng.uniform(2, 9.8), 1), stamp(added), f"/library/metadata/{item_id}/thumb",
            stamp(now),
        ))  # fmt: skip
        return item_id

    for n in range(MOVIES):
        add("movie", f"Movie {n}", None, None, sparse=n % 33 == 5)
    for n in range(SHOWS):
        show = add("show", f"Show {n}", None, None)
        episodes[show] = []
        for season in range(SEASONS):
            season_id = add("season", f"Season {season + 1}", str(show), None)
            for episode in range(EPISODES):
                episodes[show].append(add("episode", f"Episode {episode + 1}", str(season_id), str(show)))
    return rows, episodes


def viewing(rng: random.Random, title: int, episodes: dict[int, list[int]]) -> list[tuple[int, str, float]]:
    """(item, event, progress) of one viewing: 5-40 episodes of a show (play, scrobble each), or a movie's
    play/pause/resume/stop-or-scrobble, cut short at random (some never finish)."""
    if title in episodes:
        return [event for item in episodes[title][: rng.randint(5, 40)] for event in
                ((item, "play", 0.0), (item, "scrobble", 1.0))]  # fmt: skip
    progress = rng.choice((0.3, 0.95, 1.0, 1.0))
    events = [(title, "play", 0.0), (title, "pause", progress / 2), (title, "resume", progress / 2),
              (title, "scrobble" if progress == 1.0 else "stop", progress)]  # fmt: skip
    return events[: rng.randint(1, 4)]


def histories(rng: random.Random, server_id: int, members: list[int], titles: list[tuple[int, tuple[str, ...]]],
              episodes: dict[int, list[int]]) -> Iterator[tuple]:  # fmt: skip
    """EVENTS watch events over a year: each member belongs to one of CLUSTERS taste clusters (three favourite
    genres and its own favourites among them) and draws 80 % of their viewings from it, skewed to its head."""
    clusters = taste_clusters(rng, titles, CLUSTERS)
    everything = [title for title, _ in titles]
    rng.shuffle(everything)
    per_member = EVENTS // len(members)
    start = NOW.timestamp() - 365 * DAY
    for n, user in enumerate(members):
        times = sorted(rng.uniform(start, NOW.timestamp()) for _ in range(per_member))
        made = 0
        while made < per_member:
            source = clusters[n % CLUSTERS] if rng.random() < 0.8 else everything
            title = source[int(len(source) * rng.random() ** 3)]
            for item, kind, progress in viewing(rng, title, episodes)[: per_member - made]:
                yield (server_id, user, item, str(item), kind, stamp(times[made]), progress, f"{user}-{made}")
                made += 1


def fill(server_id: int) -> None:
    """Write the library, MEMBERS users and EVENTS events (run in a forked child, so that generating a million
    rows does not count in the measured process's peak RSS)."""
    db.dispose_engines()  # the parent's pooled connections are not ours to use
    rng = random.Random(SEED)
    rows, episodes = library(rng, server_id)
    engine = get_engine()
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO media_item (server_id, rating_key, type, title, parent_rating_key, grandparent_rating_key,"
            " year, genres, directors, actors, rating, added_at, thumb, synced_at) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.exec_driver_sql(
            "INSERT INTO user (name, email, role, password_hash, created_at) VALUES (?, ?, 'member', '!', ?)",
            [(f"Member {n}", f"member{n}@example.com", stamp(NOW.timestamp())) for n in range(MEMBERS)],
        )
        members = [row[0] for row in conn.exec_driver_sql("SELECT id FROM user WHERE role = 'member' ORDER BY id")]
    titles = [(n + 1, tuple(orjson.loads(row[7]))) for n, row in enumerate(rows) if row[2] in ("movie", "show")]
    events = histories(rng, server_id, members, titles, episodes)
    insert = (
        "INSERT INTO watch_event (server_id, user_id, media_item_id, rating_key, event, viewed_at, progress, source,"
        " dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, 'webhook', ?)"
    )
    while batch := [row for _, row in zip(range(200_000), events, strict=False)]:
        with engine.begin() as conn:
            conn.exec_driver_sql(insert, batch)
    db.dispose_engines()


def populate() -> tuple[int, list[int]]:
    """A migrated SQLite file with the library, members and events; (server id, member ids)."""
    owner = bench.fresh_database("recommendations-speed")
    server_id = bench.connect(owner, "http://127.0.0.1:9")
    db.dispose_engines()
    child = multiprocessing.get_context("fork").Process(target=fill, args=(server_id,))
    child.start()
    child.join()
    assert child.exitcode == 0, child.exitcode
    with get_engine().connect() as conn:
        members = [row[0] for row in conn.exec_driver_sql("SELECT id FROM user WHERE role = 'member' ORDER BY id")]
        events = conn.exec_driver_sql("SELECT COUNT(*) FROM watch_event").scalar()
    assert len(members) == MEMBERS and events == EVENTS, (len(members), events)
    return server_id, members


def timed(call: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = call(*args)
    return (time.perf_counter() - began) * 1000, result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    began = time.perf_counter()
    server_id, members = populate()
    populate_s = time.perf_counter() - began
    rss_before = bench.peak_rss_mb()
    moments = (NOW + timedelta(seconds=n) for n in itertools.count())  # a new "now" per request, as in the app
    cold_ms, first = timed(recommendations.recommend, members[0], server_id, 20, next(moments))
    warm = [timed(recommendations.recommend, user, server_id, 20, next(moments))[0]
            for user in members[1 : 1 + WARM_MEMBERS]]  # fmt: skip
    popular_ms, _ = timed(recommendations.popular, server_id, 20, members[1], next(moments))
    with get_engine().begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO watch_event (server_id, user_id, media_item_id, rating_key, event, viewed_at, progress,"
            " source, dedupe_key) VALUES (?, ?, ?, ?, 'scrobble', ?, 1.0, 'webhook', ?)",
            [(server_id, members[n % 50], n + 1, str(n + 1), stamp(NOW.timestamp() - n), f"new-{n}")
             for n in range(100)],
        )
    refresh_ms, _ = timed(recommendations.recommend, members[-1], server_id, 20, next(moments))
    naive = []
    for user in members[-1 - NAIVE_MEMBERS : -1]:
        recommendations.clear_cache()
        naive.append(timed(recommendations.recommend, user, server_id, 20, next(moments))[0])
    warm_median = statistics.median(warm)
    naive_median = statistics.median(naive)
    print(orjson.dumps({
        "benchmark": "recommendations_speed",
        "items": MOVIES + SHOWS * (1 + SEASONS + SEASONS * EPISODES), "members": MEMBERS, "watch_events": EVENTS,
        "warm_ms": {"median": round(warm_median, 1), "p95": round(percentile(warm, 0.95), 1),
                    "max": round(max(warm), 1), "members": WARM_MEMBERS},
        "cold_first_call_ms": round(cold_ms, 1),
        "refresh_after_100_new_events_ms": round(refresh_ms, 1),
        "popular_warm_ms": round(popular_ms, 1),
        "baseline_naive_rebuild_per_request_ms": {"median": round(naive_median, 1),
                                                  "runs": [round(v, 1) for v in naive]},
        "ratio_warm_to_naive": round(warm_median / naive_median, 4),
        "first_list": [[r.title, r.reason_kind, r.reason] for r in first[:5]],
        "peak_rss_mb": bench.peak_rss_mb(), "peak_rss_before_first_call_mb": rss_before,
        "populate_s": round(populate_s, 1),
        "targets": {"warm_median_ms_max": TARGET_WARM_MEDIAN_MS},
        "meets_target": warm_median < TARGET_WARM_MEDIAN_MS,
    }).decode())  # fmt: skip


if __name__ == "__main__":
    main()
