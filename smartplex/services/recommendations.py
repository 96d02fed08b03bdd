"""What to watch next: one member's recommendations on one Plex server, each with the reason shown on its card.

The blend scores every movie and show the member has not played by:
- content: how well its genres, directors/actors, year and type fit a profile of what the member played
  (weighted by completion, their own rating and recency) -> "Because you watched X";
- similar people: what the member's nearest neighbours on the same server played (cosine over the sets of
  titles each person played) -> "Popular with people who like Y";
- trending: distinct people who played it in the last 7 days; new: added in the last 14 days;
- a small prior from server-wide popularity and the item's rating.
Then it diversifies: no reason fills more than KIND_SHARE of the list while others are available, and
genres already picked damp a candidate.

Why it is shaped like this:
- The unit is a title (a movie or a show): plays of episodes and seasons count for their show, so a member
  who watches a show gets other shows and movies, never the next episode of the same one.
- Privacy: a server-wide signal (similar people, trending, popularity) only counts a title that at least
  PRIVACY_FLOOR distinct other people support; below that the title is dropped from the signal, so no card
  reveals one person's viewing.
- Speed: what every member of a server shares (the catalogue folded to titles, who played what) is built
  once per (database, server) and kept in-process; new watch events are folded in by id, and a library or
  user-link change rebuilds. A request then costs only the member's own scoring.
- Missing data: year 0, rating 0, empty or broken genre JSON, NULL user/item/rating key all mean "unknown";
  `_number` and `_names` turn whatever a row holds into 0 or (), and unknown never takes part in a
  comparison with a number (the old design died on `None >= int`).
"""

from __future__ import annotations

import heapq
import math
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult

from smartplex.db import get_engine
from smartplex.models import MediaItem, Server, SyncRun, User, WatchEvent, utcnow
from smartplex.services.plex.accounts import OWNER_ACCOUNT_ID
from smartplex.services.privacy import PRIVACY_FLOOR

FINISHED_EVENTS = ("scrobble", "viewed")
FINISHED_PROGRESS = 0.9
TRENDING_WINDOW = timedelta(days=7)
RECENT_HORIZON = 30 * 86_400  # seconds before the newest play that the trending index keeps
NEW_WINDOW = timedelta(days=14)
NEIGHBOURS = 30
HALF_LIFE_DAYS = 120.0  # a play this old counts half in the member's taste profile
# Blend weights, chosen on benchmarks/recommendations_quality.py (similar people is the strongest signal there;
# content carries members and titles with little overlap; the rest are priors).
WEIGHTS = {"content": 0.30, "similar": 0.45, "trending": 0.10, "popular": 0.05, "new": 0.05, "rating": 0.05}
SIGNALS = tuple(WEIGHTS)
FIT_GENRES, FIT_PEOPLE, FIT_YEAR, FIT_TYPE = 0.65, 0.15, 0.10, 0.10  # parts of the content fit
YEAR_SPREAD_MIN = 8.0  # years: the narrowest year preference we assume
KIND_SHARE = 0.6  # at most this share of a list comes from one reason while others are available
GENRE_PENALTY = 0.25  # a candidate whose genre is in every earlier pick loses this share of its score
SHORTLIST = 4  # candidates considered per slot of the list
EXPLAIN_FROM = 100  # explanations name one of the member's most telling titles
FETCH_ROWS = 20_000  # events per fetch while building (PostgreSQL streams them through a server-side cursor)

MEDIA: sa.Table = MediaItem.__table__  # type: ignore[attr-defined]
WATCH: sa.Table = WatchEvent.__table__  # type: ignore[attr-defined]
USERS: sa.Table = User.__table__  # type: ignore[attr-defined]
SERVERS: sa.Table = Server.__table__  # type: ignore[attr-defined]
RUNS: sa.Table = SyncRun.__table__  # type: ignore[attr-defined]

Person = int
"""A SmartPlex user id; a Plex account no user is linked to counts as the person -account_id."""


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
    reason_kind: str  # "because_watched" | "similar_people" | "trending" | "new" | "top_rated"


# --------------------------------------------------------------------------- reading untidy values


