"""Recommendation quality: hold out each simulated member's last finished plays, recommend from the rest.

The library comes from the Plex simulator (in-process, no HTTP); the members and their histories are
generated here with a seeded RNG so that there is signal to find: MEMBERS members in CLUSTERS taste
clusters, each cluster with four favourite genres (neighbouring clusters share one) and its own favourite
titles among them; each member also leans to one of those genres, and plays 40-150 distinct titles in time
order, each one the library already had at that moment (70 % from the cluster's favourites, 15 % from the
member's genre, 15 % from server-wide popularity; a show is 2 or more episodes; 10 % of plays unfinished).
Each member's last HOLD_OUT finished titles (by time) are held out; only the rest goes into the database.

Prints one JSON object, means over WORLDS generated worlds: hit rate@10 (share of members with at least one
held-out title in their top 10), recall@10 and catalogue coverage (distinct titles recommended / titles) for
the blend (`recommend()`) and the popularity-only baseline (`popular()`, leaving out what the member played)
in the same run, their ratio, the reasons shown; then the blend without its cap on one reason's share (what
diversity costs here) and with only one signal weighted (what each part contributes).

    .venv/bin/python benchmarks/recommendations_quality.py
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import _plex_bench as bench  # first: it sets up the environment
import orjson
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.models import MediaItem, User, WatchEvent
from smartplex.services import recommendations
from smartplex.services.recommendations import Recommendation
from smartplex.simulators.plex import GENRES, Item, PlexLibrary

SEED = 20261124
NOW = datetime(2026, 6, 1, tzinfo=UTC)
MOVIES, SHOWS, SEASONS, EPISODES = 1_500, 60, 2, 6
MEMBERS, CLUSTERS = 120, 6
WORLDS = 3  # independent libraries and member sets (seeds SEED, SEED + 1, ...); one member moves hit rate 0.8 %
PLAYS = (40, 150)
HOLD_OUT, TOP = 5, 10
HISTORY_DAYS = 300
SHARES = {"cluster": 0.7, "personal": 0.15, "anything": 0.15}  # where a member's next title comes from
ABLATIONS = ("content", "similar", "trending", "popular")


Play = tuple[datetime, int, bool]  # (when, title media_item id, finished)


@dataclass
class Member:
    user_id: int
    plays: list[Play]  # by time
    held_out: set[int]


def library_rows(library: PlexLibrary, server_id: int) -> list[dict]:
    def row(item: Item) -> dict:
        parent = item.parent
        grandparent = parent.parent if parent is not None else None
        return {
            "server_id": server_id, "rating_key": str(item.rating_key), "type": item.type, "title": item.title,
            "parent_rating_key": str(parent.rating_key) if parent else None,
            "grandparent_rating_key": str(grandparent.rating_key) if grandparent else None,
            "year": item.year or 0, "genres": list(item.genres), "directors": list(item.directors),
            "actors": [name for name, _role in item.roles], "rating": item.rating or 0.0,
            "audience_rating": item.audience_rating or 0.0, "thumb": item.thumb,
            "added_at": datetime.fromtimestamp(item.added_at, UTC), "synced_at": NOW,
        }  # fmt: skip

    return [row(item) for item in library.items.values()]


def skewed(rng: random.Random, ranked: list[int], power: float) -> int:
    """A draw from `ranked` that favours its head (rank ~ uniform ** power)."""
    return ranked[int(len(ranked) * rng.random() ** power)]


def histories(rng: random.Random, titles: dict[int, tuple[str, ...]], added: dict[int, datetime]) -> list[list[Play]]:
    """Per member, (when, title, finished) in time order: at each moment the member picks, by taste, a title
    the library already had then and they have not played."""
    everything = sorted(titles)
    rng.shuffle(everything)  # the server-wide popularity order
    clusters = []
    for n in range(CLUSTERS):  # a ring of genres: neighbouring clusters share one favourite
        favourite = {GENRES[(3 * n + k) % len(GENRES)] for k in range(4)}
        pool = [t for t in everything if favourite.intersection(titles[t])]
        rng.shuffle(pool)  # the cluster's own favourites come first
        clusters.append((favourite, pool))
    start = NOW - timedelta(days=HISTORY_DAYS)
    result = []
    for n in range(MEMBERS):
        favourite, pool = clusters[n % CLUSTERS]
        genre = rng.choice(sorted(favourite))
        personal = [t for t in pool if genre in titles[t]]
        times = sorted(start + (NOW - start) * rng.random() for _ in range(rng.randint(*PLAYS)))
        chosen: set[int] = set()
        plays = []
        for when in times:
            while True:
                source = rng.choices(list(SHARES), weights=list(SHARES.values()))[0]
                if source == "cluster":
                    title = skewed(rng, pool, 2.5)
                elif source == "personal":
                    title = rng.choice(personal)
                else:
                    title = skewed(rng, everything, 2.0)
                if title not in chosen and added[title] <= when:
                    break
            chosen.add(title)
            plays.append((when, title, rng.random() > 0.1))
        result.append(plays)
    return result


def training_events(server_id: int, member: Member, episodes: dict[int, list[int]], rng: random.Random) -> list[dict]:
    """The watch events of the member's plays that are not held out; a show's play is some of its episodes."""
    events = []
    for when, title, done in member.plays:
        if title in member.held_out:
            continue
        items = episodes[title][: rng.randint(2, len(episodes[title]))] if title in episodes else [title]
        for k, item in enumerate(items):
            moment = when + timedelta(minutes=50 * k)
            events.append({
                "server_id": server_id, "user_id": member.user_id, "media_item_id": item, "rating_key": str(item),
                "event": "scrobble" if done else "stop", "viewed_at": moment, "progress": 1.0 if done else 0.4,
                "source": "history", "dedupe_key": f"{member.user_id}-{item}-{moment.timestamp()}",
            })  # fmt: skip
    return events


def populate(seed: int) -> tuple[int, list[Member], int]:
    """A database with the simulator's library, the members and their training plays; (server, members,
    catalogue size)."""
    owner = bench.fresh_database(f"recommendations-quality-{seed}")
    server_id = bench.connect(owner, "http://127.0.0.1:9")
    library = PlexLibrary(movies=MOVIES, shows=SHOWS, seasons=SEASONS, episodes=EPISODES, seed=seed, now=NOW,
                          plays_per_account=0)  # fmt: skip
    engine = get_engine()
    media, users, watch = MediaItem.__table__, User.__table__, WatchEvent.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(media.insert(), library_rows(library, server_id))
        rows = conn.execute(sa.select(media.c.id, media.c.type, media.c.genres, media.c.added_at,
                                      media.c.rating_key, media.c.grandparent_rating_key)).all()  # fmt: skip
        conn.execute(users.insert(), [
            {"name": f"Member {n}", "email": f"member{n}@example.com", "role": "member", "password_hash": "!",
             "created_at": NOW} for n in range(MEMBERS)
        ])  # fmt: skip
        user_ids = conn.execute(sa.select(users.c.id).where(users.c.role == "member").order_by(users.c.id)).scalars()
    titles = {r.id: tuple(r.genres) for r in rows if r.type in ("movie", "show")}
    added = {r.id: r.added_at for r in rows if r.type in ("movie", "show")}
    show_ids = {r.rating_key: r.id for r in rows if r.type == "show"}
    episodes: dict[int, list[int]] = {}
    for r in rows:
        if r.type == "episode":
            episodes.setdefault(show_ids[r.grandparent_rating_key], []).append(r.id)
    rng = random.Random(seed)
    members = []
    for user_id, plays in zip(list(user_ids), histories(rng, titles, added), strict=True):
        finished = [title for _, title, done in plays if done]
        members.append(Member(user_id, plays, set(finished[-HOLD_OUT:])))
    with engine.begin() as conn:
        conn.execute(watch.insert(), [e for m in members for e in training_events(server_id, m, episodes, rng)])
    return server_id, members, len(titles)


def evaluate(members: list[Member], recommend: Callable[[Member], list[Recommendation]], catalogue: int) -> dict:
    hits, recall, shown, reasons = 0, 0.0, set(), Counter()
    for member in members:
        top = recommend(member)[:TOP]
        found = {r.media_item_id for r in top} & member.held_out
        hits += bool(found)
        recall += len(found) / len(member.held_out)
        shown.update(r.media_item_id for r in top)
        reasons.update(r.reason_kind for r in top)
    return {
        "hit_rate_at_10": hits / len(members),
        "recall_at_10": recall / len(members),
        "coverage": len(shown) / catalogue,
        "reasons": Counter(reasons),
    }


@contextlib.contextmanager
def variant(weights: dict[str, float] | None = None, kind_share: float | None = None) -> Iterator[None]:
    """The engine with other blend weights or reason cap for a moment (module constants, restored after)."""
    saved = dict(recommendations.WEIGHTS), recommendations.KIND_SHARE
    recommendations.WEIGHTS.update(weights or {})
    recommendations.KIND_SHARE = saved[1] if kind_share is None else kind_share
    try:
        yield
    finally:
        recommendations.WEIGHTS.update(saved[0])
        recommendations.KIND_SHARE = saved[1]


def only(signal: str) -> dict[str, float]:
    """Every blend weight but `signal`'s at zero; the rating prior kept, tiny, as the tie-break."""
    weights = {name: 0.0 for name in recommendations.WEIGHTS if name != signal}
    return weights | {"rating": recommendations.WEIGHTS["rating"] / 100}


