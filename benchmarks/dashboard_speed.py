"""Member dashboard latency at scale: 50,000 items, 200 members, 1,000,000 watch events in SQLite.

Prints one JSON object: `member_dashboard()` (every section but recommendations, one connection) for 20
members (median, p95) with each section's median, `history()` searches and filters and `stats()` on their
own, and the naive approach measured in the same run on a few members: the member's events and items, the
window's events of the server and the newest items loaded as ORM objects and the sections computed in Python.
The naive results are checked against ours, so both compute the same thing.

    .venv/bin/python benchmarks/dashboard_speed.py
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import _plex_bench as bench  # first: it sets up the environment
from _library_data import DAY, stamp, taste_clusters
import orjson
from sqlmodel import Session, col, select

from smartplex.db import get_engine
from smartplex.models import MediaItem, User, WatchEvent
from smartplex.services import dashboard
from smartplex.services.text import search_key
from smartplex.simulators.plex import GENRES

MOVIES, SHOWS, SEASONS, EPISODES = 8_000, 400, 4, 25
ITEMS = MOVIES + SHOWS * (1 + SEASONS + SEASONS * EPISODES)  # 50,000
MEMBERS, EVENTS = 200, 1_000_000
CLUSTERS = 8
TIMED_MEMBERS, NAIVE_MEMBERS = 20, 3
TARGET_TOTAL_MS = 300
NOW = datetime.now(UTC)
EVENING = [1] * 7 + [2] * 5 + [3] * 5 + [6] * 3 + [9] * 3 + [4]  # plays by hour of day, 0..23


# --------------------------------------------------------------------------- data


def library(
    rng: random.Random, server_id: int
) -> tuple[list[tuple], list[tuple[int, tuple[str, ...]]], dict[int, list[int]]]:
    """(media_item rows with ids 1..ITEMS, (movie or show id, genres), show id -> episode ids in order)."""
    now = NOW.timestamp()
    rows: list[tuple] = []
    titles: list[tuple[int, tuple[str, ...]]] = []
    episodes: dict[int, list[int]] = {}

    def add(kind: str, title: str, genres: tuple[str, ...], added: float, **extra: Any) -> int:
        item_id = len(rows) + 1
        sparse = item_id % 41 == 7  # untidy rows: no year, no genres, no duration
        rows.append(
            (
                item_id,
                server_id,
                str(item_id),
                kind,
                title,
                extra.get("parent_key"),
                extra.get("grandparent_key"),
                extra.get("grandparent_title"),
                extra.get("parent_index", 0),
                extra.get("index", 0),
                0 if sparse else rng.randint(1950, 2026),
                orjson.dumps([] if sparse else list(genres)).decode(),
                0 if sparse else extra.get("duration", rng.randint(80, 180)) * 60_000,
                stamp(added),
                stamp(now) if item_id % 97 == 3 and kind == "movie" else None,
                f"/library/metadata/{item_id}/thumb/1",
                stamp(now),
                search_key(title, extra.get("grandparent_title")),
            )
        )
        return item_id

    for n in range(MOVIES):
        genres = tuple(rng.sample(GENRES, rng.randint(1, 3)))
        titles.append((add("movie", f"Movie {n} Ärger", genres, now - 6 * 365 * DAY * rng.random() ** 1.6), genres))
    for n in range(SHOWS):
        genres = tuple(rng.sample(GENRES, rng.randint(1, 3)))
        added = now - 6 * 365 * DAY * rng.random() ** 1.6
        show = add("show", f"Show {n}", genres, added)
        titles.append((show, genres))
        episodes[show] = []
        for season in range(1, SEASONS + 1):
            season_id = add("season", f"Season {season}", (), added, parent_key=str(show), index=season)
            for episode in range(1, EPISODES + 1):
                added_at = min(now, added + (season * 60 + episode) * DAY * rng.random())
                episodes[show].append(
                    add(
                        "episode",
                        f"Episode {episode}",
                        (),
                        added_at,
                        parent_key=str(season_id),
                        grandparent_key=str(show),
                        grandparent_title=f"Show {n}",
                        parent_index=season,
                        index=episode,
                        duration=rng.randint(20, 60),
                    )
                )
    return rows, titles, episodes


def viewing(rng: random.Random, item: int) -> list[tuple[int, str, float, float]]:
    """One sitting's events: (item, event, progress, seconds after the start)."""
    end = rng.choice((0.3, 0.6, 0.95, 1.0, 1.0, 1.0, 1.0))
    events = [(item, "play", 0.0, 0.0)]
    for _ in range(rng.randint(0, 2)):
        at = rng.uniform(0.1, end)
        events += [(item, "pause", at, at * 3000), (item, "resume", at, at * 3000 + 300)]
    events.append((item, "scrobble" if end == 1.0 else "stop", end, end * 3600))
    if rng.random() < 0.03:
        events.append((item, "rate", 0.0, end * 3600 + 60))
    return events