def _number(value: Any) -> float:
    """A finite number, or 0.0 (= unknown) for NULL, text, NaN and the like."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _names(value: Any) -> tuple[str, ...]:
    """Tag names from a JSON column however it arrives: text or decoded, strings or {"tag": ...}; else ()."""
    if isinstance(value, (str, bytes)):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return ()
    if not isinstance(value, list):
        return ()
    names = (entry.get("tag") if isinstance(entry, dict) else entry for entry in value)
    return tuple(dict.fromkeys(name.strip() for name in names if isinstance(name, str) and name.strip()))


def _epoch_sql(column: Any, dialect: str) -> Any:
    """Seconds since 1970 computed by the database (NULL when unparseable), so a million timestamps are not
    parsed in Python."""
    if dialect == "sqlite":
        return sa.cast(sa.func.strftime("%s", column), sa.Integer)
    return sa.cast(sa.extract("epoch", column), sa.BigInteger)


def _epoch(moment: datetime) -> int:
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


# --------------------------------------------------------------------------- what a server's members share


@dataclass(frozen=True, slots=True)
class _Title:
    id: int
    title: str
    type: str
    year: int  # 0 = unknown
    genres: tuple[str, ...]
    genre_set: frozenset[str]
    directors: frozenset[str]
    actors: frozenset[str]
    thumb: str | None
    rating: float  # audience rating, else critic rating; 0 = unknown
    added: int  # epoch seconds; 0 = unknown
    removed: bool


@dataclass
class _Library:
    titles: dict[int, _Title] = field(default_factory=dict)
    by_item: dict[int, int] = field(default_factory=dict)  # any media_item id -> its title's id
    by_key: dict[str, int] = field(default_factory=dict)  # any rating key -> its title's id


@dataclass(slots=True)
class _Seen:
    """One person's plays of one title."""

    last: int  # epoch of the latest event
    progress: float  # the furthest any play got; 1.0 once a scrobble/viewed event says finished
    rating: float  # the person's own rating, 0-10; 0 = none
    plays: int = 1

    @property
    def finished(self) -> bool:
        return self.progress >= FINISHED_PROGRESS


@dataclass
class _Shared:
    """Everything derived from a server's library and watch events that every member's request reuses."""

    marker: tuple[Any, ...]  # the library and user-link state it was built from; a change rebuilds
    library: _Library
    accounts: dict[int, Person]  # Plex account id -> person
    last_event_id: int = 0
    seen: dict[Person, dict[int, _Seen]] = field(default_factory=dict)  # person -> title id -> plays
    viewers: dict[int, dict[Person, _Seen]] = field(default_factory=dict)  # the same records by title
    popularity: dict[int, int] = field(default_factory=dict)  # title id -> distinct people, only >= PRIVACY_FLOOR
    # The records whose latest play is at or after recent_since, by title: trending for any recent "now" reads
    # these instead of every record (a full scan of a million events' records costs ~40 ms).
    recent: dict[int, dict[Person, _Seen]] = field(default_factory=dict)
    recent_since: float = math.inf
    trending: dict[int, dict[int, int]] = field(default_factory=dict)  # epoch "now" -> title id -> people


_CACHE: dict[tuple[str, int], _Shared] = {}
_LOCK = threading.Lock()  # one build at a time, and no request reads while events fold in


def clear_cache() -> None:
    """Forget every server's shared figures (the next request rebuilds them)."""
    with _LOCK:
        _CACHE.clear()


def _marker(conn: Connection, server_id: int) -> tuple[Any, ...]:
    """Cheap evidence of a library or user-link change: the item count and max id (an index scan), the
    latest sync run that changed or removed items, the server's owner and the users' Plex account links."""
    items = conn.execute(
        sa.select(sa.func.count(), sa.func.max(MEDIA.c.id)).where(MEDIA.c.server_id == server_id)
    ).one()
    changed_run = conn.execute(
        sa.select(sa.func.max(RUNS.c.id)).where(
            RUNS.c.server_id == server_id, (RUNS.c.items_changed > 0) | (RUNS.c.items_removed > 0)
        )
    ).scalar()
    owner = conn.execute(sa.select(SERVERS.c.owner_id).where(SERVERS.c.id == server_id)).scalar()
    links = conn.execute(
        sa.select(USERS.c.id, USERS.c.plex_account_id).where(USERS.c.plex_account_id.is_not(None)).order_by(USERS.c.id)
    ).all()
    return tuple(items), changed_run, owner, tuple(map(tuple, links))


