"""Typed view models the states hand to pages: display-safe dataclasses (never a secret), so a page reading a
field that does not exist fails when the app compiles, not silently in the browser."""

from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from smartplex.models import utcnow
from smartplex.services import clock, wording
from smartplex.services.dashboard import Card, Detail, HistoryRow, Season, your_plays_sentence
from smartplex.services.dashboard.hero import Slide
from smartplex.services.plex.links import NO_LINKS, PlayLinks
from smartplex.services.plex.posters import ImageWidth, art_url, poster_url
from smartplex.services.recommendations import Recommendation

NEW_FOR = timedelta(days=7)  # a title added this recently wears a "New" badge


@dataclass(frozen=True)
class ViewContext:
    """What turning service results into views needs: where the browser fetches images, where "Play in Plex"
    goes, and the member's clock."""

    origin: str = ""
    links: dict[int, PlayLinks] = field(default_factory=dict)  # by server id
    tz: tzinfo = UTC
    now: datetime = field(default_factory=utcnow)

    def absolute(self, path: str | None) -> str:
        return f"{self.origin}{path}" if path else ""

    def play(self, server_id: int, rating_key: str | None) -> str:
        """"Play in Plex" for an item of that server; "" when unknown."""
        return self.links.get(server_id, NO_LINKS).url(rating_key)

    def art(self, item_id: int | None, width: int = ImageWidth.ART_MEDIUM) -> str:
        return self.absolute(art_url(item_id, width)) if item_id else ""


@dataclass(frozen=True)
class CardView:
    """A poster card: a title with its artwork, how far the member got, and why it is shown."""

    media_item_id: int = 0
    title: str = ""
    subtitle: str = ""
    year: int = 0  # 0 = unknown
    type: str = ""
    genres: list[str] = field(default_factory=list)
    thumb_url: str = ""  # absolute URL of our image route; "" = no poster (the placeholder shows)
    tint: str = ""  # the placeholder's background, derived from the title
    progress: float = 0.0
    reason: str = ""
    episode: str = ""  # "S2 · E5"
    is_new: bool = False
    play_url: str = ""  # "Play in Plex"; "" when unknown
    where: str = ""  # "On Living Room · Cabin": the servers it is on, when several are shown and it is on more than one
    watched_at: str = ""  # ISO 8601, for history rows
    watched_label: str = ""  # "Yesterday, 21:14" in the member's time zone
    watched_ago: str = ""  # "3 hours ago"
    finished: bool = False


@dataclass(frozen=True)
class HeroView:
    """One slide of the dashboard's hero."""

    media_item_id: int = 0
    title: str = ""
    subtitle: str = ""  # an episode's "S2 · E5 · Title"
    facts: list[str] = field(default_factory=list)  # year, runtime, content rating
    genres: list[str] = field(default_factory=list)
    reason: str = ""
    summary: str = ""
    art_url: str = ""  # the backdrop at desktop width; "" = none (the tint shows)
    art_small_url: str = ""  # the same for phones
    thumb_url: str = ""
    tint: str = ""
    play_url: str = ""
    progress: float = 0.0


@dataclass(frozen=True)
class EpisodeView:
    media_item_id: int = 0
    label: str = ""  # "E5"
    title: str = ""
    runtime: str = ""
    watched: bool = False
    progress: float = 0.0
    play_url: str = ""


@dataclass(frozen=True)
class SeasonView:
    key: str = ""  # the accordion's value
    title: str = ""
    watched_label: str = ""  # "3 of 10 watched"
    episodes: list[EpisodeView] = field(default_factory=list)


@dataclass(frozen=True)
class DetailView:
    media_item_id: int = 0
    title: str = ""
    subtitle: str = ""
    year: int = 0
    type: str = ""
    genres: list[str] = field(default_factory=list)
    summary: str = ""
    rating: float = 0.0  # 0 = unknown
    runtime: str = ""
    content_rating: str = ""
    thumb_url: str = ""
    art_url: str = ""
    tint: str = ""
    play_url: str = ""
    directors: list[str] = field(default_factory=list)
    cast: list[str] = field(default_factory=list)
    your_plays: int = 0
    where: str = ""  # "On Living Room · Cabin"
    plays_sentence: str = ""  # "You watched it twice, last in March."
    progress: float = 0.0
    liked_by_count: int = 0  # 0 = below the privacy floor
    seasons: list[SeasonView] = field(default_factory=list)
    open_season: str = ""  # the season the drawer opens on: the one with the next episode to watch
    similar: list[CardView] = field(default_factory=list)


@dataclass(frozen=True)
class ChartPoint:
    """One bar of a chart: `label` on the axis, `plays` its height."""

    label: str
    plays: int


def tint(title: str) -> str:
    """Generated artwork's background: a gradient whose hue is derived from the title, so a title keeps its
    colour everywhere and neighbours differ."""
    hue = zlib.crc32(title.encode()) % 360
    return f"linear-gradient(150deg, hsl({hue} 45% 38%), hsl({(hue + 40) % 360} 55% 16%))"


