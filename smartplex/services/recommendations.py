"""What to watch next: one member's recommendations on one Plex server, each with the reason shown on its card.

The blend scores every movie and show the member has not touched by:
- content: how well its genres, directors/actors, year and type fit a profile of what the member watched
  (weighted by completion, their own rating and recency) -> "Because you watched X";
- similar people: what the member's nearest neighbours on the same server watched (cosine over the sets of
  titles each person played) -> "Popular with people who like Y";
- trending: distinct people who played it in the last 7 days; new: added in the last 14 days;
- a small prior from server-wide popularity and the item's rating.

Why it is shaped like this:
- The unit is a title (a movie or a show): plays of episodes and seasons count for their show, so a member
  who watches a show gets other shows and movies, never the next episode of the same one.
- Privacy: a server-wide signal (similar people, trending, popularity) only counts an item that at least
  MIN_PEOPLE distinct other people support; below that it is dropped from the signal, not just relabelled.
- Speed: what every member of a server shares (the catalogue folded to titles, who played what) is built
  once per (database, server) and kept in-process; new watch events are folded in by id, and a library or
  user change rebuilds. A request then costs only the member's own scoring.
- Missing data: year 0, rating 0, empty or broken genre JSON, NULL user/item/rating key all mean "unknown";
  `_number` and `_names` turn whatever the row holds into 0 or (), and unknown never takes part in a
  comparison with a number (the old design died on `None >= int`).
"""

from __future__ import annotations

import heapq
import math
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from smartplex.db import get_engine
from smartplex.models import MediaItem, Server, SyncRun, User, WatchEvent, utcnow
from smartplex.services.plex.accounts import OWNER_ACCOUNT_ID

MIN_PEOPLE = 3  # distinct other people behind any server-wide signal
FINISHED_EVENTS = frozenset({"scrobble", "viewed"})
FINISHED_PROGRESS = 0.9
TRENDING_WINDOW = timedelta(days=7)
NEW_WINDOW = timedelta(days=14)
NEIGHBOURS = 30
HALF_LIFE_DAYS = 120.0  # a play this old counts half in the member's taste profile
WEIGHTS = {"content": 0.40, "similar": 0.35, "trending": 0.08, "popular": 0.07, "new": 0.05, "rating": 0.05}
CONTENT_PARTS = {"genres": 0.65, "people": 0.15, "year": 0.10, "type": 0.10}
YEAR_SPREAD_MIN = 8.0  # years: the narrowest year preference we assume
KIND_SHARE = 0.5  # at most this share of a list comes from one reason while others are available
GENRE_DECAY = 0.9  # each earlier pick sharing a genre multiplies a candidate's score by this
SHORTLIST = 4  # candidates considered for diversity per slot of the list

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
    """Seconds since 1970 computed by the database, so a million timestamps are not parsed in Python."""
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

    last: int = 0  # epoch of the latest event
    plays: int = 0
    progress: float = 0.0
    finished: bool = False
    rating: float = 0.0  # the person's own rating, 0-10; 0 = none


@dataclass
class _Shared:
    """Everything derived from a server's library and watch events that every member's request reuses."""

    marker: tuple[Any, ...]  # library and people state it was built from; a change rebuilds
    library: _Library
    accounts: dict[int, Person]  # Plex account id -> person
    last_event_id: int = 0
    seen: dict[Person, dict[int, _Seen]] = field(default_factory=dict)  # person -> title id -> plays
    viewers: dict[int, dict[Person, int]] = field(default_factory=dict)  # title id -> person -> latest play
    popularity: dict[int, int] = field(default_factory=dict)  # title id -> distinct people, only >= MIN_PEOPLE
    trending: dict[int, dict[int, int]] = field(default_factory=dict)  # epoch "now" -> title id -> people


_CACHE: dict[tuple[str, int], _Shared] = {}
_LOCK = threading.Lock()  # one build at a time, and no request reads while events fold in


def clear_cache() -> None:
    """Forget every server's shared figures (the next request rebuilds them)."""
    with _LOCK:
        _CACHE.clear()