def _accounts(marker: tuple[Any, ...]) -> dict[int, Person]:
    """Plex account -> person: linked users, and the local owner account (1) as the server's owner."""
    _items, _run, owner, links = marker
    accounts = {account: user for user, account in links}
    if owner is not None:
        accounts.setdefault(OWNER_ACCOUNT_ID, owner)
    return accounts


def _load_library(conn: Connection, server_id: int) -> _Library:
    library = _Library()
    text = sa.types.Text()  # JSON columns read as stored; `_names` copes with anything
    titles = conn.execute(
        sa.select(
            MEDIA.c.id, MEDIA.c.rating_key, MEDIA.c.type, MEDIA.c.title, MEDIA.c.year,
            sa.type_coerce(MEDIA.c.genres, text), sa.type_coerce(MEDIA.c.directors, text),
            sa.type_coerce(MEDIA.c.actors, text), MEDIA.c.thumb, MEDIA.c.rating, MEDIA.c.audience_rating,
            _epoch_sql(MEDIA.c.added_at, conn.dialect.name), MEDIA.c.removed_at.is_not(None),
        ).where(MEDIA.c.server_id == server_id, MEDIA.c.type.in_(("movie", "show"))).order_by(MEDIA.c.id)
    )  # fmt: skip
    for item_id, key, kind, title, year, genres, directors, actors, thumb, rating, audience, added, gone in titles:
        year, names = int(_number(year)), _names(genres)
        library.titles[item_id] = _Title(
            id=item_id,
            title=title or "",
            type=kind,
            year=year if year > 0 else 0,
            genres=names,
            genre_set=frozenset(names),
            directors=frozenset(_names(directors)),
            actors=frozenset(_names(actors)),
            thumb=thumb or None,
            rating=max(_number(audience), 0.0) or max(_number(rating), 0.0),
            added=max(int(_number(added)), 0),
            removed=bool(gone),
        )
        library.by_item[item_id] = item_id
        library.by_key[key] = item_id
    children = conn.execute(
        sa.select(MEDIA.c.id, MEDIA.c.rating_key, MEDIA.c.parent_rating_key, MEDIA.c.grandparent_rating_key)
        .where(MEDIA.c.server_id == server_id, MEDIA.c.type.in_(("season", "episode")))
        .order_by(MEDIA.c.type, MEDIA.c.id)  # seasons first: an episode may find its show through its season
    )
    for item_id, key, parent, grandparent in children:
        show = library.by_key.get(grandparent or "") or library.by_key.get(parent or "")
        if show is not None:
            library.by_item[item_id] = show
            library.by_key[key] = show
    return library


def _event_rows(conn: Connection, server_id: int, after: int, upto: int) -> CursorResult[Any]:
    """The server's events with after < id <= upto, reduced in SQL to what the fold needs (a million rows
    cost more to become Python objects than to read): person (user id, else minus the Plex account id), item
    id, rating key only when the item id is NULL, epoch, progress (1.0 when the event says finished), rating."""
    w = WATCH.c
    return conn.execution_options(yield_per=FETCH_ROWS).execute(
        sa.select(
            sa.case((w.user_id.is_not(None), w.user_id), else_=-w.plex_account_id),
            w.media_item_id,
            sa.case((w.media_item_id.is_(None), w.rating_key)),
            _epoch_sql(w.viewed_at, conn.dialect.name),
            sa.case((w.event.in_(FINISHED_EVENTS), 1.0), else_=sa.func.coalesce(sa.cast(w.progress, sa.Float), 0.0)),
            sa.case((w.user_rating > 0, sa.cast(w.user_rating, sa.Float))),
        )
        # `+ 0` keeps SQLite on the id range instead of the (server_id, viewed_at) index and a sort.
        .where(w.id > after, w.id <= upto, w.server_id + 0 == server_id)
        .order_by(w.id)
    )


