"""Incremental sync after 100 items change in a 52,000-row library, against a full re-sync of the same change.

A SQLite trigger logs the rating key of every INSERT or UPDATE on media_item, so the figures say
how many rows were written and how many of those were rows that had not changed (target 0). The
simulator runs in a subprocess; items are touched through its `POST /__sim__/touch` test hook.

    .venv/bin/python benchmarks/sync_incremental.py
"""

from __future__ import annotations

import time

import _plex_bench as bench  # first: it sets up the environment
import httpx
import orjson
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.services.plex import sync
from smartplex.services.plex.runs import SyncResult

MOVIES, SHOWS, SEASONS, EPISODES = 10_000, 400, 4, 25
CHANGED = 100


def log_writes() -> None:
    with get_engine().begin() as conn:
        conn.execute(sa.text("CREATE TABLE bench_writes (rating_key TEXT)"))
        for event in ("INSERT", "UPDATE"):
            conn.execute(
                sa.text(
                    f"CREATE TRIGGER bench_{event.lower()} AFTER {event} ON media_item "
                    "BEGIN INSERT INTO bench_writes VALUES (NEW.rating_key); END"
                )
            )


def written() -> list[str]:
    """Rating keys written since the last call (the log is emptied)."""
    with get_engine().begin() as conn:
        keys = list(conn.execute(sa.text("SELECT rating_key FROM bench_writes")).scalars())
        conn.execute(sa.text("DELETE FROM bench_writes"))
    return keys


def pick(offset: int) -> list[str]:
    """CHANGED movies and episodes spread over the library."""
    with get_engine().connect() as conn:
        keys = list(
            conn.execute(
                sa.text("SELECT rating_key FROM media_item WHERE type IN ('movie', 'episode') ORDER BY id")
            ).scalars()
        )
    step = len(keys) // CHANGED
    return [keys[offset + n * step] for n in range(CHANGED)]


def touch(url: str, keys: list[str]) -> None:
    response = httpx.post(
        f"{url}/__sim__/touch", content=orjson.dumps({"rating_keys": keys}), headers={"X-Plex-Token": bench.TOKEN}
    )
    response.raise_for_status()


def timed_sync(server_id: int, kind: str) -> tuple[float, SyncResult]:
    began = time.perf_counter()
    result = sync.run_sync(server_id, kind, "benchmark")
    elapsed = time.perf_counter() - began
    assert result.status == "succeeded" and result.kind == kind, result
    return elapsed, result


def main() -> None:
    args = ["--movies", str(MOVIES), "--shows", str(SHOWS), "--seasons", str(SEASONS), "--episodes", str(EPISODES)]
    with bench.simulator(*args) as url:
        server_id = bench.connect(bench.fresh_database("incremental"), url)
        timed_sync(server_id, "full")
        log_writes()

        changed = pick(0)
        touch(url, changed)
        incremental_s, incremental = timed_sync(server_id, "incremental")
        incremental_writes = written()

        changed_again = pick(1)
        touch(url, changed_again)
        full_s, full = timed_sync(server_id, "full")
        full_writes = written()

    figures = {
        "benchmark": "sync_incremental",
        "rows": full.items_seen,
        "items_touched": CHANGED,
        "incremental_s": round(incremental_s, 3),
        "incremental_items_seen": incremental.items_seen,
        "incremental_items_changed": incremental.items_changed,
        "incremental_rows_written": len(incremental_writes),
        "incremental_writes_to_unchanged_rows": len(set(incremental_writes) - set(changed)),
        "baseline_full_resync_s": round(full_s, 3),
        "baseline_full_items_changed": full.items_changed,
        "baseline_full_writes_to_unchanged_rows": len(set(full_writes) - set(changed_again)),
        "ratio_incremental_to_full": round(incremental_s / full_s, 3),
        "targets": {"incremental_s_max": 1.0, "items_changed": CHANGED, "writes_to_unchanged_rows": 0},
    }
    print(orjson.dumps(figures).decode())


if __name__ == "__main__":
    main()