def histories(
    rng: random.Random,
    server_id: int,
    members: list[tuple[int, int]],
    titles: list[tuple[int, tuple[str, ...]]],
    episodes: dict[int, list[int]],
) -> Iterator[tuple]:
    """EVENTS events: each member has a taste cluster (three genres) that 80 % of their titles come from,
    an activity level (heavy and light viewers), evening-heavy hours, and sittings spread over a year."""
    clusters = taste_clusters(rng, titles, CLUSTERS)
    everything = [title for title, _ in titles]
    weights = [rng.lognormvariate(0, 0.6) for _ in members]
    budgets = [int(EVENTS * w / sum(weights)) for w in weights]
    budgets[0] += EVENTS - sum(budgets)
    start = NOW.timestamp() - 365 * DAY
    made = 0
    for n, ((user, account), budget) in enumerate(zip(members, budgets, strict=True)):
        pool, left = clusters[n % CLUSTERS], budget
        while left > 0:
            source = pool if rng.random() < 0.8 else everything
            title = source[int(len(source) * rng.random() ** 3)]
            day = start + int(rng.random() ** 0.7 * 365) * DAY  # more recent days are busier
            at = day + rng.choices(range(24), EVENING)[0] * 3600 + rng.randint(0, 3599)
            first = rng.randrange(len(episodes[title])) if title in episodes else 0
            items = episodes[title][first : first + rng.randint(1, 4)] if title in episodes else [title]
            for item in items:
                for item_id, kind, progress, offset in viewing(rng, item)[:left]:
                    unknown = made % 199 == 11  # an event whose item was not synced: no media_item_id
                    yield (
                        server_id,
                        None if made % 157 == 5 else user,
                        account,
                        None if unknown else item_id,
                        str(item_id),
                        kind,
                        stamp(min(at + offset, NOW.timestamp() - 1)),
                        progress,
                        8.0 if kind == "rate" else 0.0,
                        "webhook",
                        str(made),
                    )
                    made += 1
                    left -= 1
                at += 3700
                if left <= 0:
                    break


def populate() -> tuple[int, list[int], float]:
    """A migrated SQLite file with the library, MEMBERS users and EVENTS events; (server id, member ids, seconds)."""
    began = time.perf_counter()
    owner = bench.fresh_database("dashboard-speed")
    server_id = bench.connect(owner, "http://127.0.0.1:9")
    rng = random.Random(20261124)
    rows, titles, episodes = library(rng, server_id)
    write_items(rows)
    members = write_members()
    write_events(histories(rng, server_id, members, titles, episodes))
    return server_id, [m[0] for m in members], time.perf_counter() - began


def write_items(rows: list[tuple]) -> None:
    with get_engine().begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO media_item (id, server_id, rating_key, type, title, parent_rating_key, grandparent_rating_key,"
            " grandparent_title, parent_index, item_index, year, genres, duration_ms, added_at, removed_at, thumb,"
            " synced_at, search_key, directors, actors)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', '[]')",
            rows,
        )


def write_members() -> list[tuple[int, int]]:
    """MEMBERS members linked to Plex accounts; (user id, account id) each."""
    with get_engine().begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO user (name, email, role, password_hash, plex_account_id, created_at)"
            " VALUES (?, ?, 'member', '!', ?, ?)",
            [(f"Member {n}", f"member{n}@example.com", 50_000 + n, stamp(NOW.timestamp())) for n in range(MEMBERS)],
        )
        rows = conn.exec_driver_sql("SELECT id, plex_account_id FROM user WHERE role = 'member' ORDER BY id").all()
    return [(user, account) for user, account in rows]