def _marker(conn: Connection, server_id: int) -> tuple[Any, ...]:
    """Cheap evidence of a library or people change: item count and max id (an index scan), the latest
    sync run (every sync that changes or removes items records one), the server's owner and user links."""
    items = conn.execute(
        sa.select(sa.func.count(), sa.func.max(MEDIA.c.id)).where(MEDIA.c.server_id == server_id)
    ).one()
    last_run = conn.execute(sa.select(sa.func.max(RUNS.c.id)).where(RUNS.c.server_id == server_id)).scalar()
    owner = conn.execute(sa.select(SERVERS.c.owner_id).where(SERVERS.c.id == server_id)).scalar()
    links = conn.execute(
        sa.select(USERS.c.id, USERS.c.plex_account_id).where(USERS.c.plex_account_id.is_not(None)).order_by(USERS.c.id)
    ).all()
    return tuple(items), last_run, owner, tuple(map(tuple, links))


def _accounts(marker: tuple[Any, ...]) -> dict[int, Person]:
    """Plex account -> person: linked users, and the local owner account (1) as the server's owner."""
    _items, _run, owner, links = marker
    accounts = {account: user for user, account in links}
    if owner is not None:
        accounts.setdefault(OWNER_ACCOUNT_ID, owner)
    return accounts


def _load_library(conn: Connection, server_id: int) -> _Library:
    library = _Library()
    dialect = conn.dialect.name
    text = sa.types.Text()  # JSON columns read as stored; `_names` copes with anything
    titles = conn.execute(
        sa.select(
            MEDIA.c.id, MEDIA.c.rating_key, MEDIA.c.type, MEDIA.c.title, MEDIA.c.year,
            sa.type_coerce(MEDIA.c.genres, text), sa.type_coerce(MEDIA.c.directors, text),
            sa.type_coerce(MEDIA.c.actors, text), MEDIA.c.thumb, MEDIA.c.rating, MEDIA.c.audience_rating,
            _epoch_sql(MEDIA.c.added_at, dialect), MEDIA.c.removed_at.is_not(None),
        ).where(MEDIA.c.server_id == server_id, MEDIA.c.type.in_(("movie", "show"))).order_by(MEDIA.c.id)
    )  # fmt: skip
    for item_id, key, kind, title, year, genres, directors, actors, thumb, rating, audience, added, gone in titles:
        year = int(_number(year))
        library.titles[item_id] = _Title(
            id=item_id,
            title=title or "",
            type=kind,
            year=year if year > 0 else 0,
            genres=_names(genres),
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
        sa.select(MEDIA.c.id, MEDIA.c.rating_key, MEDIA.c.type, MEDIA.c.parent_rating_key, MEDIA.c.grandparent_rating_key)
        .where(MEDIA.c.server_id == server_id, MEDIA.c.type.in_(("season", "episode")))
        .order_by(MEDIA.c.type, MEDIA.c.id)  # seasons first: an episode may find its show through its season
    )
    for item_id, key, _kind, parent, grandparent in children:
        show = library.by_key.get(grandparent or "") or library.by_key.get(parent or "")
        if show is not None:
            library.by_item[item_id] = show
            library.by_key[key] = show
    return library


def _fold_events(conn: Connection, shared: _Shared, server_id: int) -> None:
    """Add the server's watch events newer than the last one folded (all of them on the first call)."""
    rows = conn.execute(
        sa.select(
            WATCH.c.id, WATCH.c.user_id, WATCH.c.plex_account_id, WATCH.c.media_item_id, WATCH.c.rating_key,
            WATCH.c.event, _epoch_sql(WATCH.c.viewed_at, conn.dialect.name), WATCH.c.progress, WATCH.c.user_rating,
        ).where(WATCH.c.id > shared.last_event_id, WATCH.c.server_id == server_id).order_by(WATCH.c.id)
    )  # fmt: skip
    by_item, by_key = shared.library.by_item, shared.library.by_key
    accounts, seen, viewers = shared.accounts, shared.seen, shared.viewers
    last_id = shared.last_event_id
    for event_id, user, account, item, key, kind, when, progress, rating in rows:
        last_id = event_id
        person = user if user is not None else accounts.get(account, -account) if account else None
        title = by_item.get(item) if item is not None else None
        if title is None and key is not None:
            title = by_key.get(key)
        if person is None or title is None:
            continue
        when, progress = int(_number(when)), _number(progress)
        mine = seen.setdefault(person, {})
        record = mine.get(title)
        if record is None:
            record = mine[title] = _Seen()
        record.plays += 1
        record.last = max(record.last, when)
        record.progress = max(record.progress, progress)
        record.finished = record.finished or kind in FINISHED_EVENTS or progress >= FINISHED_PROGRESS
        if kind == "rate" or _number(rating) > 0:
            record.rating = _number(rating)
        people = viewers.setdefault(title, {})
        people[person] = max(people.get(person, 0), when)
    shared.last_event_id = last_id
    shared.popularity = {title: len(people) for title, people in viewers.items() if len(people) >= MIN_PEOPLE}
    shared.trending = {}


