"""Data generation shared by the million-event benchmarks (dashboard_speed, recommendations_speed): timestamps
as the app writes them, and members' taste clusters."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from smartplex.simulators.plex import GENRES

DAY = 86_400


def stamp(epoch: float) -> str:
    """SQLAlchemy's SQLite DateTime text, as the app writes it."""
    return f"{datetime.fromtimestamp(epoch, UTC):%Y-%m-%d %H:%M:%S.%f}"


def taste_clusters(rng: random.Random, titles: list[tuple[int, tuple[str, ...]]], count: int) -> list[list[int]]:
    """`count` pools of title ids, each the titles sharing a genre with three favourite genres, shuffled (a
    member draws from the head of theirs most often)."""
    clusters = []
    for _ in range(count):
        favourite = set(rng.sample(GENRES, 3))
        pool = [title for title, genres in titles if favourite.intersection(genres)]
        rng.shuffle(pool)
        clusters.append(pool)
    return clusters
