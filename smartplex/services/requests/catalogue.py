"""What a member can request: Seerr's search and title details, marked with what SmartPlex knows (on our server,
already requested by them or by someone, available), and a show's seasons with those that cannot be picked.

Who requested something is never named to other members: only "requested".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.models import MEDIA, REQUESTS
from smartplex.services.overseerr import gateway, people, wire
from smartplex.services.overseerr.posters import poster_url
from smartplex.services.plex import household
from smartplex.services.plex.household import on_servers
from smartplex.services.requests.tracking import OPEN

MAX_QUERY = 200
ON_SERVER, AVAILABLE, PARTLY, MINE, REQUESTED = "on_server", "available", "partly_available", "requested_by_you", "requested"
BADGE_LABELS = {ON_SERVER: "On your server", AVAILABLE: "Available", PARTLY: "Partly available",
                MINE: "You requested it", REQUESTED: "Requested"}  # fmt: skip
SEERR_OPEN = (wire.REQUEST_PENDING, wire.REQUEST_APPROVED)


class SearchError(ValueError):
    """The search cannot run as typed; the message is safe to show."""


@dataclass(frozen=True)
class SeasonChoice:
    number: int
    label: str
    state: str = ""  # "" (can be picked) | on_server | available | requested
    selectable: bool = True


@dataclass(frozen=True)
class TitleCard:
    tmdb_id: int
    media_type: str  # movie | tv
    title: str
    year: int = 0
    overview: str = ""
    poster_url: str = ""
    badge: str = ""
    badge_label: str = ""
    requestable: bool = True  # a movie with no badge; a show unless every season is taken


@dataclass(frozen=True)
class TitleDetail:
    card: TitleCard
    tvdb_id: int | None = None
    seasons: list[SeasonChoice] = field(default_factory=list)


@dataclass
class _Known:
    """What SmartPlex itself knows of a set of titles."""

    movies_here: set[int] = field(default_factory=set)  # on a server the actor reaches
    shows_here: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # tmdb id -> (server, show rating key)
    mine: dict[tuple[str, int], set[int]] = field(default_factory=dict)  # open requests of the actor (tv: seasons)
    others: dict[tuple[str, int], set[int]] = field(default_factory=dict)


def acting_seerr_user(actor_id: int) -> int | None:
    """Who the actor is in Seerr (None = Seerr's admin, for reads)."""
    return people.seerr_user_for(actor_id)


def search(actor_id: int, query: str) -> list[TitleCard]:
    """Seerr's first page of movies and shows for `query` (people left out), with badges."""
    text = " ".join((query or "").split())
    if not text:
        return []
    if len(text) > MAX_QUERY:
        raise SearchError(f"Search for at most {MAX_QUERY} characters.")
    as_user = acting_seerr_user(actor_id)
    found = gateway.call(lambda c: wire.titles(c.search(text, as_user=as_user)))
    known = _known(actor_id, found)
    return [_card(t, known, actor_seerr=as_user) for t in found]


def details(actor_id: int, media_type: str, tmdb_id: int) -> TitleDetail:
    """One title from Seerr with its badge and, for a show, each season and whether it can be picked."""
    if media_type not in ("movie", "tv"):
        raise SearchError("Unknown kind of title.")
    if not 0 < int(tmdb_id) < 2**31:
        raise SearchError("Unknown title.")
    as_user = acting_seerr_user(actor_id)
    found = gateway.call(lambda c: wire.title(c.details(media_type, int(tmdb_id), as_user=as_user)))
    if found is None:
        raise SearchError("Overseerr / Seerr sent nothing usable for that title.")
    known = _known(actor_id, [found])
    card = _card(found, known, actor_seerr=as_user)
    if media_type == "movie":
        return TitleDetail(card)
    seasons = _seasons(found, known, actor_seerr=as_user)
    free = any(s.selectable for s in seasons)
    card = replace(card, requestable=free)
    return TitleDetail(card, found.tvdb_id, seasons)


def library_title(media_item_id: int) -> tuple[str, int] | None:
    """(Seerr media type, TMDB id) of a library movie or show (an episode or season: its show); None without one."""
    with get_engine().connect() as conn:
        row = conn.execute(
            sa.select(MEDIA.c.type, MEDIA.c.tmdb_id, MEDIA.c.server_id, MEDIA.c.grandparent_rating_key,
                      MEDIA.c.parent_rating_key).where(MEDIA.c.id == media_item_id)
        ).first()  # fmt: skip
        if row is None:
            return None
        if row.type in ("episode", "season"):
            show_key = row.grandparent_rating_key if row.type == "episode" else row.parent_rating_key
            tmdb = conn.execute(
                sa.select(MEDIA.c.tmdb_id).where(MEDIA.c.server_id == row.server_id, MEDIA.c.rating_key == show_key)
            ).scalar_one_or_none()
            return ("tv", tmdb) if tmdb else None
    if not row.tmdb_id:
        return None
    return ("movie" if row.type == "movie" else "tv", row.tmdb_id)


def _known(actor_id: int, titles: list[wire.Title]) -> _Known:
    known = _Known()
    if not titles:
        return known
    tmdb_ids = {t.tmdb_id for t in titles}
    reach = [choice.id for choice in household.scope_for(actor_id).reachable]
    with get_engine().connect() as conn:
        if reach:
            here = conn.execute(
                sa.select(MEDIA.c.server_id, MEDIA.c.type, MEDIA.c.tmdb_id, MEDIA.c.rating_key).where(
                    on_servers(MEDIA.c.server_id, reach), MEDIA.c.tmdb_id.in_(tmdb_ids),
                    MEDIA.c.type.in_(("movie", "show")), MEDIA.c.removed_at.is_(None),
                )
            ).all()  # fmt: skip
            known.movies_here = {tmdb for _server, kind, tmdb, _key in here if kind == "movie"}
            for server_id, kind, tmdb, key in here:
                if kind == "show":
                    known.shows_here.setdefault(tmdb, []).append((server_id, key))
        rows = conn.execute(
            sa.select(REQUESTS.c.user_id, REQUESTS.c.media_type, REQUESTS.c.tmdb_id, REQUESTS.c.seasons).where(
                REQUESTS.c.tmdb_id.in_(tmdb_ids), REQUESTS.c.status.in_([s.value for s in OPEN])
            )
        ).all()
    for user_id, media_type, tmdb_id, seasons in rows:
        bucket = known.mine if user_id == actor_id else known.others
        bucket.setdefault((media_type, tmdb_id), set()).update(seasons or [])
    return known


def _seerr_requested(title: wire.Title, actor_seerr: int | None) -> tuple[bool, bool]:
    """(requested by the actor, requested by someone else) according to Seerr's open requests of the title."""
    open_refs = [r for r in title.requests if r.status in SEERR_OPEN]
    mine = bool(actor_seerr) and any(r.requested_by == actor_seerr for r in open_refs)
    return mine, any(r.requested_by != actor_seerr or not actor_seerr for r in open_refs)


def _card(title: wire.Title, known: _Known, *, actor_seerr: int | None) -> TitleCard:
    key = (title.media_type, title.tmdb_id)
    seerr_mine, seerr_others = _seerr_requested(title, actor_seerr)
    if (title.media_type == "movie" and title.tmdb_id in known.movies_here) or (
        title.media_type == "tv" and title.tmdb_id in known.shows_here
    ):
        badge = ON_SERVER
    elif title.media_status == wire.MEDIA_AVAILABLE:
        badge = AVAILABLE
    elif title.media_status == wire.MEDIA_PARTIALLY_AVAILABLE:
        badge = PARTLY
    elif key in known.mine or seerr_mine:
        badge = MINE
    elif key in known.others or seerr_others or title.media_status in (wire.MEDIA_PENDING, wire.MEDIA_PROCESSING):
        badge = REQUESTED
    else:
        badge = ""
    requestable = badge == "" if title.media_type == "movie" else badge != AVAILABLE
    return TitleCard(
        tmdb_id=title.tmdb_id,
        media_type=title.media_type,
        title=title.title,
        year=title.year,
        overview=title.overview[:400],
        poster_url=poster_url(title.poster_path),
        badge=badge,
        badge_label=BADGE_LABELS.get(badge, ""),
        requestable=requestable,
    )


def _seasons(title: wire.Title, known: _Known, *, actor_seerr: int | None) -> list[SeasonChoice]:
    here: set[int] = set()  # the seasons on any server the actor reaches
    with get_engine().connect() as conn:
        for server_id, show_key in known.shows_here.get(title.tmdb_id, []):
            here |= set(conn.execute(
                sa.select(MEDIA.c.item_index).where(
                    MEDIA.c.server_id == server_id, MEDIA.c.parent_rating_key == show_key, MEDIA.c.type == "season",
                    MEDIA.c.removed_at.is_(None),
                )
            ).scalars())  # fmt: skip
    key = ("tv", title.tmdb_id)
    requested = known.mine.get(key, set()) | known.others.get(key, set())
    requested |= {n for r in title.requests if r.status in SEERR_OPEN for n in r.seasons}
    choices = []
    for season in title.seasons:
        if season.number in here:
            state = ON_SERVER
        elif season.status == wire.MEDIA_AVAILABLE:
            state = AVAILABLE
        elif season.number in requested or season.status in (wire.MEDIA_PENDING, wire.MEDIA_PROCESSING):
            state = REQUESTED
        else:
            state = ""
        episodes = f" · {season.episodes} episodes" if season.episodes else ""
        choices.append(SeasonChoice(season.number, f"Season {season.number}{episodes}", state, state == ""))
    return choices