def _fold_events(conn: Connection, shared: _Shared, server_id: int, upto: int) -> None:
    """Add the server's watch events up to id `upto` that are newer than the ones already folded."""
    by_item, by_key = shared.library.by_item, shared.library.by_key
    accounts, seen, viewers = shared.accounts, shared.seen, shared.viewers
    since, recent = shared.recent_since, shared.recent
    for person, item, key, when, progress, rating in _event_rows(conn, server_id, shared.last_event_id, upto):
        if not person:
            continue  # neither a user nor a Plex account
        if person < 0:
            person = accounts.get(-person, person)
        title = by_item.get(item) if key is None else by_key.get(key)
        if title is None:
            continue  # an item this server's library does not know (yet)
        mine = seen.get(person)
        if mine is None:
            mine = seen[person] = {}
        record = mine.get(title)
        if record is None:
            record = mine[title] = _Seen(when or 0, progress, rating or 0.0)
            viewers.setdefault(title, {})[person] = record
        else:
            record.plays += 1
            if when and when > record.last:
                record.last = when
            if progress > record.progress:
                record.progress = progress
            if rating:
                record.rating = rating
        if record.last >= since:
            recent.setdefault(title, {})[person] = record
    if shared.last_event_id == 0:
        _index_recent(shared)
    shared.last_event_id = upto
    shared.popularity = {title: len(people) for title, people in viewers.items() if len(people) >= PRIVACY_FLOOR}
    shared.trending = {}


def _index_recent(shared: _Shared) -> None:
    """After a full build: index the records played within RECENT_HORIZON of the newest play."""
    newest = max((record.last for people in shared.viewers.values() for record in people.values()), default=0)
    shared.recent_since = newest - RECENT_HORIZON
    for title, people in shared.viewers.items():
        recent = {person: record for person, record in people.items() if record.last >= shared.recent_since}
        if recent:
            shared.recent[title] = recent


def _shared(server_id: int) -> _Shared:
    """The server's shared figures: rebuilt when its library or user links changed, else topped up with new
    events. The caller holds _LOCK."""
    engine = get_engine()
    with engine.connect() as conn:
        marker = _marker(conn, server_id)
        newest = conn.execute(sa.select(sa.func.max(WATCH.c.id))).scalar() or 0
        key = (str(engine.url), server_id)
        shared = _CACHE.get(key)
        if shared is None or shared.marker != marker or newest < shared.last_event_id:
            shared = _CACHE[key] = _Shared(marker, _load_library(conn, server_id), _accounts(marker))
        if newest > shared.last_event_id:
            _fold_events(conn, shared, server_id, newest)
    return shared


def _trending(shared: _Shared, now: int) -> dict[int, int]:
    """Title -> distinct people whose latest play of it falls in the week before `now` (only >= PRIVACY_FLOOR)."""
    found = shared.trending.get(now)
    if found is None:
        since = now - int(TRENDING_WINDOW.total_seconds())
        found = {}
        for title, people in (shared.recent if since >= shared.recent_since else shared.viewers).items():
            if len(people) >= PRIVACY_FLOOR:
                recent = sum(1 for seen in people.values() if since < seen.last <= now)
                if recent >= PRIVACY_FLOOR:
                    found[title] = recent
        shared.trending = {now: found}  # one moment kept: requests in the same second share it
    return found


# --------------------------------------------------------------------------- one member's taste


def _play_weight(seen: _Seen, now: int) -> float:
    """What one title says about the member: finished counts fully, abandoned early a quarter; their rating
    of 10 doubles it and 2 cuts it to a fifth; repeat plays add a little; it halves every HALF_LIFE_DAYS."""
    completion = 1.0 if seen.finished else 0.25 + 0.5 * min(seen.progress, 1.0)
    liking = min(max(seen.rating / 5.0, 0.2), 2.0) if seen.rating > 0 else 1.0
    age_days = max(now - seen.last, 0) / 86_400
    return completion * liking * (1 + 0.3 * math.log(seen.plays)) * 0.5 ** (age_days / HALF_LIFE_DAYS)


