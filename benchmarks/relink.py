"""Moving a Plex account's plays to another member: the admin's preview and the move itself, at scale.

A migrated SQLite file gets 5,000 items and 500,000 watch events from 50 Plex accounts; the account moved has
100,000 of them (about 20,000 plays: evenings of play, pause, resume and stop, and some ratings), linked to Sam.
`accounts.preview_link()` (the sentence "N plays will move from Sam to Alex") and `accounts.relink()` (the
link and its events in one transaction) run alternately Sam -> Alex and back. The baseline, measured in the
same run the same way, is the least any move costs: one bare `UPDATE watch_event SET user_id = ? WHERE
plex_account_id = ?` committed, and for the preview one bare count of the account's events.

    .venv/bin/python benchmarks/relink.py
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import _plex_bench as bench  # first: it sets up the environment
import orjson
import sqlalchemy as sa

from smartplex.db import get_engine, session
from smartplex.models import MEDIA, WATCH, Role, User
from smartplex.services.plex import accounts

ITEMS, ACCOUNTS, EVENTS, MOVED_EVENTS = 5_000, 50, 500_000, 100_000
MOVED_ACCOUNT = 424_242
RUNS = 6
TARGETS = {"preview_ms_max": 1_000, "relink_ratio_to_bare_update_max": 3.0}
START = datetime(2025, 1, 1, tzinfo=UTC)


def populate(server_id: int, sam: int) -> None:
    rng = random.Random(13)
    with get_engine().begin() as conn:
        conn.execute(
            MEDIA.insert(),
            [
                {"id": n, "server_id": server_id, "rating_key": str(n), "type": "movie", "title": f"Film {n}",
                 "genres": [], "directors": [], "actors": [], "synced_at": START}
                for n in range(1, ITEMS + 1)
            ],
        )  # fmt: skip
    rows, serial = [], 0
    others = [10_000 + n for n in range(ACCOUNTS - 1)]
    while serial < EVENTS:
        moved = serial < MOVED_EVENTS
        account = MOVED_ACCOUNT if moved else rng.choice(others)
        item = rng.randint(1, ITEMS)
        evening = START + timedelta(days=rng.randint(0, 730), hours=rng.randint(17, 23))
        kinds = ["play", "pause", "resume", "stop"] + (["rate"] if rng.random() < 0.05 else [])
        for minute, kind in enumerate(kinds):
            serial += 1
            rows.append(
                (server_id, sam if moved else None, account, item, str(item), kind,
                 (evening + timedelta(minutes=20 * minute)).strftime("%Y-%m-%d %H:%M:%S.000000"), "webhook", f"e{serial}")
            )  # fmt: skip
    raw = get_engine().raw_connection()
    try:
        raw.cursor().executemany(
            "INSERT INTO watch_event (server_id, user_id, plex_account_id, media_item_id, rating_key, event, viewed_at,"
            " progress, view_offset_ms, user_rating, source, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?)",
            rows,
        )
        raw.commit()
    finally:
        raw.close()


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def bare_update(user_id: int) -> None:
    with get_engine().begin() as conn:
        conn.execute(sa.update(WATCH).where(WATCH.c.plex_account_id == MOVED_ACCOUNT).values(user_id=user_id))


def bare_count() -> None:
    with get_engine().connect() as conn:
        conn.execute(sa.select(sa.func.count()).where(WATCH.c.plex_account_id == MOVED_ACCOUNT)).scalar_one()


def main() -> None:
    admin = bench.fresh_database("relink")
    server_id = bench.connect(admin, "http://127.0.0.1:9")
    with session() as s:
        people = [User(name=name, email=f"{name.lower()}@example.com", role=Role.MEMBER) for name in ("Sam", "Alex")]
        s.add_all(people)
        s.flush()
        sam, alex = (p.id or 0 for p in people)
    accounts.link_user(sam, MOVED_ACCOUNT, "sam.plex")
    started = time.perf_counter()
    populate(server_id, sam)
    populate_s = time.perf_counter() - started

    preview = accounts.preview_link(admin, MOVED_ACCOUNT, alex)
    times: dict[str, list[float]] = {"preview": [], "relink": [], "bare_count": [], "bare_update": []}
    moved_plays = []
    holder = sam
    for run in range(RUNS):
        target = alex if holder == sam else sam
        times["preview"].append(timed(lambda: accounts.preview_link(admin, MOVED_ACCOUNT, target)))
        times["bare_count"].append(timed(bare_count))
        started = time.perf_counter()
        moved_plays.append(accounts.relink(admin, MOVED_ACCOUNT, target, "sam.plex"))
        times["relink"].append((time.perf_counter() - started) * 1000)
        # the bare update moves the same events away and back, so the next run starts where this one ended
        times["bare_update"].append(timed(lambda: bare_update(holder)))
        bare_update(target)
        holder = target
        if run == 0:
            assert moved_plays[0] == preview.plays
    median = {name: round(statistics.median(values), 1) for name, values in times.items()}
    ratio = round(median["relink"] / median["bare_update"], 2)
    result = {
        "benchmark": "relink",
        "items": ITEMS,
        "watch_events": EVENTS,
        "events_of_the_account": MOVED_EVENTS,
        "plays_moved": moved_plays[0],
        "preview": [f"{m.plays} plays from {m.from_name} to {m.to_name}" for m in preview.moves],
        "preview_ms": median["preview"],
        "relink_ms": median["relink"],
        "baseline_bare_count_ms": median["bare_count"],
        "baseline_bare_update_ms": median["bare_update"],
        "ratio_relink_to_bare_update": ratio,
        "ratio_preview_to_bare_count": round(median["preview"] / median["bare_count"], 2),
        "runs_ms": {name: [round(v, 1) for v in values] for name, values in times.items()},
        "populate_s": round(populate_s, 1),
        "targets": TARGETS,
        "meets_targets": median["preview"] <= TARGETS["preview_ms_max"]
        and ratio <= TARGETS["relink_ratio_to_bare_update_max"],
    }
    print(orjson.dumps(result).decode())


if __name__ == "__main__":
    main()