def world(seed: int) -> dict[str, dict]:
    """The blend, the baseline, the blend without its reason cap and the one-signal ablations on one world."""
    server_id, members, catalogue = populate(seed)

    def blend(member: Member) -> list[Recommendation]:
        return recommendations.recommend(member.user_id, server_id, TOP, NOW)

    def baseline(member: Member) -> list[Recommendation]:
        return recommendations.popular(server_id, TOP, exclude_user_id=member.user_id, now=NOW)

    measured = {"blend": evaluate(members, blend, catalogue), "baseline": evaluate(members, baseline, catalogue)}
    with variant(kind_share=1.0):
        measured["uncapped"] = evaluate(members, blend, catalogue)
    for signal in ABLATIONS:
        with variant(only(signal)):
            measured[f"only_{signal}"] = evaluate(members, blend, catalogue)
    return measured


def mean(runs: list[dict[str, dict]], variant: str) -> dict:
    figures = {key: round(sum(run[variant][key] for run in runs) / len(runs), 3)
               for key in ("hit_rate_at_10", "recall_at_10", "coverage")}  # fmt: skip
    reasons = sum((run[variant]["reasons"] for run in runs), Counter())
    return figures | {"reasons": dict(sorted(reasons.items()))}


def main() -> None:
    runs = [world(SEED + n) for n in range(WORLDS)]
    ours, base = mean(runs, "blend"), mean(runs, "baseline")
    print(orjson.dumps({
        "benchmark": "recommendations_quality",
        "worlds": WORLDS, "members_per_world": MEMBERS, "clusters": CLUSTERS,
        "catalogue_titles": MOVIES + SHOWS, "held_out_per_member": HOLD_OUT, "plays_per_member": PLAYS,
        "blend": ours, "baseline_popularity": base,
        "ratio_hit_rate": round(ours["hit_rate_at_10"] / max(base["hit_rate_at_10"], 1e-9), 2),
        "ratio_recall": round(ours["recall_at_10"] / max(base["recall_at_10"], 1e-9), 2),
        "ratio_coverage": round(ours["coverage"] / max(base["coverage"], 1e-9), 2),
        "per_world_hit_rate": {"blend": [round(run["blend"]["hit_rate_at_10"], 3) for run in runs],
                               "baseline": [round(run["baseline"]["hit_rate_at_10"], 3) for run in runs]},
        "blend_without_reason_cap": mean(runs, "uncapped"),
        "ablation_one_signal": {signal: mean(runs, f"only_{signal}") for signal in ABLATIONS},
        "beats_baseline": ours["hit_rate_at_10"] > base["hit_rate_at_10"],
    }).decode())  # fmt: skip


if __name__ == "__main__":
    main()
