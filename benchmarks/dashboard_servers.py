"""A household with two Plex servers: the merged dashboard against one server's, in one run.

Two servers each hold dashboard_speed's 50,000-item library (every movie and show on both, with the same agent
guid: the most merging there can be) and half of its 1,000,000 watch events, for the same 200 members. Prints one
JSON object: `member_dashboard()` plus `recommend()` for 20 members, merged over both servers and, as the baseline
measured in the same run, on one of them; their ratio; and a check that merged lists show each title once.

    .venv/bin/python benchmarks/dashboard_servers.py
"""

from __future__ import annotations

import random
import statistics
import time

import _plex_bench as bench  # first: it sets up the environment
import dashboard_speed as single
import orjson

from smartplex.db import get_engine
from smartplex.services import dashboard, recommendations
from smartplex.services.plex import servers

TIMED_MEMBERS = 20
TARGET_P95_MS = 600  # the dashboard's own budget (300 ms) per server shown
TARGET_RATIO = 2.5  # merged over two servers costs at most this many times one server


def populate(rng: random.Random) -> tuple[int, int, list[int]]:
    """Both servers' libraries (the cabin's a copy of the home's under other ids) and half the events on each."""
    owner = bench.fresh_database("dashboard-servers")
    home = bench.connect(owner, "http://127.0.0.1:9")
    cabin = servers.save_server(
        owner, name="Cabin", machine_id="c" * 40, urls=["http://127.0.0.1:8"], preferred_url="http://127.0.0.1:8",
        token=bench.TOKEN, version=None,
    ).id  # fmt: skip
    rows, titles, episodes = single.library(rng, home)
    offset = len(rows)
    single.write_items(rows)
    single.write_items([(row[0] + offset, cabin, *row[2:]) for row in rows])
    with get_engine().begin() as conn:  # the same agent guid on both servers: each title is on both
        conn.exec_driver_sql("UPDATE media_item SET guid = 'plex://title/' || rating_key WHERE type IN ('movie', 'show')")
    members = single.write_members()
    single.EVENTS //= 2  # half of dashboard_speed's events on each server
    single.write_events(single.histories(rng, home, members, titles, episodes))
    cabin_titles = [(title + offset, genres) for title, genres in titles]
    cabin_episodes = {show + offset: [e + offset for e in eps] for show, eps in episodes.items()}
    events = single.histories(rng, cabin, members, cabin_titles, cabin_episodes)
    single.write_events((*event[:-1], f"cabin-{event[-1]}") for event in events)  # dedupe keys differ
    single.EVENTS *= 2
    return home, cabin, [user for user, _account in members]


def board(user_id: int, servers: tuple[int, ...]) -> tuple[dashboard.Dashboard, list[recommendations.Recommendation]]:
    return dashboard.member_dashboard(user_id, servers), recommendations.recommend(user_id, servers, 20)


def timed_boards(members: list[int], servers: tuple[int, ...]) -> list[float]:
    board(members[-1], servers)  # warm the connection pool, the page cache and the recommendation index
    times = []
    for user in members:
        began = time.perf_counter()
        board(user, servers)
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    began = time.perf_counter()
    home, cabin, members = populate(random.Random(20261201))
    populate_s = time.perf_counter() - began
    timed_members = members[:: len(members) // TIMED_MEMBERS][:TIMED_MEMBERS]
    one = timed_boards(timed_members, (home,))
    both = timed_boards(timed_members, (home, cabin))
    merged, recs = board(timed_members[0], (home, cabin))
    identities = [c.identity for c in merged.recently_added]
    once = len(identities) == len(set(identities)) and len({r.title for r in recs}) == len(recs)
    on_both = sum(len(c.where) == 2 for c in merged.recently_added)
    ratio = statistics.median(both) / statistics.median(one)
    print(
        orjson.dumps(
            {
                "benchmark": "dashboard_servers",
                "items_per_server": single.ITEMS,
                "watch_events": single.EVENTS,
                "members": single.MEMBERS,
                "merged_two_servers_ms": single.summary(both),
                "baseline_one_server_ms": single.summary(one),
                "ratio_merged_to_one_median": round(ratio, 2),
                "merged_lists_show_each_title_once": once,
                "recently_added_on_both": on_both,
                "trending_merged": [[t.card.title, t.members] for t in merged.trending[:3]],
                "populate_s": round(populate_s, 1),
                "peak_rss_mb": bench.peak_rss_mb(),
                "targets": {"merged_p95_ms_max": TARGET_P95_MS, "ratio_max": TARGET_RATIO},
                "meets_target": single.percentile(both, 0.95) < TARGET_P95_MS and ratio <= TARGET_RATIO and once,
            }
        ).decode()
    )


if __name__ == "__main__":
    main()