def _shared(server_id: int) -> _Shared:
    """The server's shared figures, rebuilt when its library or people changed, else topped up with new events."""
    engine = get_engine()
    with engine.connect() as conn:
        marker = _marker(conn, server_id)
        key = (str(engine.url), server_id)
        shared = _CACHE.get(key)
        newest = conn.execute(sa.select(sa.func.max(WATCH.c.id))).scalar() or 0
        if shared is None or shared.marker != marker or newest < shared.last_event_id:
            shared = _Shared(marker, _load_library(conn, server_id), _accounts(marker))
            _CACHE[key] = shared
        if newest > shared.last_event_id:
            _fold_events(conn, shared, server_id)
            shared.last_event_id = max(shared.last_event_id, newest)
    return shared


def _trending(shared: _Shared, now: int) -> dict[int, int]:
    """Title -> distinct people whose latest play of it falls in the week before `now` (only >= MIN_PEOPLE)."""
    found = shared.trending.get(now)
    if found is None:
        since = now - int(TRENDING_WINDOW.total_seconds())
        found = {}
        for title, people in shared.viewers.items():
            if len(people) >= MIN_PEOPLE:
                recent = sum(1 for when in people.values() if since < when <= now)
                if recent >= MIN_PEOPLE:
                    found[title] = recent
        shared.trending = {now: found}  # one moment kept: requests in the same second share it
    return found


# --------------------------------------------------------------------------- one member's taste


@dataclass
class _Profile:
    """The member's taste, from their own plays only."""

    weights: dict[int, float]  # title id -> how much it says about the member
    genres: dict[str, float]  # genre -> weight, as a unit vector
    directors: Counter[str]
    actors: Counter[str]
    types: dict[str, float]  # share of the weight per type
    year_mean: float  # 0 when no watched title has a year
    year_spread: float


def _play_weight(seen: _Seen, now: int) -> float:
    """Finished counts fully and abandoned a quarter; a rating of 10 doubles, 2 fifths; half as much per half-life."""
    completion = 1.0 if seen.finished else 0.25 + 0.5 * min(seen.progress, 1.0)
    liking = min(max(seen.rating / 5.0, 0.2), 2.0) if seen.rating > 0 else 1.0
    age_days = max(now - seen.last, 0) / 86_400
    return completion * liking * (1 + 0.3 * math.log(seen.plays)) * 0.5 ** (age_days / HALF_LIFE_DAYS)


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
        directors.update(dict.fromkeys(title.directors, weight))
        actors.update(dict.fromkeys(title.actors, weight))
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
        directors=Counter({name: value / total for name, value in directors.items()}),
        actors=Counter({name: value / total for name, value in actors.items()}),
        types={kind: value / total for kind, value in types.items()},
        year_mean=mean,
        year_spread=max(spread, YEAR_SPREAD_MIN),
    )


def _content(profile: _Profile, title: _Title, genre_fit: dict[tuple[str, ...], float]) -> tuple[float, bool]:
    """(fit in 0..1, whether it shares a genre or person with something watched, which an explanation needs)."""
    genres = genre_fit.get(title.genres)
    if genres is None:
        fit = sum(profile.genres.get(genre, 0.0) for genre in title.genres)
        genres = genre_fit[title.genres] = fit / math.sqrt(len(title.genres)) if title.genres else 0.0
    people = 0.0
    for name in title.directors:
        people += 2 * profile.directors.get(name, 0.0)
    for name in title.actors:
        people += profile.actors.get(name, 0.0)
    people = min(people, 1.0)
    if title.year and profile.year_mean:
        year = math.exp(-0.5 * ((title.year - profile.year_mean) / profile.year_spread) ** 2)
    else:
        year = 0.5  # unknown on either side: neither a bonus nor a penalty
    fit = (
        CONTENT_PARTS["genres"] * genres
        + CONTENT_PARTS["people"] * people
        + CONTENT_PARTS["year"] * year
        + CONTENT_PARTS["type"] * profile.types.get(title.type, 0.0)
    )
    return fit, genres > 0 or people > 0


# --------------------------------------------------------------------------- similar people


