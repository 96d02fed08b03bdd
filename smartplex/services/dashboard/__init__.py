"""The member dashboard's data: continue watching, recently added, trending, history, stats and an item's detail.

`cards` shapes rows into poster cards, `sections` holds the dashboard's sections, `detail` the detail drawer,
`hero` the slides at the top, `history` the member's plays (history and stats). The shared rules (finished, a person, trending) live in
services.watching, the privacy floor in services.privacy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from smartplex.db import get_engine
from smartplex.services.dashboard.cards import UNKNOWN_TITLE, Card
from smartplex.services.dashboard.detail import Detail, Episode, Season, item_detail, your_plays_sentence
from smartplex.services.dashboard.history import HistoryPage, HistoryRow, Stats, history, stats
from smartplex.services.plex.household import Servers
from smartplex.services.dashboard.sections import Trend, continue_watching, recently_added, trending

HISTORY_PREVIEW = 10  # rows of history on the dashboard itself


@dataclass(frozen=True)
class Dashboard:
    continue_watching: list[Card]
    recently_added: list[Card]
    trending: list[Trend]
    history: HistoryPage
    stats: Stats


def member_dashboard(
    user_id: int,
    servers: Servers,
    *,
    played_on: Servers | None = None,
    now: datetime | None = None,
    tz: tzinfo = UTC,
) -> Dashboard:
    """Every section (recommendations excepted) on one connection, so also in one read snapshot: the library's
    of `servers`, the member's history and stats of `played_on` (default: the same servers; with all servers
    shown, household.history_ids adds removed ones); the stats in the member's time zone `tz`."""
    played_on = servers if played_on is None else played_on
    with get_engine().connect() as conn:
        return Dashboard(
            continue_watching=continue_watching(user_id, servers, conn=conn),
            recently_added=recently_added(servers, conn=conn),
            trending=trending(servers, now=now, conn=conn),
            history=history(user_id, played_on, page_size=HISTORY_PREVIEW, conn=conn),
            stats=stats(user_id, played_on, now, tz=tz, conn=conn),
        )


__all__ = [
    "UNKNOWN_TITLE",
    "Card",
    "Dashboard",
    "Detail",
    "Episode",
    "HistoryPage",
    "HistoryRow",
    "Season",
    "Stats",
    "Trend",
    "continue_watching",
    "history",
    "item_detail",
    "member_dashboard",
    "recently_added",
    "stats",
    "trending",
    "your_plays_sentence",
]
