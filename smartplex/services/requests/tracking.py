"""Where a request stands, kept true from three sides: Seerr's webhook, the poll of Seerr, and our own library
(services/requests/availability.py). Each change is one conditional UPDATE, and the requester's notification is
written in the same transaction only by the writer whose UPDATE changed the row, so a webhook, the poll and a
library sync racing each other notify once.

Statuses only move forward, except that an admin may approve a declined request again: "available" (which our
library may know before Seerr does) never goes back to "processing" because Seerr has not noticed yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from smartplex import routes
from smartplex.db import write_transaction
from smartplex.models import REQUESTS, RequestStatus, utcnow
from smartplex.services import notifications
from smartplex.services.notifications import kinds
from smartplex.services.overseerr import wire

S = RequestStatus
OPEN = (S.SUBMITTING, S.PENDING, S.APPROVED, S.PROCESSING, S.PARTIALLY_AVAILABLE)
RANK = {S.SUBMITTING: 0, S.PENDING: 1, S.APPROVED: 2, S.PROCESSING: 3, S.PARTIALLY_AVAILABLE: 4, S.AVAILABLE: 5,
        S.DECLINED: 1, S.FAILED: 3}  # fmt: skip


@dataclass(frozen=True)
class Change:
    """What one tracked request became."""

    request_id: int
    user_id: int
    title: str
    old: str
    new: str


def status_from_seerr(request: wire.Request) -> str:
    """Our status of a Seerr request: its own status, then its media's availability (for a show, of the seasons
    it asked for)."""
    if request.status == wire.REQUEST_DECLINED:
        return S.DECLINED
    if request.status == wire.REQUEST_FAILED:
        return S.FAILED
    if request.media_type == "tv" and request.seasons and request.season_status:
        done = [n for n in request.seasons if request.season_status.get(n) == wire.MEDIA_AVAILABLE]
        if len(done) == len(request.seasons):
            return S.AVAILABLE
        if done:
            return S.PARTIALLY_AVAILABLE
    elif request.media_status == wire.MEDIA_AVAILABLE:
        return S.AVAILABLE
    elif request.media_status == wire.MEDIA_PARTIALLY_AVAILABLE:
        return S.PARTIALLY_AVAILABLE
    if request.status == wire.REQUEST_PENDING:
        return S.PENDING
    if request.status == wire.REQUEST_COMPLETED:
        return S.AVAILABLE
    if request.media_status == wire.MEDIA_PROCESSING:
        return S.PROCESSING
    return S.APPROVED


def allowed(old: str, new: str) -> bool:
    """Whether a request may move from `old` to `new`."""
    if old == new:
        return False
    if old == S.DECLINED:
        return new in (S.APPROVED, S.PROCESSING, S.PARTIALLY_AVAILABLE, S.AVAILABLE)
    if old == S.FAILED:
        return new in (S.APPROVED, S.PROCESSING, S.PARTIALLY_AVAILABLE, S.AVAILABLE, S.DECLINED)
    if old == S.AVAILABLE:
        return False
    if new in (S.DECLINED, S.FAILED):
        return old not in (S.PARTIALLY_AVAILABLE,)
    return RANK[S(new)] > RANK[S(old)]


def _news(title: str, old: str, new: str, seasons: list[int] | None) -> tuple[str, str, str] | None:
    """The notification for a change (kind, title, body), or None when it is not news to the requester (an
    approval is news only when the request was waiting for one: Seerr approves and starts processing in one step)."""
    if new == S.AVAILABLE:
        return kinds.REQUEST_AVAILABLE, f"{title} is available", "It is on the server now. Enjoy!"
    if new == S.PARTIALLY_AVAILABLE:
        which = ", ".join(str(n) for n in seasons or [])
        plural = "s" if len(seasons or []) != 1 else ""
        return kinds.REQUEST_AVAILABLE, f"New on the server: {title}", f"Season{plural} {which} can be watched now."
    if new in (S.APPROVED, S.PROCESSING) and old in (S.PENDING, S.DECLINED):
        return kinds.REQUEST_APPROVED, f"{title} was approved", "It is on its way; you will hear when it is on the server."
    if new == S.DECLINED:
        return kinds.REQUEST_DECLINED, f"{title} was declined", "The admin declined this request."
    if new == S.FAILED:
        return kinds.REQUEST_DECLINED, f"{title} could not be fetched", "Overseerr / Seerr could not fetch it; the admin can retry."
    return None


def transition(
    conn: sa.Connection,
    request_id: int,
    new: str,
    *,
    now: datetime | None = None,
    reason: str | None = None,
    seasons_available: list[int] | None = None,
    media_item_id: int | None = None,
) -> Change | None:
    """Move one request to `new` when allowed (on the caller's transaction) and notify its requester; None when
    nothing changed. A show's newly available seasons count as a change even when it stays partly available."""
    row = conn.execute(
        sa.select(REQUESTS.c.user_id, REQUESTS.c.title, REQUESTS.c.status, REQUESTS.c.seasons_available)
        .where(REQUESTS.c.id == request_id)
    ).first()
    if row is None:
        return None
    known_seasons = sorted(row.seasons_available or [])
    new_seasons = sorted(set(known_seasons) | set(seasons_available or []))
    more_seasons = new_seasons != known_seasons
    if not allowed(row.status, new) and not (more_seasons and row.status == new == S.PARTIALLY_AVAILABLE):
        if media_item_id is not None:  # the library item is worth keeping even when the status stands
            conn.execute(REQUESTS.update().where(REQUESTS.c.id == request_id, REQUESTS.c.media_item_id.is_(None))
                         .values(media_item_id=media_item_id))  # fmt: skip
        return None
    now = now or utcnow()
    values: dict[str, object] = {"status": new, "updated_at": now}
    if new == S.AVAILABLE:
        values["available_at"] = now
    if reason is not None:
        values["status_reason"] = reason[:500]
    if seasons_available is not None:
        values["seasons_available"] = new_seasons
    if media_item_id is not None:
        values["media_item_id"] = media_item_id
    changed = conn.execute(
        REQUESTS.update().where(REQUESTS.c.id == request_id, REQUESTS.c.status == row.status).values(values)
    ).rowcount
    if not changed:
        return None
    news = _news(row.title, row.status, new, sorted(set(new_seasons) - set(known_seasons)) or new_seasons)
    if news is not None:
        kind, title, body = news
        notifications.add(conn, row.user_id, kind, title, body, f"{routes.REQUESTS}#request-{request_id}")
    return Change(request_id, row.user_id, row.title, row.status, new)


def apply_seerr(request: wire.Request, person_id: int | None = None, now: datetime | None = None) -> str:
    """Bring our row of a Seerr request up to date (linking it first when SmartPlex never saw its Seerr id); what
    happened, in words for the audit. `person_id`: the SmartPlex person Seerr's requester is linked to."""
    new = status_from_seerr(request)
    with write_transaction() as conn:
        row_id = conn.execute(
            sa.select(REQUESTS.c.id).where(REQUESTS.c.overseerr_request_id == request.id)
        ).scalar_one_or_none()
        how = "updated"
        if row_id is None:
            row_id = _link(conn, request, person_id)
            if row_id is None:
                return f"ignored: no SmartPlex request for {request.media_type} {request.tmdb_id}"
            how = "linked"
        seasons = [n for n in request.seasons if request.season_status.get(n) == wire.MEDIA_AVAILABLE]
        change = transition(conn, row_id, new, now=now, seasons_available=seasons or None)
    return f"{how} request {row_id}: {change.old} -> {change.new}" if change else f"{how} request {row_id}: unchanged"


def _link(conn: sa.Connection, request: wire.Request, person_id: int | None) -> int | None:
    """The member's request for the same title that has no Seerr id yet (the requester's own first)."""
    mine = sa.case((REQUESTS.c.user_id == person_id, 0), else_=1) if person_id else sa.literal(1)
    candidate = conn.execute(
        sa.select(REQUESTS.c.id)
        .where(
            REQUESTS.c.overseerr_request_id.is_(None),
            REQUESTS.c.media_type == request.media_type,
            REQUESTS.c.tmdb_id == request.tmdb_id,
            REQUESTS.c.status.in_([s.value for s in OPEN]),
        )
        .order_by(mine, REQUESTS.c.id)
        .limit(1)
    ).scalar_one_or_none()
    if candidate is not None:
        conn.execute(REQUESTS.update().where(REQUESTS.c.id == candidate).values(overseerr_request_id=request.id))
    return candidate
