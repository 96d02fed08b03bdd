"""Admin alerts, told once per change: when a watched thing ("integration:3", "webhooks:1") starts failing and
when it recovers, not on every check that finds it so.

`alert_state` keeps what was last said about each thing. The change is a conditional UPDATE on the caller's
transaction, so of several workers noticing the same change only the one whose UPDATE changed the row notifies,
in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from smartplex.db import dialect_insert
from smartplex.models import ALERTS, utcnow
from smartplex.services.notifications.centre import add_for_admins

A = ALERTS
OK, ALERTING = "ok", "alerting"


def change(conn: sa.Connection, key: str, state: str, now: datetime | None = None) -> str | None:
    """Record that `key` is now in `state`; the state it left, or None when nothing changed (it already was, or
    another worker recorded the change first). A thing seen for the first time starts out OK."""
    now = now or utcnow()
    conn.execute(
        dialect_insert(conn.dialect.name)(A).values(key=key, state=OK, changed_at=now).on_conflict_do_nothing(index_elements=["key"])
    )
    old = conn.execute(sa.select(A.c.state).where(A.c.key == key)).scalar_one()
    if old == state:
        return None
    changed = conn.execute(A.update().where(A.c.key == key, A.c.state == old).values(state=state, changed_at=now)).rowcount
    return old if changed else None


def raise_or_clear(
    conn: sa.Connection,
    key: str,
    failing: bool,
    kind: str,
    *,
    title: str,
    body: str = "",
    cleared_title: str | None = None,
    cleared_body: str = "",
    link: str | None = None,
) -> bool:
    """Tell the admins when `key` starts failing (`title`) or recovers (`cleared_title`, when there is one to
    tell); whether the state changed."""
    if change(conn, key, ALERTING if failing else OK) is None:
        return False
    if failing:
        add_for_admins(conn, kind, title, body, link)
    elif cleared_title:
        add_for_admins(conn, kind, cleared_title, cleared_body, link)
    return True


def forget(conn: sa.Connection, key: str) -> None:
    """Drop the state of a thing that no longer exists (a removed integration), so a new one starts out OK."""
    conn.execute(A.delete().where(A.c.key == key))
