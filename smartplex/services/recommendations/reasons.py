"""The reason on each card: the played title that explains it ("Because you watched X"), the title its supporters
share with the member ("Popular with people who like Y"), or a plain one (trending, new, top rated).

A title only names what at least PRIVACY_FLOOR supporters back, and earlier cards' named titles are damped so a
row's reasons vary.
"""

from __future__ import annotations

import math

from smartplex.services.privacy import PRIVACY_FLOOR
from smartplex.services.recommendations.blend import Candidate, Member
from smartplex.services.recommendations.index import Shared, Title

EXPLAIN_FROM = 100  # explanations name one of the member's most telling titles


def likeness(a: Title, b: Title) -> float:
    """How alike two titles are for an explanation: shared genres mostly, then people, year and type."""
    union = len(a.genre_set | b.genre_set)
    jaccard = len(a.genre_set & b.genre_set) / union if union else 0.0
    people = 1.0 if (a.directors & b.directors) or (a.actors & b.actors) else 0.0
    year = 1.0 if a.year and b.year and abs(a.year - b.year) <= 5 else 0.0
    return 0.6 * jaccard + 0.25 * people + 0.1 * year + 0.05 * (a.type == b.type)


def _because(title: Title, member: Member, titles: dict[int, Title], named: set[int]) -> Title | None:
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
            value = likeness(title, played) * (0.5 + 0.5 * weights[played_id] / top) * _named_damping(played_id, named)
            if best is None or (value, -played_id) > best:
                best = (value, -played_id)
        if best is not None:
            return titles[-best[1]]
    return None


def _liked_by(title_id: int, member: Member, shared: Shared, named: set[int]) -> Title | None:
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


def top_rated_reason(title: Title, viewers: int) -> str:
    if title.rating >= 7:
        return "Highly rated"
    return "Popular on your server" if viewers >= PRIVACY_FLOOR else "From your library"


def reason_for(candidate: Candidate, member: Member, shared: Shared, named: set[int]) -> str:
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
    return top_rated_reason(title, shared.popularity.get(title.id, 0))
