"""Recurring background jobs that every worker ticks but one should run each time (probe the integrations, check
the admins' alerts, send the daily digests).

A worker runs a job only after moving its `next_run_at` forward with a conditional UPDATE that succeeds for exactly
one of several concurrent callers (SQLite serialises writers; PostgreSQL re-checks the WHERE clause), the same
claim the sync scheduler makes on its schedules.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from smartplex.db import dialect_insert, write_transaction
from smartplex.models import RECURRING_JOBS, utcnow

T = RECURRING_JOBS


def claim(name: str, every: timedelta, owner: str, now: datetime | None = None) -> bool:
    """Whether this caller runs job `name` now (it is due, and no one else claimed it since); the next run is
    then `every` from now."""
    now = now or utcnow()
    with write_transaction() as conn:
        conn.execute(
            dialect_insert(conn.dialect.name)(T)
            .values(name=name, next_run_at=now)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        claimed = conn.execute(
            T.update()
            .where(T.c.name == name, T.c.next_run_at <= now)
            .values(next_run_at=now + every, last_owner=owner[:128], last_run_at=now)
        ).rowcount
    return claimed == 1


def run_soon(name: str) -> None:
    """Make job `name` due at the next tick (after a setting changed)."""
    with write_transaction() as conn:
        conn.execute(sa.update(T).where(T.c.name == name).values(next_run_at=utcnow()))
