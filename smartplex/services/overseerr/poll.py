"""The poll that catches what Seerr's webhook missed (Seerr down meanwhile, the webhook not set up, a lost
delivery): every few minutes, the requests Seerr changed since the last poll are applied like webhooks.

The scheduler's minute tick calls `poll_due()` in every worker; a lease on the Seerr integration row (the same
conditional-UPDATE pattern as services/scheduler.py's) lets exactly one worker poll, and only when the last poll
is POLL_EVERY old. It also refreshes who is linked to which Seerr user, and drops reservations left behind when a
process stopped between reserving a request and hearing back from Seerr.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from smartplex.db import get_engine, write_transaction
from smartplex.log import get_logger
from smartplex.models import INTEGRATIONS, REQUESTS, IntegrationKind, RequestStatus, utcnow
from smartplex.services.overseerr import gateway, people, wire
from smartplex.services.overseerr.client import OverseerrError
from smartplex.services.requests import tracking

log = get_logger(__name__)

KIND = IntegrationKind.OVERSEERR
POLL_EVERY = timedelta(minutes=3)
LEASE = timedelta(minutes=5)
OVERLAP = timedelta(minutes=2)
PAGE = 50
MAX_PAGES = 20
STALE_RESERVATION = timedelta(minutes=10)


@dataclass(frozen=True)
class PollResult:
    seen: int
    changed: int
    error: str | None = None


def _household() -> sa.ColumnElement[bool]:
    return sa.and_(INTEGRATIONS.c.kind == KIND, INTEGRATIONS.c.server_id.is_(None))


def claim(owner: str, now: datetime, every: timedelta = POLL_EVERY) -> datetime | None:
    """Take the poll's lease when a poll is due and nobody holds it; the previous poll's time (or the epoch)."""
    t = INTEGRATIONS
    due = sa.or_(t.c.last_polled_at.is_(None), t.c.last_polled_at <= now - every)
    free = sa.or_(t.c.lease_owner.is_(None), t.c.lease_expires_at < now)
    with write_transaction() as conn:
        last = conn.execute(sa.select(t.c.last_polled_at).where(_household())).first()
        taken = conn.execute(
            t.update().where(_household(), due, free, t.c.secret_encrypted.is_not(None))
            .values(lease_owner=owner, lease_expires_at=now + LEASE)
        ).rowcount  # fmt: skip
    if not taken or last is None:
        return None
    return last[0] or datetime(1970, 1, 1, tzinfo=now.tzinfo)


def release(owner: str, polled_at: datetime) -> None:
    t = INTEGRATIONS
    with write_transaction() as conn:
        conn.execute(
            t.update().where(_household(), t.c.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None, last_polled_at=polled_at)
        )  # fmt: skip


def poll_due(owner: str, now: datetime | None = None, every: timedelta = POLL_EVERY) -> PollResult | None:
    """Poll Seerr when due and this worker wins the lease; None when it did not poll."""
    now = now or utcnow()
    since = claim(owner, now, every)
    if since is None:
        return None
    try:
        return poll(since - OVERLAP, now)
    finally:
        release(owner, now)


def poll(since: datetime, now: datetime | None = None) -> PollResult:
    """Apply every request Seerr changed since `since` (newest first, as Seerr sorts by modification)."""
    now = now or utcnow()
    _drop_stale_reservations(now)
    try:
        people.refresh()
        seen = changed = 0
        for page in range(MAX_PAGES):
            requests, total = gateway.call(lambda c, skip=page * PAGE: wire.requests(c.requests(take=PAGE, skip=skip)))
            fresh = [r for r in requests if r.updated_at is None or r.updated_at >= since]
            for request in fresh:
                outcome = tracking.apply_seerr(request, people.person_for_email(request.requested_by_email), now)
                changed += "->" in outcome
            seen += len(requests)
            if len(fresh) < len(requests) or seen >= total or not requests:
                break
    except OverseerrError as exc:
        log.warning("overseerr.poll_failed", error=str(exc))
        return PollResult(0, 0, str(exc))
    log.info("overseerr.polled", seen=seen, changed=changed)
    return PollResult(seen, changed)


def _drop_stale_reservations(now: datetime) -> int:
    with write_transaction() as conn:
        return conn.execute(
            REQUESTS.delete().where(
                REQUESTS.c.status == RequestStatus.SUBMITTING, REQUESTS.c.requested_at < now - STALE_RESERVATION
            )
        ).rowcount


def lease_holder() -> str | None:
    with get_engine().connect() as conn:
        return conn.execute(sa.select(INTEGRATIONS.c.lease_owner).where(_household())).scalar_one_or_none()
