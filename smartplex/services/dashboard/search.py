"""Finding a title on the server by name, accents and case folded ("amelie" finds "Amélie", "okami" "Ōkami").

Movies and shows only (an episode is found through its show). Titles that start with the query come first.
Against media_item.search_key (services.text), a scan of the server's keys (benchmarks/history_search.py times it).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from smartplex.db import reading
from smartplex.models import MEDIA
from smartplex.services.dashboard.cards import Card, card, item_columns, merge_titles, with_show
from smartplex.services.plex.household import Servers, as_ids, names, on_servers
from smartplex.services.text import fold, like_pattern

MAX_RESULTS = 60
MAX_QUERY = 200


def search_titles(servers: Servers, query: str, limit: int = 40, *, conn: Connection | None = None) -> list[Card]:
    """The servers' movies and shows whose title contains `query` (folded), best first, a title on several servers
    once with their names; [] for an empty query."""
    needle = fold(query[:MAX_QUERY])
    if not needle:
        return []
    starts = like_pattern(needle)[1:]  # the same pattern without its leading "%": the key starts with it
    stmt = (
        sa.select(*item_columns())
        .select_from(with_show(MEDIA))
        .where(
            on_servers(MEDIA.c.server_id, servers),
            MEDIA.c.type.in_(("movie", "show")),
            MEDIA.c.removed_at.is_(None),
            MEDIA.c.search_key.like(like_pattern(needle), escape="\\"),
        )
        .order_by(
            sa.case((MEDIA.c.search_key.like(starts, escape="\\"), 0), else_=1),
            MEDIA.c.search_key,
            MEDIA.c.id,
        )
        .limit(min(max(limit, 1), MAX_RESULTS))
    )
    with reading(conn) as c:
        found = [card(row) for row in c.execute(stmt)]
    ids = as_ids(servers)
    return merge_titles(found, names(ids)) if len(ids) > 1 else found