@dataclass
class _Profile:
    """The member's taste, from their own plays only, and how well a title fits it."""

    weights: dict[int, float]  # played title id -> how much it says about the member
    genres: dict[str, float]  # genre -> weight, a unit vector
    directors: dict[str, float]  # name -> share of the member's weight
    actors: dict[str, float]
    types: dict[str, float]  # type -> share of the member's weight
    year_mean: float  # 0 when no played title has a year
    year_spread: float
    genre_fit: dict[tuple[str, ...], float] = field(default_factory=dict)  # memo per genre combination
    year_fit: dict[int, float] = field(default_factory=dict)  # memo per year

    def fit(self, title: _Title) -> tuple[float, bool]:
        """(fit in 0..1, whether it shares a genre or person with a played title, which an explanation needs)."""
        genres = self.genre_fit.get(title.genres)
        if genres is None:
            fit = sum(self.genres.get(genre, 0.0) for genre in title.genres)
            genres = self.genre_fit[title.genres] = fit / math.sqrt(len(title.genres)) if title.genres else 0.0
        people = 0.0
        for name in title.directors:
            people += 2 * self.directors.get(name, 0.0)
        for name in title.actors:
            people += self.actors.get(name, 0.0)
        year = self.year_fit.get(title.year)
        if year is None:
            year = self.year_fit[title.year] = self._year(title.year)
        fit = FIT_GENRES * genres + FIT_PEOPLE * min(people, 1.0) + FIT_YEAR * year
        return fit + FIT_TYPE * self.types.get(title.type, 0.0), genres > 0 or people > 0

    def _year(self, year: int) -> float:
        if not (year and self.year_mean):
            return 0.5  # unknown on either side: neither a bonus nor a penalty
        return math.exp(-0.5 * ((year - self.year_mean) / self.year_spread) ** 2)


def _profile(history: dict[int, _Seen], titles: dict[int, _Title], now: int) -> _Profile:
    weights: dict[int, float] = {}
    genres: Counter[str] = Counter()
    directors: Counter[str] = Counter()
    actors: Counter[str] = Counter()
    types: Counter[str] = Counter()
    year_weight = year_sum = year_squares = 0.0
    for title_id, seen in history.items():
        title = titles.get(title_id)
        if title is None:
            continue
        weight = weights[title_id] = _play_weight(seen, now)
        for genre in title.genres:
            genres[genre] += weight / math.sqrt(len(title.genres))
        for name in title.directors:
            directors[name] += weight
        for name in title.actors:
            actors[name] += weight
        types[title.type] += weight
        if title.year:
            year_weight += weight
            year_sum += weight * title.year
            year_squares += weight * title.year * title.year
    total = sum(weights.values()) or 1.0
    norm = math.sqrt(sum(v * v for v in genres.values())) or 1.0
    mean = year_sum / year_weight if year_weight else 0.0
    spread = math.sqrt(max(year_squares / year_weight - mean * mean, 0.0)) if year_weight else 0.0
    return _Profile(
        weights=weights,
        genres={genre: value / norm for genre, value in genres.items()},
        directors={name: value / total for name, value in directors.items()},
        actors={name: value / total for name, value in actors.items()},
        types={kind: value / total for kind, value in types.items()},
        year_mean=mean,
        year_spread=max(spread, YEAR_SPREAD_MIN),
    )


# --------------------------------------------------------------------------- similar people


def _neighbours(shared: _Shared, person: Person, mine: set[int]) -> list[tuple[float, Person]]:
    """The NEIGHBOURS other people on this server whose played titles overlap the member's most (cosine)."""
    scored = []
    for other, theirs in shared.seen.items():
        if other != person and theirs:
            overlap = len(mine.intersection(theirs))
            if overlap:
                scored.append((overlap / math.sqrt(len(mine) * len(theirs)), -other))
    return [(similarity, -negated) for similarity, negated in heapq.nlargest(NEIGHBOURS, scored)]


