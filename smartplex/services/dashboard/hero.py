"""The hero at the top of the dashboard: the member's next things to watch, with their backdrops.

Continue watching comes first, then the top recommendations. The first pick always leads (it is the next thing
to watch); the rest prefer titles with a backdrop, since a slide without one shows generated artwork instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from smartplex.db import reading
from smartplex.models import MEDIA
from smartplex.services.plex.household import Servers, as_ids
from smartplex.services.dashboard.cards import SHOW, Card, card, item_columns, with_show

SLIDES = 5


@dataclass(frozen=True)
class Pick:
    """A candidate for the hero: an item and why it is suggested."""

    media_item_id: int
    reason: str
    progress: float = 0.0  # how far the member got (continue watching)


@dataclass(frozen=True)
class Slide:
    card: Card  # an episode under its show's title, backdrop and poster
    summary: str
    reason: str
    content_rating: str


def slides(servers: Servers, picks: list[Pick], limit: int = SLIDES, *, conn: Connection | None = None) -> list[Slide]:
    """The hero's slides for `picks` (best first), at most `limit`; picks not on the servers are skipped."""
    ids = as_ids(servers)
    unique = list({p.media_item_id: p for p in reversed(picks)}.values())[::-1]  # first pick of an item wins
    if not unique or limit <= 0:
        return []
    with reading(conn) as c:
        rows = {
            row.id: row
            for row in c.execute(
                sa.select(
                    *item_columns(),
                    MEDIA.c.summary,
                    MEDIA.c.content_rating,
                    SHOW.c.summary.label("show_summary"),
                    SHOW.c.content_rating.label("show_content_rating"),
                )
                .select_from(with_show(MEDIA))
                .where(MEDIA.c.id.in_([p.media_item_id for p in unique]), MEDIA.c.removed_at.is_(None))
            )
            if row.server_id in ids
        }
    found = [
        Slide(
            card=card(row, pick.progress),
            summary=row.summary or row.show_summary or "",
            reason=pick.reason,
            content_rating=row.content_rating or row.show_content_rating or "",
        )
        for pick in unique
        if (row := rows.get(pick.media_item_id)) is not None
    ]
    if not found:
        return []
    first, rest = found[0], found[1:]
    rest.sort(key=lambda s: s.card.art_id is None)  # stable: the order stays within each group
    return [first, *rest][:limit]
