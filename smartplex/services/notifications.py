"""Notifications for a person: rows in `notification`, written by the features that have news (a request became
available), and read by the live badge of every open page (state/live.py).

`marker()` is what open pages poll: the newest notification id and the unread count, one indexed query. Writers
call `add()` inside their own transaction when the news and the change that caused it must land together.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from smartplex.db import get_engine, write_transaction
from smartplex.models import NOTIFICATIONS, iso, utcnow

N = NOTIFICATIONS
RECENT = 8


@dataclass(frozen=True)
class Marker:
    """What changes whenever someone gets news: their newest notification and how many are unread."""

    latest_id: int = 0
    unread: int = 0


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: str
    read: bool


def add(conn: sa.Connection, user_id: int, kind: str, title: str, body: str = "", link: str | None = None) -> int:
    """Write one notification on the caller's connection (its transaction); its id."""
    values = {"user_id": user_id, "kind": kind[:32], "title": title[:255], "body": body[:2000],
              "link": link[:512] if link else None, "created_at": utcnow()}  # fmt: skip
    return conn.execute(N.insert().values(values).returning(N.c.id)).scalar_one()


def notify(user_id: int, kind: str, title: str, body: str = "", link: str | None = None) -> int:
    with write_transaction() as conn:
        return add(conn, user_id, kind, title, body, link)


def marker(user_id: int) -> Marker:
    """The person's newest notification id and unread count (served by ix_notification_user_created)."""
    query = sa.select(
        sa.func.coalesce(sa.func.max(N.c.id), 0),
        sa.func.count().filter(N.c.read_at.is_(None)),
    ).where(N.c.user_id == user_id)
    with get_engine().connect() as conn:
        latest, unread = conn.execute(query).one()
    return Marker(int(latest), int(unread or 0))


def recent(user_id: int, after_id: int = 0, limit: int = RECENT) -> list[NotificationView]:
    """The person's newest notifications (only those after `after_id`), newest first."""
    query = (
        sa.select(N.c.id, N.c.kind, N.c.title, N.c.body, N.c.link, N.c.created_at, N.c.read_at)
        .where(N.c.user_id == user_id, N.c.id > after_id)
        .order_by(N.c.id.desc())
        .limit(limit)
    )
    with get_engine().connect() as conn:
        rows = conn.execute(query).all()
    return [NotificationView(r.id, r.kind, r.title, r.body or "", r.link or "", iso(r.created_at) or "", r.read_at is not None)
            for r in rows]  # fmt: skip


def mark_all_read(user_id: int) -> int:
    """Mark the person's unread notifications read; how many there were."""
    with write_transaction() as conn:
        return conn.execute(
            N.update().where(N.c.user_id == user_id, N.c.read_at.is_(None)).values(read_at=utcnow())
        ).rowcount