def _similar(shared: _Shared, neighbours: list[tuple[float, Person]], mine: set[int]) -> dict[int, float]:
    """Title -> summed similarity of the neighbours who played it, for the titles the member never played
    that at least PRIVACY_FLOOR neighbours played; titles with fewer are dropped."""
    scores: dict[int, float] = {}
    support: Counter[int] = Counter()
    for similarity, other in neighbours:
        theirs = shared.seen[other].keys() - mine
        support.update(theirs)
        for title in theirs:
            scores[title] = scores.get(title, 0.0) + similarity
    return {title: score for title, score in scores.items() if support[title] >= PRIVACY_FLOOR}


# --------------------------------------------------------------------------- blending


@dataclass
class _Member:
    """One request's view of the member."""

    person: Person
    history: dict[int, _Seen]
    profile: _Profile
    neighbours: list[tuple[float, Person]]
    similar: dict[int, float]  # title -> neighbour score, only titles with enough supporters
    telling: list[int]  # played title ids, the ones that say most about the member first

    def supporters(self, shared: _Shared, title_id: int) -> list[Person]:
        return [person for _, person in self.neighbours if title_id in shared.seen[person]]


@dataclass
class _Candidate:
    title: _Title
    signals: dict[str, float]  # weighted contribution per signal
    explainable: bool  # shares a genre or person with a played title
    kind: str = ""

    @property
    def score(self) -> float:
        return sum(self.signals.values())


def _member(shared: _Shared, person: Person, history: dict[int, _Seen], now: int) -> _Member:
    mine = set(history)
    neighbours = _neighbours(shared, person, mine)
    profile = _profile(history, shared.library.titles, now)
    telling = sorted(profile.weights, key=lambda t: (-profile.weights[t], t))
    return _Member(person, history, profile, neighbours, _similar(shared, neighbours, mine), telling)


def _scaled(values: dict[int, float] | dict[int, int]) -> dict[int, float]:
    """Divide by the largest value so every signal spans 0..1 whatever its raw unit."""
    top = max(values.values(), default=0)
    return {key: value / top for key, value in values.items()} if top > 0 else {}


def _freshness(title: _Title, now: int) -> float:
    """1 when added just now, falling to 0 at the end of NEW_WINDOW; 0 when unknown or not added yet."""
    age = now - title.added
    window = NEW_WINDOW.total_seconds()
    return 1.0 - age / window if title.added and 0 <= age <= window else 0.0


class _Scorer:
    """The blended score of every title the member could be shown: each signal scaled to 0..1, then weighted."""

    def __init__(self, shared: _Shared, member: _Member, now: int) -> None:
        self.titles = shared.library.titles
        self.member = member
        self.similar = _scaled(member.similar)
        self.trending = _scaled(_trending(shared, now))
        self.popular = _scaled({title: math.log1p(count) for title, count in shared.popularity.items()})
        self.new = {t.id: f for t in self.titles.values() if (f := _freshness(t, now)) > 0}
        fits = {}
        for title in self.titles.values():
            if not title.removed and title.id not in member.history:
                fits[title.id] = member.profile.fit(title)[0]
        self.fits = fits
        self.top_fit = max(fits.values(), default=0.0) or 1.0

    def parts(self, title_id: int) -> tuple[float, ...]:
        """Each signal's weighted contribution, in the order of SIGNALS."""
        rating = self.titles[title_id].rating
        return (
            WEIGHTS["content"] * self.fits[title_id] / self.top_fit,
            WEIGHTS["similar"] * self.similar.get(title_id, 0.0),
            WEIGHTS["trending"] * self.trending.get(title_id, 0.0),
            WEIGHTS["popular"] * self.popular.get(title_id, 0.0),
            WEIGHTS["new"] * self.new.get(title_id, 0.0),
            WEIGHTS["rating"] * (rating / 10 if rating else 0.5),
        )

    def shortlist(self, size: int, per_signal: int) -> list[_Candidate]:
        """The best `size` by blended score, plus the best `per_signal` of each sparse signal (similar people,
        trending, new), so that diversifying has other reasons to pick from."""
        scores = {title_id: sum(self.parts(title_id)) for title_id in self.fits}
        chosen = set(heapq.nsmallest(size, scores, key=lambda t: (-scores[t], t)))
        for name, signal in (("similar", self.similar), ("trending", self.trending), ("new", self.new)):
            if WEIGHTS[name] > 0:
                best = heapq.nlargest(per_signal, (t for t in signal if t in scores), key=lambda t: (signal[t], -t))
                chosen.update(best)
        return sorted((self.candidate(t) for t in chosen), key=lambda c: (-c.score, c.title.id))

    def candidate(self, title_id: int) -> _Candidate:
        title = self.titles[title_id]
        signals = dict(zip(SIGNALS, self.parts(title_id), strict=True))
        found = _Candidate(title, signals, explainable=self.member.profile.fit(title)[1])
        found.kind = _kind(found)
        return found


