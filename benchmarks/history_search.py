"""Accent-insensitive history search at scale: 50,000 items, 200 members, 1,000,000 watch events in SQLite.

Ours: `dashboard.history(query=...)`, which compares the stored folded key (media_item.search_key) with the
folded query in SQL, one page of 25 with its total. Baseline, in the same run on the same members: folding at
query time, the way to get accent-insensitive search without a stored key: read the member's plays with their
titles and fold each title in Python (`services.text.fold`) before filtering and paging. Both must return the
same rows, which the script checks. Library search (`search_titles`, the server's movies and shows) is timed
on the same queries.

    .venv/bin/python benchmarks/history_search.py
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import _plex_bench as bench  # first: it sets up the environment
import orjson
import sqlalchemy as sa
from dashboard_speed import MEMBERS, populate

from smartplex.db import get_engine
from smartplex.models import MEDIA
from smartplex.services import dashboard
from smartplex.services.dashboard.cards import item_columns, with_show
from smartplex.services.dashboard.history import plays
from smartplex.services.dashboard.search import search_titles
from smartplex.services.text import fold

TIMED_MEMBERS = 20
QUERIES = {
    "every_movie_unaccented": "arger",  # all 8,000 movies are "Movie n Ärger": the widest match
    "one_title_upper_case": "MOVIE 123 ARGER",
    "one_title_accented": "movie 77 ärger",
    "a_show_episodes": "show 12",
}
TARGET_MEDIAN_MS = 100


def timed(call: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = call()
    return (time.perf_counter() - began) * 1000, result


def fold_at_query_time(user_id: int, server_id: int, query: str, page_size: int = 25) -> tuple[int, list[str]]:
    """The baseline: every play of the member with its titles, folded in Python, then filtered and paged."""
    needle = fold(query)
    with get_engine().connect() as conn:
        played = plays(conn, user_id, server_id, None, None).subquery()
        rows = conn.execute(
            sa.select(*item_columns(), played.c.last_at, played.c.media_item_id.label("played_id"))
            .select_from(with_show(played.outerjoin(MEDIA, MEDIA.c.id == played.c.media_item_id)))
            .order_by(played.c.last_at.desc(), played.c.media_item_id.desc())
        ).all()
    hits = [r for r in rows if r.id is not None and needle in fold(" | ".join(filter(None, (r.title, r.show_title or r.grandparent_title))))]
    return len(hits), [r.last_at.isoformat() for r in hits[:page_size]]


def main() -> None:
    server_id, members, populate_s = populate()
    timed_members = members[:: MEMBERS // TIMED_MEMBERS][:TIMED_MEMBERS]
    dashboard.history(members[-1], server_id, query="warm up")
    figures: dict[str, Any] = {}
    all_ours, all_baseline = [], []
    for name, query in QUERIES.items():
        ours, baseline, matches = [], [], []
        for user in timed_members:
            ms, page = timed(lambda user=user, query=query: dashboard.history(user, server_id, query=query))
            ours.append(ms)
            base_ms, (total, first_page) = timed(lambda user=user, query=query: fold_at_query_time(user, server_id, query))
            baseline.append(base_ms)
            assert (page.total, [r.watched_at for r in page.rows]) == (total, first_page), (name, user)
            matches.append(total)
        all_ours += ours
        all_baseline += baseline
        figures[name] = {
            "query": query,
            "ours_ms": {"median": round(statistics.median(ours), 1), "p95": round(sorted(ours)[int(0.95 * len(ours)) - 1], 1)},
            "baseline_fold_at_query_time_ms": {"median": round(statistics.median(baseline), 1)},
            "median_matching_plays": statistics.median(matches),
        }
    median = statistics.median(all_ours)
    library = [timed(lambda query=query: search_titles(server_id, query))[0] for query in QUERIES.values() for _ in range(5)]
    print(
        orjson.dumps(
            {
                "benchmark": "history_search",
                "items": 50_000,
                "members": MEMBERS,
                "watch_events": 1_000_000,
                "timed_members": TIMED_MEMBERS,
                "queries": figures,
                "ours_median_ms": round(median, 1),
                "baseline_median_ms": round(statistics.median(all_baseline), 1),
                "ratio_ours_to_baseline": round(median / statistics.median(all_baseline), 3),
                "results_match": True,
                "library_search_ms": {"median": round(statistics.median(library), 1), "max": round(max(library), 1)},
                "populate_s": round(populate_s, 1),
                "peak_rss_mb": bench.peak_rss_mb(),
                "targets": {"median_ms_max": TARGET_MEDIAN_MS},
                "meets_target": median < TARGET_MEDIAN_MS,
            }
        ).decode()
    )


if __name__ == "__main__":
    main()