def write_events(events: Iterator[tuple]) -> None:
    insert = (
        "INSERT INTO watch_event (server_id, user_id, plex_account_id, media_item_id, rating_key, event, viewed_at,"
        " progress, user_rating, source, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    while batch := [row for _, row in zip(range(100_000), events, strict=False)]:
        with get_engine().begin() as conn:
            conn.exec_driver_sql(insert, batch)


# --------------------------------------------------------------------------- the naive approach


def naive_dashboard(user_id: int, server_id: int) -> dict[str, Any]:
    """The sections computed in Python from ORM objects (the filters still use the indexes)."""
    with Session(get_engine()) as s:
        mine = s.exec(select(WatchEvent).where(WatchEvent.user_id == user_id, WatchEvent.server_id == server_id)).all()
        recent = s.exec(
            select(WatchEvent).where(
                WatchEvent.server_id == server_id, col(WatchEvent.viewed_at) > NOW - timedelta(days=7)
            )
        ).all()
        ids = {e.media_item_id for e in [*mine, *recent] if e.media_item_id is not None}
        items = {i.id: i for i in s.exec(select(MediaItem).where(col(MediaItem.id).in_(ids))).all()}
        linked = {u.plex_account_id: u.id for u in s.exec(select(User).order_by(col(User.id).desc())).all()}
        newest = s.exec(
            select(MediaItem)
            .where(
                MediaItem.server_id == server_id,
                col(MediaItem.type).in_(("movie", "episode")),
                col(MediaItem.removed_at).is_(None),
                col(MediaItem.added_at).is_not(None),
            )
            .order_by(col(MediaItem.added_at).desc(), col(MediaItem.id).desc())
            .limit(2_000)
        ).all()
    return {
        "continue_watching": _naive_continue(mine, items),
        "recently_added": _naive_recent(newest),
        "trending": _naive_trending(recent, items, linked),
        "plays": _naive_plays(mine, items),
    }


def _naive_continue(mine: list[WatchEvent], items: dict[int, MediaItem]) -> list[int]:
    latest: dict[int, WatchEvent] = {}
    for e in sorted(mine, key=lambda e: (e.viewed_at, e.id or 0)):
        if e.media_item_id is not None and e.event != "rate":
            latest[e.media_item_id] = e
    shown: dict[str, int] = {}
    for e in sorted(latest.values(), key=lambda e: (e.viewed_at, e.media_item_id or 0), reverse=True):
        item = items[e.media_item_id or 0]
        if e.event in ("scrobble", "viewed") or not 0.02 <= e.progress < 0.9 or item.removed_at is not None:
            continue
        shown.setdefault(
            f"show:{item.grandparent_rating_key}" if item.type == "episode" else f"item:{item.id}", item.id or 0
        )
    return list(shown.values())[:12]


def _naive_recent(newest: list[MediaItem]) -> list[str]:
    """Rating keys of the newest movies and shows (an episode stands for its show)."""
    titles: dict[str, None] = {}
    for item in newest:
        titles.setdefault((item.grandparent_rating_key if item.type == "episode" else item.rating_key) or "")
    return list(titles)[:20]


def _naive_trending(
    recent: list[WatchEvent], items: dict[int, MediaItem], linked: dict[int | None, int | None]
) -> list[tuple[str, int]]:
    people: dict[str, set[int]] = defaultdict(set)
    for e in recent:
        item = items.get(e.media_item_id or 0)
        if item is None or e.event == "rate" or item.removed_at is not None:
            continue
        person = e.user_id or linked.get(e.plex_account_id) or (-e.plex_account_id if e.plex_account_id else None)
        if person is not None:
            people[item.grandparent_rating_key if item.type == "episode" else item.rating_key].add(person)
    ranked = sorted(((key, len(p)) for key, p in people.items() if len(p) >= 3), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:12]


def _naive_plays(mine: list[WatchEvent], items: dict[int, MediaItem]) -> dict[str, Any]:
    """History's total and the year's stats from (item, day) plays."""
    plays: dict[tuple[Any, ...], list[WatchEvent]] = defaultdict(list)
    for e in mine:
        if e.event != "rate":
            plays[(e.media_item_id, e.rating_key, e.viewed_at.date())].append(e)
    year_ago = NOW - timedelta(days=365)
    new_year = NOW.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)  # "this year" is the calendar's
    hours, genres, by_hour = 0.0, Counter[str](), [0] * 24
    in_year = 0
    for (item_id, _, _), events in plays.items():
        started = min(e.viewed_at for e in events)
        if not min(year_ago, new_year) <= started < NOW:
            continue
        by_hour[started.hour] += 1  # the last twelve months
        if started < new_year:
            continue
        in_year += 1
        item = items.get(item_id or 0)
        if item is None:
            continue
        finished = any(e.event in ("scrobble", "viewed") or e.progress >= 0.9 for e in events)
        hours += item.duration_ms * (1.0 if finished else max(e.progress for e in events)) / 3_600_000
        genres.update(item.genres)
    return {"history_total": len(plays), "plays": in_year, "hours_year": round(hours, 1), "by_hour": by_hour}