def _kind(candidate: _Candidate) -> str:
    """The signal that did the most for this candidate, among those it may be explained by."""
    signals = candidate.signals
    options = {"top_rated": signals["rating"] + signals["popular"]}
    if candidate.explainable:
        options["because_watched"] = signals["content"]
    if signals["similar"] > 0:
        options["similar_people"] = signals["similar"]
    if signals["trending"] > 0:
        options["trending"] = signals["trending"]
    if signals["new"] > 0:
        options["new"] = signals["new"]
    return max(options, key=lambda kind: (options[kind], kind))


def _diversify(candidates: list[_Candidate], limit: int) -> list[_Candidate]:
    """Greedy picks by score, damped by how many earlier picks share the candidate's genre. While candidates
    with another reason remain, no reason takes more than KIND_SHARE of any leading part of the list, so the
    first cards a row shows are mixed too."""
    picked: list[_Candidate] = []
    per_kind: Counter[str] = Counter()
    per_genre: Counter[str] = Counter()
    pool = list(candidates)

    def damped(c: _Candidate) -> tuple[float, int]:
        share = max((per_genre[g] for g in c.title.genres), default=0) / (len(picked) + 2)
        return c.score * (1 - GENRE_PENALTY * share), -c.title.id

    while pool and len(picked) < limit:
        cap = math.ceil((len(picked) + 1) * KIND_SHARE)
        open_kinds = {c.kind for c in pool if per_kind[c.kind] < cap}
        best = max((c for c in pool if c.kind in open_kinds) if open_kinds else pool, key=damped)
        pool.remove(best)
        picked.append(best)
        per_kind[best.kind] += 1
        per_genre.update(best.title.genres)
    return picked


# --------------------------------------------------------------------------- reasons


def _likeness(a: _Title, b: _Title) -> float:
    """How alike two titles are for an explanation: shared genres mostly, then people, year and type."""
    union = len(a.genre_set | b.genre_set)
    jaccard = len(a.genre_set & b.genre_set) / union if union else 0.0
    people = 1.0 if (a.directors & b.directors) or (a.actors & b.actors) else 0.0
    year = 1.0 if a.year and b.year and abs(a.year - b.year) <= 5 else 0.0
    return 0.6 * jaccard + 0.25 * people + 0.1 * year + 0.05 * (a.type == b.type)


def _because(title: _Title, member: _Member, titles: dict[int, _Title], named: set[int]) -> _Title | None:
    """The played title most like `title` among those sharing a genre or person with it, nudged toward the
    ones that say most about the member and away from those earlier cards `named`; looked for among the
    EXPLAIN_FROM most telling first."""
    weights = member.profile.weights
    top = weights[member.telling[0]] if member.telling else 1.0
    for pool in (member.telling[:EXPLAIN_FROM], member.telling[EXPLAIN_FROM:]):
        best: tuple[float, int] | None = None
        for played_id in pool:
            played = titles[played_id]
            if played.genre_set.isdisjoint(title.genre_set) and not (
                played.directors & title.directors or played.actors & title.actors
            ):
                continue
            value = _likeness(title, played) * (0.5 + 0.5 * weights[played_id] / top) * _named_damping(played_id, named)
            if best is None or (value, -played_id) > best:
                best = (value, -played_id)
        if best is not None:
            return titles[-best[1]]
    return None


