"""What to watch next: one member's recommendations on one Plex server, each with the reason shown on its card.

`index` holds what a server's members share (the catalogue as titles and who played what, cached in-process),
`blend` scores and diversifies one member's candidates, `reasons` words each card's reason.

Why it is shaped like this:
- The unit is a title (a movie or a show): plays of episodes and seasons count for their show, so a member
  who watches a show gets other shows and movies, never the next episode of the same one.
- Privacy: a server-wide signal (similar people, trending, popularity) only counts a title that at least
  PRIVACY_FLOOR distinct other people support; below that the title is dropped from the signal, so no card
  reveals one person's viewing. People and trending are services.watching's.
- Missing data: year 0, rating 0, empty or broken genre JSON, NULL user/item/rating key all mean "unknown"
  (services.untidy), and unknown never takes part in a comparison with a number.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from smartplex.db import get_engine
from smartplex.models import utcnow
from smartplex.services import watching
from smartplex.services.plex import household
from smartplex.services.plex.household import Servers, as_ids, where_names
from smartplex.services.recommendations.blend import Scorer, diversify, member_view
from smartplex.services.recommendations.index import (
    LOCK,
    Seen,
    Shared,
    Title,
    clear_cache,
    refresh_soon,
    shared_figures,
    trending,
    wait_for_rebuilds,
)
from smartplex.services.recommendations.reasons import reason_for, top_rated_reason

SHORTLIST = 4  # candidates considered per slot of the list


@dataclass(frozen=True)
class Recommendation:
    media_item_id: int
    title: str
    year: int  # 0 = unknown
    type: str  # "movie" | "show"
    genres: list[str]
    thumb: str | None
    score: float
    reason: str
    reason_kind: str  # "because_watched" | "similar_people" | "trending" | "new" | "top_rated" | "similar"
    rating_key: str = ""
    added_at: datetime | None = None
    server_id: int = 0
    where: tuple[str, ...] = ()  # the servers it is recommended on, when several are shown merged


def popular(
    server_id: int, limit: int = 20, exclude_user_id: int | None = None, now: datetime | None = None
) -> list[Recommendation]:
    """The popularity-only list: most distinct viewers (counted from PRIVACY_FLOOR on), then rating.

    It is the cold-start fallback and the baseline the quality benchmark measures the blend against;
    `exclude_user_id` leaves out what that user already played.
    """
    if limit <= 0:
        return []
    now = now or utcnow()
    with LOCK:
        shared = shared_figures(server_id)
        played = shared.seen.get(exclude_user_id, {}) if exclude_user_id is not None else {}
        return _popular(server_id, shared, limit, played, trending(shared, server_id, now))


def recommend(user_id: int, servers: Servers, limit: int = 20, now: datetime | None = None) -> list[Recommendation]:
    """Up to `limit` movies and shows for this member on this server, best first, each with its reason.

    Never a title the member played (a show with any episode played, a movie started or finished) nor a
    removed one. Without any history it is `popular()`. Synchronous and CPU-bound: call it off the event loop.
    Several servers: each server's list, merged best first (`_merged`).
    """
    ids = as_ids(servers)
    if limit <= 0 or not ids:
        return []
    now = now or utcnow()
    if len(ids) > 1:
        return _merged(user_id, ids, limit, now)
    server_id = ids[0]
    moment = int((now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp())
    with LOCK:
        shared = shared_figures(server_id)
        trends = trending(shared, server_id, now)
        history = shared.seen.get(user_id)
        if not history:
            return _popular(server_id, shared, limit, {}, trends)
        member = member_view(shared, user_id, history, moment)
        shortlist = Scorer(shared, member, trends, moment).shortlist(SHORTLIST * limit, limit)
        named: set[int] = set()
        picked = diversify(shortlist, limit)
        return [_card(server_id, c.title, c.score, reason_for(c, member, shared, named), c.kind) for c in picked]


def _merged(user_id: int, server_ids: tuple[int, ...], limit: int, now: datetime) -> list[Recommendation]:
    """Each server's recommendations by score, a title on two servers once (with both names), and none the member
    played on any of them. Each server's privacy floor still holds: a server's signals count only its people."""
    lists = [recommend(user_id, server_id, limit, now) for server_id in server_ids]
    ranked = sorted((r for recs in lists for r in recs), key=lambda r: (-r.score, server_ids.index(r.server_id)))
    with get_engine().connect() as conn:
        identities = watching.title_identities(conn, [r.media_item_id for r in ranked])
        played = watching.played_identities(conn, user_id, server_ids)
    names = household.names(server_ids)
    merged: dict[str, Recommendation] = {}
    where: dict[str, set[int]] = {}
    for rec in ranked:
        identity = identities.get(rec.media_item_id, f"{rec.server_id}/{rec.rating_key}")
        if identity in played:
            continue
        merged.setdefault(identity, rec)
        where.setdefault(identity, set()).add(rec.server_id)
    return [
        replace(rec, where=where_names(where[identity], names)) if len(where[identity]) > 1 else rec
        for identity, rec in list(merged.items())[:limit]
    ]


def _popular(server_id: int, shared: Shared, limit: int, played: dict[int, Seen], trends: dict[int, int]) -> list[Recommendation]:
    ranked = heapq.nsmallest(
        limit,
        (t for t in shared.library.titles.values() if not t.removed and t.id not in played),
        key=lambda t: (-shared.popularity.get(t.id, 0), -t.rating, t.id),
    )
    top = max(shared.popularity.values(), default=0) or 1
    cards = []
    for title in ranked:
        viewers = shared.popularity.get(title.id, 0)
        score = viewers / top + title.rating / 100
        if title.id in trends:
            cards.append(_card(server_id, title, score, "Trending on your server", "trending"))
        else:
            cards.append(_card(server_id, title, score, top_rated_reason(title, viewers), "top_rated"))
    return cards


def _card(server_id: int, title: Title, score: float, reason: str, kind: str) -> Recommendation:
    return Recommendation(
        media_item_id=title.id,
        title=title.title,
        year=title.year,
        type=title.type,
        genres=list(title.genres),
        thumb=title.thumb,
        score=round(score, 4),
        reason=reason,
        reason_kind=kind,
        rating_key=title.rating_key,
        added_at=datetime.fromtimestamp(title.added, UTC) if title.added else None,
        server_id=server_id,
    )


def similar(server_id: int, media_item_id: int, limit: int = 12) -> list[Recommendation]:
    """Titles on the server like the item's (a movie or show; an episode or season stands for its show): shared
    genres, then directors and cast, then rating. Nothing about who watched what, so no privacy floor."""
    if limit <= 0:
        return []
    with LOCK:
        library = shared_figures(server_id).library
        own = library.titles.get(library.by_item.get(media_item_id, -1))
        if own is None:
            return []
        scored = []
        for other in library.titles.values():
            if other.id == own.id or other.removed:
                continue
            common = own.genre_set & other.genre_set
            genre = len(common) / len(own.genre_set | other.genre_set) if common else 0.0
            people = 0.5 * len(own.directors & other.directors) + 0.15 * min(len(own.actors & other.actors), 4)
            if genre or people:
                scored.append((genre + people + other.rating / 100, other.id, other, common))
    best = heapq.nlargest(limit, scored, key=lambda s: (s[0], -s[1]))
    return [_card(server_id, t, score, " · ".join(sorted(common)[:2]), "similar") for score, _id, t, common in best]


__all__ = ["Recommendation", "clear_cache", "popular", "recommend", "refresh_soon", "similar", "wait_for_rebuilds"]
