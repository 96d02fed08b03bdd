"""The blend: one member's taste profile, their nearest neighbours on the server, every unplayed title scored by
each signal and the shortlist diversified.

The signals, each scaled to 0..1 and weighted:
- content: how well a title's genres, directors/actors, year and type fit a profile of what the member played
  (weighted by completion, their own rating and recency);
- similar people: what the member's nearest neighbours played (cosine over the sets of titles each played);
- trending (services.watching) and new: added in the last NEW_WINDOW;
- a small prior from server-wide popularity and the title's rating.
Diversifying: no reason fills more than KIND_SHARE of the list while others are available, and genres already
picked damp a candidate. Privacy: a server-wide signal only counts a title that at least PRIVACY_FLOOR distinct
other people support.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from smartplex.services.privacy import PRIVACY_FLOOR
from smartplex.services.recommendations.index import Person, Seen, Shared, Title

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


def _play_weight(seen: Seen, now: int) -> float:
    """What one title says about the member: finished counts fully, abandoned early a quarter; their rating
    of 10 doubles it and 2 cuts it to a fifth; repeat plays add a little; it halves every HALF_LIFE_DAYS."""
    completion = 1.0 if seen.finished else 0.25 + 0.5 * min(seen.progress, 1.0)
    liking = min(max(seen.rating / 5.0, 0.2), 2.0) if seen.rating > 0 else 1.0
    age_days = max(now - seen.last, 0) / 86_400
    return completion * liking * (1 + 0.3 * math.log(seen.plays)) * 0.5 ** (age_days / HALF_LIFE_DAYS)


@dataclass
class Profile:
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

    def fit(self, title: Title) -> tuple[float, bool]:
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


def profile_of(history: dict[int, Seen], titles: dict[int, Title], now: int) -> Profile:
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
    return Profile(
        weights=weights,
        genres={genre: value / norm for genre, value in genres.items()},
        directors={name: value / total for name, value in directors.items()},
        actors={name: value / total for name, value in actors.items()},
        types={kind: value / total for kind, value in types.items()},
        year_mean=mean,
        year_spread=max(spread, YEAR_SPREAD_MIN),
    )


def _neighbours(shared: Shared, person: Person, mine: set[int]) -> list[tuple[float, Person]]:
    """The NEIGHBOURS other people on this server whose played titles overlap the member's most (cosine)."""
    scored = []
    for other, theirs in shared.seen.items():
        if other != person and theirs:
            overlap = len(mine.intersection(theirs))
            if overlap:
                scored.append((overlap / math.sqrt(len(mine) * len(theirs)), -other))
    return [(similarity, -negated) for similarity, negated in heapq.nlargest(NEIGHBOURS, scored)]


def _similar(shared: Shared, neighbours: list[tuple[float, Person]], mine: set[int]) -> dict[int, float]:
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


@dataclass
class Member:
    """One request's view of the member."""

    person: Person
    history: dict[int, Seen]
    profile: Profile
    neighbours: list[tuple[float, Person]]
    similar: dict[int, float]  # title -> neighbour score, only titles with enough supporters
    telling: list[int]  # played title ids, the ones that say most about the member first

    def supporters(self, shared: Shared, title_id: int) -> list[Person]:
        return [person for _, person in self.neighbours if title_id in shared.seen[person]]


@dataclass
class Candidate:
    title: Title
    signals: dict[str, float]  # weighted contribution per signal
    explainable: bool  # shares a genre or person with a played title
    kind: str = ""

    @property
    def score(self) -> float:
        return sum(self.signals.values())


def member_view(shared: Shared, person: Person, history: dict[int, Seen], now: int) -> Member:
    mine = set(history)
    neighbours = _neighbours(shared, person, mine)
    profile = profile_of(history, shared.library.titles, now)
    telling = sorted(profile.weights, key=lambda t: (-profile.weights[t], t))
    return Member(person, history, profile, neighbours, _similar(shared, neighbours, mine), telling)


def _scaled(values: dict[int, float] | dict[int, int]) -> dict[int, float]:
    """Divide by the largest value so every signal spans 0..1 whatever its raw unit."""
    top = max(values.values(), default=0)
    return {key: value / top for key, value in values.items()} if top > 0 else {}


def _freshness(title: Title, now: int) -> float:
    """1 when added just now, falling to 0 at the end of NEW_WINDOW; 0 when unknown or not added yet."""
    age = now - title.added
    window = NEW_WINDOW.total_seconds()
    return 1.0 - age / window if title.added and 0 <= age <= window else 0.0


class Scorer:
    """The blended score of every title the member could be shown: each signal scaled to 0..1, then weighted."""

    def __init__(self, shared: Shared, member: Member, trending: dict[int, int], now: int) -> None:
        self.titles = shared.library.titles
        self.member = member
        self.similar = _scaled(member.similar)
        self.trending = _scaled(trending)
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

    def shortlist(self, size: int, per_signal: int) -> list[Candidate]:
        """The best `size` by blended score, plus the best `per_signal` of each sparse signal (similar people,
        trending, new), so that diversifying has other reasons to pick from."""
        scores = {title_id: sum(self.parts(title_id)) for title_id in self.fits}
        chosen = set(heapq.nsmallest(size, scores, key=lambda t: (-scores[t], t)))
        for name, signal in (("similar", self.similar), ("trending", self.trending), ("new", self.new)):
            if WEIGHTS[name] > 0:
                best = heapq.nlargest(per_signal, (t for t in signal if t in scores), key=lambda t: (signal[t], -t))
                chosen.update(best)
        return sorted((self.candidate(t) for t in chosen), key=lambda c: (-c.score, c.title.id))

    def candidate(self, title_id: int) -> Candidate:
        title = self.titles[title_id]
        signals = dict(zip(SIGNALS, self.parts(title_id), strict=True))
        found = Candidate(title, signals, explainable=self.member.profile.fit(title)[1])
        found.kind = _kind(found)
        return found


def _kind(candidate: Candidate) -> str:
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


def diversify(candidates: list[Candidate], limit: int) -> list[Candidate]:
    """Greedy picks by score, damped by how many earlier picks share the candidate's genre. While candidates
    with another reason remain, no reason takes more than KIND_SHARE of any leading part of the list, so the
    first cards a row shows are mixed too."""
    picked: list[Candidate] = []
    per_kind: Counter[str] = Counter()
    per_genre: Counter[str] = Counter()
    pool = list(candidates)

    def damped(c: Candidate) -> tuple[float, int]:
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