def _liked_by(title_id: int, member: _Member, shared: _Shared, named: set[int]) -> _Title | None:
    """Among the member's EXPLAIN_FROM most telling titles, one that at least PRIVACY_FLOOR of this title's
    supporters also played; the one most typical of them (many supporters relative to its audience) and not
    `named` by an earlier card first."""
    supporters = member.supporters(shared, title_id)
    best: tuple[float, int] | None = None
    for played in member.telling[:EXPLAIN_FROM]:
        audience = shared.viewers.get(played, {})
        both = sum(1 for person in supporters if person in audience)
        if both >= PRIVACY_FLOOR:
            value = both / math.sqrt(len(audience)) * _named_damping(played, named)
            if best is None or (value, -played) > best:
                best = (value, -played)
    return shared.library.titles[-best[1]] if best else None


def _named_damping(title_id: int, named: set[int]) -> float:
    """Half the appeal for a title an earlier card already named, so a row's reasons vary."""
    return 0.5 if title_id in named else 1.0


def _top_rated_reason(title: _Title, viewers: int) -> str:
    if title.rating >= 7:
        return "Highly rated"
    return "Popular on your server" if viewers >= PRIVACY_FLOOR else "From your library"


def _reason(candidate: _Candidate, member: _Member, shared: _Shared, named: set[int]) -> str:
    """The card's reason; a title it names is added to `named`."""
    title = candidate.title
    if candidate.kind in ("because_watched", "similar_people"):
        if candidate.kind == "because_watched":
            found = _because(title, member, shared.library.titles, named)
            template, fallback = "Because you watched {}", "Because of what you watch"
        else:
            found = _liked_by(title.id, member, shared, named)
            template, fallback = "Popular with people who like {}", "Popular with people who share your taste"
        if found is None:
            return fallback
        named.add(found.id)
        return template.format(found.title)
    if candidate.kind == "trending":
        return "Trending on your server"
    if candidate.kind == "new":
        return "New on your server"
    return _top_rated_reason(title, shared.popularity.get(title.id, 0))


def _card(title: _Title, score: float, reason: str, kind: str) -> Recommendation:
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
    )


# --------------------------------------------------------------------------- the API


def _popular(shared: _Shared, limit: int, played: dict[int, _Seen], now: int) -> list[Recommendation]:
    trending = _trending(shared, now)
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
        if title.id in trending:
            cards.append(_card(title, score, "Trending on your server", "trending"))
        else:
            cards.append(_card(title, score, _top_rated_reason(title, viewers), "top_rated"))
    return cards


def popular(
    server_id: int, limit: int = 20, exclude_user_id: int | None = None, now: datetime | None = None
) -> list[Recommendation]:
    """The popularity-only list: most distinct viewers (counted from PRIVACY_FLOOR on), then rating.

    It is the cold-start fallback and the baseline the quality benchmark measures the blend against;
    `exclude_user_id` leaves out what that user already played.
    """
    if limit <= 0:
        return []
    moment = _epoch(now or utcnow())
    with _LOCK:
        shared = _shared(server_id)
        played = shared.seen.get(exclude_user_id, {}) if exclude_user_id is not None else {}
        return _popular(shared, limit, played, moment)


def recommend(user_id: int, server_id: int, limit: int = 20, now: datetime | None = None) -> list[Recommendation]:
    """Up to `limit` movies and shows for this member on this server, best first, each with its reason.

    Never a title the member played (a show with any episode played, a movie started or finished) nor a
    removed one. Without any history it is `popular()`. Synchronous and CPU-bound: call it off the event loop.
    """
    if limit <= 0:
        return []
    moment = _epoch(now or utcnow())
    with _LOCK:
        shared = _shared(server_id)
        history = shared.seen.get(user_id)
        if not history:
            return _popular(shared, limit, {}, moment)
        member = _member(shared, user_id, history, moment)
        shortlist = _Scorer(shared, member, moment).shortlist(SHORTLIST * limit, limit)
        named: set[int] = set()
        picked = _diversify(shortlist, limit)
        return [_card(c.title, c.score, _reason(c, member, shared, named), c.kind) for c in picked]