def _neighbours(shared: _Shared, person: Person, mine: set[int]) -> list[tuple[float, Person]]:
    """The NEIGHBOURS other people on this server whose played titles overlap the member's most (cosine)."""
    scored = []
    for other, theirs in shared.seen.items():
        if other == person or not theirs:
            continue
        overlap = len(mine & theirs.keys())
        if overlap:
            scored.append((overlap / math.sqrt(len(mine) * len(theirs)), -other))
    return [(similarity, -negated) for similarity, negated in heapq.nlargest(NEIGHBOURS, scored)]


def _similar(shared: _Shared, person: Person, mine: set[int]) -> tuple[dict[int, float], dict[int, list[Person]]]:
    """Title -> summed neighbour similarity and its supporters, for titles at least MIN_PEOPLE neighbours played."""
    scores: dict[int, float] = {}
    supporters: dict[int, list[Person]] = {}
    for similarity, other in _neighbours(shared, person, mine):
        for title in shared.seen[other].keys() - mine:
            scores[title] = scores.get(title, 0.0) + similarity
            supporters.setdefault(title, []).append(other)
    kept = {title: people for title, people in supporters.items() if len(people) >= MIN_PEOPLE}
    return {title: scores[title] for title in kept}, kept


# --------------------------------------------------------------------------- blending


@dataclass
class _Member:
    """One request's view of the member: their plays, taste and the supporters of each similar-people title."""

    person: Person
    history: dict[int, _Seen]
    profile: _Profile
    similar: dict[int, float]
    supporters: dict[int, list[Person]]


@dataclass
class _Candidate:
    title: _Title
    score: float
    signals: dict[str, float]  # weighted contribution per signal
    explainable: bool  # shares a genre or person with a watched title
    kind: str = ""


def _member(shared: _Shared, person: Person, history: dict[int, _Seen], now: int) -> _Member:
    similar, supporters = _similar(shared, person, set(history))
    return _Member(person, history, _profile(history, shared.library.titles, now), similar, supporters)


def _scaled(values: dict[int, float] | dict[int, int]) -> dict[int, float]:
    """Divide by the largest value so every signal spans 0..1 whatever its raw unit."""
    top = max(values.values(), default=0)
    return {key: value / top for key, value in values.items()} if top > 0 else {}


def _freshness(title: _Title, now: int) -> float:
    """1 when added just now, falling to 0 at the end of NEW_WINDOW; 0 when unknown or not yet added."""
    age = now - title.added
    window = NEW_WINDOW.total_seconds()
    return 1.0 - age / window if title.added and 0 <= age <= window else 0.0


def _candidates(shared: _Shared, member: _Member, now: int) -> list[_Candidate]:
    """Every present title the member never played, with its blended score."""
    titles = shared.library.titles
    similar = _scaled(member.similar)
    trending = _scaled(_trending(shared, now))
    popular = _scaled({title: math.log1p(count) for title, count in shared.popularity.items()})
    contents: dict[int, tuple[float, bool]] = {}
    genre_fit: dict[tuple[str, ...], float] = {}
    for title in titles.values():
        if not title.removed and title.id not in member.history:
            contents[title.id] = _content(member.profile, title, genre_fit)
    top_content = max((fit for fit, _ in contents.values()), default=0.0) or 1.0
    found = []
    for title_id, (fit, explainable) in contents.items():
        title = titles[title_id]
        signals = {
            "content": WEIGHTS["content"] * fit / top_content,
            "similar": WEIGHTS["similar"] * similar.get(title_id, 0.0),
            "trending": WEIGHTS["trending"] * trending.get(title_id, 0.0),
            "popular": WEIGHTS["popular"] * popular.get(title_id, 0.0),
            "new": WEIGHTS["new"] * _freshness(title, now),
            "rating": WEIGHTS["rating"] * (title.rating / 10 if title.rating else 0.5),
        }
        found.append(_Candidate(title, sum(signals.values()), signals, explainable))
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


def _order(candidate: _Candidate) -> tuple[float, int]:
    return -candidate.score, candidate.title.id


def _shortlist(candidates: list[_Candidate], limit: int) -> list[_Candidate]:
    """The best by blended score, plus the best of each other signal, so diversity has something to pick from."""
    chosen = {id(c): c for c in heapq.nsmallest(SHORTLIST * limit, candidates, key=_order)}
    for signal in ("similar", "trending", "new"):
        with_signal = (c for c in candidates if c.signals[signal] > 0)
        chosen.update((id(c), c) for c in heapq.nlargest(limit, with_signal, key=lambda c: c.signals[signal]))
    found = sorted(chosen.values(), key=_order)
    for candidate in found:
        candidate.kind = _kind(candidate)
    return found


