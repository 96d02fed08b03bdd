"""Whose requests get watched: each requester's request-to-watch ratio, from the watch events attributed to their
requests (services/requests/attribution.py), split into plays by the requester and by others."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.models import REQUESTS, USERS, WATCH, RequestStatus, Role
from smartplex.services import auth, watching

LANDED = (RequestStatus.AVAILABLE, RequestStatus.PARTIALLY_AVAILABLE)


@dataclass(frozen=True)
class RequesterRatio:
    user_id: int
    name: str
    requests: int  # every request not declined or failed
    landed: int  # on the server (available or partly)
    watched: int  # landed requests that someone played
    watched_by_them: int
    watched_by_others: int

    @property
    def percent(self) -> int:
        return round(100 * self.watched / self.landed) if self.landed else 0

    @property
    def summary(self) -> str:
        if not self.landed:
            return "Nothing on the server yet"
        return f"{self.watched} of {self.landed} watched ({self.percent}%)"


def ratios(actor_id: int) -> list[RequesterRatio]:
    """Every requester's ratio, most requests first (admins only)."""
    with get_engine().connect() as conn:
        role = conn.execute(sa.select(USERS.c.role).where(USERS.c.id == actor_id, USERS.c.is_active.is_(True))).scalar()
        if role != Role.ADMIN:
            raise auth.AuthError("Only an admin can do that.")
        requests = conn.execute(
            sa.select(REQUESTS.c.id, REQUESTS.c.user_id, REQUESTS.c.status, USERS.c.name)
            .join(USERS, USERS.c.id == REQUESTS.c.user_id)
            .where(REQUESTS.c.status.not_in([RequestStatus.DECLINED, RequestStatus.FAILED, RequestStatus.SUBMITTING]))
        ).all()
        plays = sa.select(WATCH.c.attributed_to_request_id.label("request_id"), watching.PERSON.label("person")).where(
            WATCH.c.attributed_to_request_id.is_not(None), watching.PLAYED
        ).subquery()  # fmt: skip
        watchers = conn.execute(sa.select(plays.c.request_id, plays.c.person).distinct()).all()
    by_request: dict[int, set[int]] = {}
    for request_id, person in watchers:
        if person is not None:
            by_request.setdefault(request_id, set()).add(person)
    tallies: dict[int, RequesterRatio] = {}
    for request_id, user_id, status, name in requests:
        t = tallies.get(user_id) or RequesterRatio(user_id, name, 0, 0, 0, 0, 0)
        people = by_request.get(request_id, set())
        landed = status in LANDED
        tallies[user_id] = replace(
            t,
            requests=t.requests + 1,
            landed=t.landed + landed,
            watched=t.watched + (landed and bool(people)),
            watched_by_them=t.watched_by_them + (user_id in people),
            watched_by_others=t.watched_by_others + bool(people - {user_id}),
        )
    rows = list(tallies.values())
    return sorted(rows, key=lambda r: (-r.requests, r.name))