def ours_comparable(user_id: int, server_id: int) -> dict[str, Any]:
    """Our figures for what the naive code computes, at the same `now`."""
    with get_engine().connect() as conn:
        keys = dict(conn.exec_driver_sql("SELECT id, rating_key FROM media_item").all())
    stats = dashboard.stats(user_id, server_id, NOW)
    return {
        "continue_watching": [c.media_item_id for c in dashboard.continue_watching(user_id, server_id)],
        "recently_added": [keys[c.media_item_id] for c in dashboard.recently_added(server_id)],
        "trending": [(keys[t.card.media_item_id], t.members) for t in dashboard.trending(server_id, now=NOW)],
        "plays": {
            "history_total": dashboard.history(user_id, server_id).total,
            "plays": stats.plays,
            "hours_year": stats.hours_year,
            "by_hour": stats.by_hour,
        },
    }


# --------------------------------------------------------------------------- measuring


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = call()
    return (time.perf_counter() - began) * 1000, result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "p95": round(percentile(values, 0.95), 1),
        "max": round(max(values), 1),
    }


def sections(user_id: int, server_id: int) -> dict[str, float]:
    """Each section on its own connection, for where the time goes."""
    calls: dict[str, Callable[[], Any]] = {
        "continue_watching": lambda: dashboard.continue_watching(user_id, server_id),
        "recently_added": lambda: dashboard.recently_added(server_id),
        "trending": lambda: dashboard.trending(server_id),
        "history_preview": lambda: dashboard.history(user_id, server_id, page_size=dashboard.HISTORY_PREVIEW),
        "stats": lambda: dashboard.stats(user_id, server_id),
    }
    return {name: timed(call)[0] for name, call in calls.items()}


def main() -> None:
    server_id, members, populate_s = populate()
    timed_members = members[:: MEMBERS // TIMED_MEMBERS][:TIMED_MEMBERS]
    dashboard.member_dashboard(members[-1], server_id)  # warm the connection pool and SQLite's page cache
    totals, boards = [], {}
    for user in timed_members:
        ms, boards[user] = timed(lambda user=user: dashboard.member_dashboard(user, server_id))
        totals.append(ms)
    per_section: dict[str, list[float]] = defaultdict(list)
    for user in timed_members:
        for name, ms in sections(user, server_id).items():
            per_section[name].append(ms)
    searches = {
        "title_search": lambda u: dashboard.history(u, server_id, query="ärger"),
        "show_search_episodes_only": lambda u: dashboard.history(u, server_id, query="show 1", media_type="episode"),
        "last_30_days_page_3": lambda u: dashboard.history(
            u, server_id, since=(NOW - timedelta(days=30)).date(), page=3
        ),
    }
    history_ms = {
        name: summary([timed(lambda u=u, call=call: call(u))[0] for u in timed_members])
        for name, call in searches.items()
    }
    stats_ms = summary([timed(lambda u=u: dashboard.stats(u, server_id))[0] for u in timed_members])
    naive, checked = [], 0
    for user in timed_members[:NAIVE_MEMBERS]:
        ms, result = timed(lambda user=user: naive_dashboard(user, server_id))
        naive.append(ms)
        ours = ours_comparable(user, server_id)
        result["trending"] = [tuple(t) for t in result["trending"]]
        for section, value in result.items():
            assert value == ours[section], (section, value, ours[section])
        checked += 1
    ours_median = statistics.median(totals[:NAIVE_MEMBERS])
    board = boards[timed_members[0]]
    print(
        orjson.dumps(
            {
                "benchmark": "dashboard_speed",
                "items": ITEMS,
                "members": MEMBERS,
                "watch_events": EVENTS,
                "member_dashboard_ms": {**summary(totals), "members": TIMED_MEMBERS},
                "section_median_ms": {name: round(statistics.median(v), 1) for name, v in per_section.items()},
                "history_ms": history_ms,
                "stats_ms": stats_ms,
                "baseline_naive_orm_ms": {
                    "median": round(statistics.median(naive), 1),
                    "runs": [round(v, 1) for v in naive],
                    "members": NAIVE_MEMBERS,
                    "results_match": checked == NAIVE_MEMBERS,
                },
                "ratio_ours_to_naive_same_members": round(ours_median / statistics.median(naive), 4),
                "sample": {
                    "continue_watching": len(board.continue_watching),
                    "recently_added": len(board.recently_added),
                    "trending": [[t.card.title, t.members] for t in board.trending[:3]],
                    "history_total": board.history.total,
                    "plays_year": board.stats.plays,
                    "hours_year": board.stats.hours_year,
                },
                "populate_s": round(populate_s, 1),
                "peak_rss_mb": bench.peak_rss_mb(),
                "targets": {"member_dashboard_total_ms_max": TARGET_TOTAL_MS},
                "meets_target": percentile(totals, 0.95) < TARGET_TOTAL_MS,
            }
        ).decode()
    )


if __name__ == "__main__":
    main()
