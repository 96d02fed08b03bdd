"""Weekly request limits: how many movies and how many seasons a member may request in any 7 days.

The household default lives in `app_setting` (preferences), a member's own limits in `request_quota` (NULL =
the default; no default = no limit). Admins have none. SmartPlex counts every request not declined or failed
(its own reservation while Seerr is asked included) and checks before Seerr is called, whatever path the
request took, inside the transaction that reserves the request, so two requests at once cannot both slip under.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from smartplex.db import session
from smartplex.models import REQUESTS, USERS, RequestQuota, RequestStatus, Role, User, utcnow
from smartplex.services import auth, preferences

WINDOW = timedelta(days=7)
DEFAULT_KEY = "request_quota_default"
MAX_LIMIT = 1000
NOT_COUNTED = (RequestStatus.DECLINED, RequestStatus.FAILED)


class QuotaError(ValueError):
    """A request would pass the member's weekly limit, or a limit cannot be set as given; safe to show."""


@dataclass(frozen=True)
class Limits:
    movies: int | None = None  # None = no limit
    seasons: int | None = None


@dataclass(frozen=True)
class Quota:
    """A member's limits and what they used in the last 7 days."""

    movies_limit: int | None
    movies_used: int
    seasons_limit: int | None
    seasons_used: int

    @property
    def movies_left(self) -> int | None:
        return None if self.movies_limit is None else max(self.movies_limit - self.movies_used, 0)

    @property
    def seasons_left(self) -> int | None:
        return None if self.seasons_limit is None else max(self.seasons_limit - self.seasons_used, 0)

    @property
    def summary(self) -> str:
        """"3 of 5 movies and 8 of 10 seasons left this week" (limited kinds only); "" when nothing is limited."""
        parts = []
        if self.movies_limit is not None:
            parts.append(f"{self.movies_left} of {self.movies_limit} {_noun(self.movies_limit, 'movie')}")
        if self.seasons_limit is not None:
            parts.append(f"{self.seasons_left} of {self.seasons_limit} {_noun(self.seasons_limit, 'season')}")
        return f"{' and '.join(parts)} left this week" if parts else ""


def _noun(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"


def _limit(value: object) -> int | None:
    """A limit from the admin's form: "" or None = none; else a whole number from 0 to MAX_LIMIT."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise QuotaError("A limit is a whole number (or empty for none).") from None
    if not 0 <= number <= MAX_LIMIT:
        raise QuotaError(f"A limit is between 0 and {MAX_LIMIT}.")
    return number


def household_default() -> Limits:
    stored = preferences.get(DEFAULT_KEY) or {}
    return Limits(stored.get("movies"), stored.get("seasons")) if isinstance(stored, dict) else Limits()


def set_household_default(actor_id: int, movies: object, seasons: object) -> Limits:
    limits = Limits(_limit(movies), _limit(seasons))
    preferences.put(actor_id, DEFAULT_KEY, {"movies": limits.movies, "seasons": limits.seasons})
    return limits


def member_limits(user_id: int) -> tuple[Limits, bool]:
    """A member's own limits (None fields fall back to the default) and whether they have their own."""
    with session() as s:
        row = s.get(RequestQuota, user_id)
    if row is None:
        return Limits(), False
    return Limits(row.movies_per_week, row.seasons_per_week), True


def set_member_limits(actor_id: int, user_id: int, movies: object, seasons: object) -> Limits:
    """A member's own limits ("" = the household default); both empty removes them."""
    limits = Limits(_limit(movies), _limit(seasons))
    with session() as s:
        auth.require_admin(s, actor_id)
        if s.get(User, user_id) is None:
            raise QuotaError("No such person.")
        row = s.get(RequestQuota, user_id)
        if limits == Limits():
            if row is not None:
                s.delete(row)
            return limits
        row = row or RequestQuota(user_id=user_id)
        row.movies_per_week, row.seasons_per_week, row.updated_at = limits.movies, limits.seasons, utcnow()
        s.add(row)
    return limits


def all_member_limits() -> dict[int, Limits]:
    with session() as s:
        return {r.user_id: Limits(r.movies_per_week, r.seasons_per_week) for r in s.exec(select(RequestQuota))}


def effective(conn: sa.Connection, user_id: int) -> Limits:
    """The limits that apply to a person: none for admins; their own, else the household's."""
    role = conn.execute(sa.select(USERS.c.role).where(USERS.c.id == user_id)).scalar_one_or_none()
    if role == Role.ADMIN:
        return Limits()
    own = conn.execute(
        sa.select(RequestQuota.movies_per_week, RequestQuota.seasons_per_week).where(RequestQuota.user_id == user_id)
    ).first()
    default = household_default()
    if own is None:
        return default
    return Limits(own[0] if own[0] is not None else default.movies, own[1] if own[1] is not None else default.seasons)


def used(conn: sa.Connection, user_id: int, now: datetime | None = None) -> tuple[int, int]:
    """(movies, seasons) the person requested in the last 7 days, not counting declined or failed ones."""
    since = (now or utcnow()) - WINDOW
    rows = conn.execute(
        sa.select(REQUESTS.c.media_type, REQUESTS.c.seasons).where(
            REQUESTS.c.user_id == user_id,
            REQUESTS.c.requested_at >= since,
            REQUESTS.c.status.not_in([s.value for s in NOT_COUNTED]),
        )
    ).all()
    movies = sum(1 for media_type, _ in rows if media_type == "movie")
    seasons = sum(len(s) for media_type, s in rows if media_type == "tv" and isinstance(s, list))
    return movies, seasons


def quota(conn: sa.Connection, user_id: int) -> Quota:
    limits = effective(conn, user_id)
    movies, seasons = used(conn, user_id)
    return Quota(limits.movies, movies, limits.seasons, seasons)


def check(conn: sa.Connection, user_id: int, media_type: str, season_count: int) -> None:
    """QuotaError when one more movie (or `season_count` seasons) would pass the person's weekly limit."""
    current = quota(conn, user_id)
    if media_type == "movie" and current.movies_limit is not None and current.movies_used + 1 > current.movies_limit:
        raise QuotaError(
            f"You have used your {current.movies_limit} {_noun(current.movies_limit, 'movie')} for this week. "
            "Requests free up 7 days after you made them."
        )
    if media_type == "tv" and current.seasons_limit is not None:
        left = current.seasons_left or 0
        if season_count > left:
            raise QuotaError(
                f"That is {season_count} {_noun(season_count, 'season')}, and you have {left} of "
                f"{current.seasons_limit} left this week. Pick fewer, or wait until earlier requests free up."
            )