def _is_new(added_at: datetime | None, ctx: ViewContext) -> bool:
    return added_at is not None and ctx.now - added_at < NEW_FOR


def on_servers(names: tuple[str, ...]) -> str:
    return f"On {' · '.join(names)}" if names else ""


def card_view(card: Card, ctx: ViewContext, reason: str = "") -> CardView:
    return CardView(
        media_item_id=card.media_item_id,
        title=card.title,
        subtitle=card.subtitle,
        year=card.year or 0,
        type=card.type,
        genres=list(card.genres),
        thumb_url=ctx.absolute(card.thumb_url),
        tint=tint(card.title),
        progress=card.progress,
        reason=reason,
        episode=card.episode,
        is_new=_is_new(card.added_at, ctx),
        play_url=ctx.play(card.server_id, card.rating_key),
        where=on_servers(card.where),
    )


def history_view(row: HistoryRow, ctx: ViewContext) -> CardView:
    watched = datetime.fromisoformat(row.watched_at)
    return dataclasses.replace(
        card_view(row.card, ctx),
        watched_at=row.watched_at,
        watched_label=clock.readable(watched, ctx.tz, ctx.now),
        watched_ago=clock.ago(watched, ctx.tz, ctx.now),
        finished=row.finished,
        is_new=False,
    )


def recommendation_view(rec: Recommendation, ctx: ViewContext) -> CardView:
    return CardView(
        media_item_id=rec.media_item_id,
        title=rec.title,
        year=rec.year,
        type=rec.type,
        genres=list(rec.genres),
        thumb_url=ctx.absolute(poster_url(rec.media_item_id) if rec.thumb else None),
        tint=tint(rec.title),
        reason=rec.reason,
        is_new=_is_new(rec.added_at, ctx),
        play_url=ctx.play(rec.server_id, rec.rating_key),
        where=on_servers(rec.where),
    )


def hero_view(slide: Slide, ctx: ViewContext) -> HeroView:
    card = slide.card
    facts = [str(card.year) if card.year else "", wording.runtime(card.duration_min), slide.content_rating]
    return HeroView(
        media_item_id=card.media_item_id,
        title=card.title,
        subtitle=card.subtitle,
        facts=[fact for fact in facts if fact],
        genres=list(card.genres[:3]),
        reason=slide.reason,
        summary=slide.summary,
        art_url=ctx.art(card.art_id),
        art_small_url=ctx.art(card.art_id, ImageWidth.ART_SMALL),
        thumb_url=ctx.absolute(card.thumb_url),
        tint=tint(card.title),
        play_url=ctx.play(card.server_id, card.rating_key),
        progress=card.progress,
    )


def detail_view(detail: Detail, ctx: ViewContext, similar: list[CardView]) -> DetailView:
    seasons = [_season_view(season, ctx, detail.server_id) for season in detail.seasons]
    return DetailView(
        media_item_id=detail.media_item_id,
        title=detail.title,
        subtitle=detail.subtitle,
        year=detail.year or 0,
        type=detail.type,
        genres=list(detail.genres),
        summary=detail.summary,
        rating=detail.audience_rating or detail.rating or 0.0,
        runtime=wording.runtime(detail.duration_min),
        content_rating=detail.content_rating,
        thumb_url=ctx.absolute(detail.thumb_url),
        art_url=ctx.art(detail.art_id),
        tint=tint(detail.title),
        play_url=ctx.play(detail.server_id, detail.rating_key),
        directors=list(detail.directors),
        cast=list(detail.cast),
        your_plays=detail.your_plays,
        plays_sentence=your_plays_sentence(detail, ctx.tz, ctx.now),
        where=on_servers(detail.where),
        progress=detail.progress,
        liked_by_count=detail.liked_by_count or 0,
        seasons=seasons,
        open_season=_open_season(detail.seasons),
        similar=similar,
    )


def _season_view(season: Season, ctx: ViewContext, server_id: int) -> SeasonView:
    episodes = [
        EpisodeView(
            media_item_id=e.media_item_id,
            label=e.label,
            title=e.title,
            runtime=wording.runtime(e.duration_min),
            watched=e.watched,
            progress=e.progress,
            play_url=ctx.play(server_id, e.rating_key),
        )
        for e in season.episodes
    ]
    return SeasonView(
        key=f"season-{season.number}",
        title=season.title,
        watched_label=f"{season.watched} of {len(season.episodes)} watched",
        episodes=episodes,
    )


def _open_season(seasons: list[Season]) -> str:
    """The first season with an episode the member has not finished (else the first)."""
    for season in seasons:
        if any(not e.watched for e in season.episodes):
            return f"season-{season.number}"
    return f"season-{seasons[0].number}" if seasons else ""


@dataclass(frozen=True)
class MemberRow:
    id: int
    name: str
    email: str
    role: str
    login_count: int
    created_at: str
    is_me: bool
    plex_account_id: int = 0  # 0: not linked to a Plex account
    plex_username: str = ""
    has_password: bool = True  # False: signs in with Plex (or sets a password through an invite)
    owns_server: bool = False  # connected a Plex server: its own owner account's plays are theirs


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    status: str
    error: str