def _diversify(candidates: list[_Candidate], limit: int) -> list[_Candidate]:
    """Greedy picks by score, damped for genres already picked, and at most KIND_SHARE of the list per
    reason while candidates with another reason remain."""
    cap = max(1, math.ceil(limit * KIND_SHARE))
    picked: list[_Candidate] = []
    per_kind: Counter[str] = Counter()
    per_genre: Counter[str] = Counter()
    pool = list(candidates)

    def damped(c: _Candidate) -> tuple[float, int]:
        return c.score * GENRE_DECAY ** max((per_genre[g] for g in c.title.genres), default=0), -c.title.id

    while pool and len(picked) < limit:
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
    genres = set(a.genres)
    union = len(genres | set(b.genres))
    jaccard = len(genres.intersection(b.genres)) / union if union else 0.0
    people = 1.0 if (a.directors & b.directors) or (a.actors & b.actors) else 0.0
    year = 1.0 if a.year and b.year and abs(a.year - b.year) <= 5 else 0.0
    return 0.6 * jaccard + 0.25 * people + 0.1 * year + 0.05 * (a.type == b.type)


def _because(title: _Title, member: _Member, titles: dict[int, _Title]) -> _Title | None:
    """The watched title most like `title` that shares a genre or person with it, nudged toward the ones
    that say most about the member."""
    weights = member.profile.weights
    top = max(weights.values(), default=0.0) or 1.0
    best: tuple[float, int] | None = None
    for watched_id, weight in weights.items():
        watched = titles[watched_id]
        related = set(watched.genres).intersection(title.genres) or watched.directors & title.directors
        if not (related or watched.actors & title.actors):
            continue
        value = (_likeness(title, watched) * (0.5 + 0.5 * weight / top), -watched_id)
        if best is None or value > best:
            best = value
    return titles[-best[1]] if best else None


def _liked_by(title_id: int, member: _Member, shared: _Shared) -> _Title | None:
    """A title the member played that at least MIN_PEOPLE of this title's supporters also played."""
    supporters = member.supporters.get(title_id, [])
    best: tuple[int, int] | None = None
    for played in member.history:
        people = shared.viewers.get(played, {})
        both = sum(1 for person in supporters if person in people)
        if both >= MIN_PEOPLE and played in shared.library.titles and (best is None or (both, -played) > best):
            best = (both, -played)
    return shared.library.titles[-best[1]] if best else None


def _top_rated_reason(title: _Title, viewers: int) -> str:
    if title.rating >= 7:
        return "Highly rated"
    return "Popular on your server" if viewers >= MIN_PEOPLE else "From your library"


def _reason(candidate: _Candidate, member: _Member, shared: _Shared) -> str:
    title = candidate.title
    if candidate.kind == "because_watched":
        watched = _because(title, member, shared.library.titles)
        return f"Because you watched {watched.title}" if watched else "Because of what you watch"
    if candidate.kind == "similar_people":
        liked = _liked_by(title.id, member, shared)
        return f"Popular with people who like {liked.title}" if liked else "Popular with people who share your taste"
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


def _popular(shared: _Shared, limit: int, exclude: Iterable[int], now: int) -> list[Recommendation]:
    skip = set(exclude)
    trending = _trending(shared, now)
    ranked = sorted(
        (t for t in shared.library.titles.values() if not t.removed and t.id not in skip),
        key=lambda t: (-shared.popularity.get(t.id, 0), -t.rating, t.id),
    )[: max(limit, 0)]
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


def popular(server_id: int, limit: int = 20, exclude_user_id: int | None = None, now: datetime | None = None) -> list[Recommendation]:  # fmt: skip
    """The popularity-only list: most distinct viewers (counted from MIN_PEOPLE on), rating as tie-break.

    It is the cold-start fallback and the baseline the quality benchmark measures the blend against;
    `exclude_user_id` leaves out what that user already played.
    """
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
            return _popular(shared, limit, (), moment)
        member = _member(shared, user_id, history, moment)
        picked = _diversify(_shortlist(_candidates(shared, member, moment), limit), limit)
        return [_card(c.title, c.score, _reason(c, member, shared), c.kind) for c in picked]
