"""The notification rows: writing one (with its outbox deliveries), reading them newest first, marking them read.

`add()` runs inside the writer's own transaction, so news and the change that caused it land together, and so do
the deliveries outside the app. A writer that must say something once (today's digest, one alert per change)
passes a `dedupe_key`: a second add with the same key for the same person writes nothing, whichever worker
tries. `marker()` is what every open page polls: the newest id and the unread count, one indexed query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from smartplex.db import dialect_insert, get_engine, reading, session, write_transaction
from smartplex.models import NOTIFICATIONS, USERS, Role, iso, utcnow
from smartplex.services import auth
from smartplex.services.notifications import outbox, switches
from smartplex.services.notifications.kinds import ANNOUNCEMENT
from smartplex.services.notifications.worker import wake

N = NOTIFICATIONS
RECENT = 8
PAGE_SIZE = 20
MAX_ITEMS = 20
MAX_ANNOUNCEMENT_TITLE = 120
MAX_ANNOUNCEMENT_BODY = 1000


@dataclass(frozen=True)
class Marker:
    """What changes whenever someone gets news: their newest notification and how many are unread."""

    latest_id: int = 0
    unread: int = 0


@dataclass(frozen=True)
class ItemRef:
    """A title a digest names: its detail drawer opens from it."""

    id: int
    title: str
    year: int = 0


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: str
    read: bool
    items: list[ItemRef] = field(default_factory=list)


@dataclass(frozen=True)
class NotificationPage:
    rows: list[NotificationView]
    total: int
    page: int
    pages: int
    unread: int


class AnnouncementError(ValueError):
    """An announcement cannot be sent as written; the message is safe to show."""


def _safe_link(link: str | None) -> str | None:
    """Links are SmartPlex's own pages: a path, never another site."""
    if not link or not link.startswith("/") or link.startswith("//"):
        return None
    return link[:512]


def add(
    conn: sa.Connection,
    user_id: int,
    kind: str,
    title: str,
    body: str = "",
    link: str | None = None,
    *,
    dedupe_key: str | None = None,
    items: list[ItemRef] | None = None,
    at: datetime | None = None,
) -> int | None:
    """Write one notification on the caller's connection (its transaction) and queue its deliveries outside the
    app; its id, or None when the person switched the kind off or already has one with `dedupe_key`. `at`: the
    moment the news is about (by default now)."""
    if not switches.wants(conn, user_id, kind):
        return None
    values: dict[str, Any] = {
        "user_id": user_id, "kind": kind[:32], "title": title[:255], "body": body[:2000], "link": _safe_link(link),
        "created_at": at or utcnow(), "dedupe_key": dedupe_key[:128] if dedupe_key else None,
        "items": [{"id": i.id, "title": i.title[:200], "year": i.year} for i in items[:MAX_ITEMS]] if items else None,
    }  # fmt: skip
    insert = dialect_insert(conn.dialect.name)(N).values(values)
    if dedupe_key:
        insert = insert.on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
    notification_id = conn.execute(insert.returning(N.c.id)).scalar()
    if notification_id is not None and outbox.enqueue(conn, notification_id, user_id, kind):
        wake()
    return notification_id


def add_for_admins(conn: sa.Connection, kind: str, title: str, body: str = "", link: str | None = None,
                   *, dedupe_key: str | None = None) -> list[int]:  # fmt: skip
    """The same notification for every active admin; the ids written."""
    admins = conn.execute(sa.select(USERS.c.id).where(USERS.c.role == Role.ADMIN, USERS.c.is_active.is_(True))).scalars()
    return [n for admin in list(admins) if (n := add(conn, admin, kind, title, body, link, dedupe_key=dedupe_key))]


def notify(user_id: int, kind: str, title: str, body: str = "", link: str | None = None, **options: Any) -> int | None:
    """`add()` in a transaction of its own."""
    with write_transaction() as conn:
        return add(conn, user_id, kind, title, body, link, **options)


def announce(actor_id: int, title: str, body: str = "") -> int:
    """An admin's news to everyone who has not switched announcements off; how many got it."""
    clean_title, clean_body = " ".join((title or "").split()), (body or "").strip()
    if not clean_title:
        raise AnnouncementError("Give the announcement a title.")
    if len(clean_title) > MAX_ANNOUNCEMENT_TITLE or len(clean_body) > MAX_ANNOUNCEMENT_BODY:
        raise AnnouncementError(f"Keep the title under {MAX_ANNOUNCEMENT_TITLE} and the message under "
                                f"{MAX_ANNOUNCEMENT_BODY} characters.")  # fmt: skip
    with session() as s:
        auth.require_admin(s, actor_id)
    with write_transaction() as conn:
        people = list(conn.execute(sa.select(USERS.c.id).where(USERS.c.is_active.is_(True))).scalars())
        return sum(add(conn, person, ANNOUNCEMENT, clean_title, clean_body) is not None for person in people)


# --------------------------------------------------------------------------- reading


def _view(row: sa.Row) -> NotificationView:
    items = [ItemRef(int(i["id"]), str(i.get("title") or ""), int(i.get("year") or 0))
             for i in row.items or [] if isinstance(i, dict) and isinstance(i.get("id"), int)]  # fmt: skip
    return NotificationView(row.id, row.kind, row.title, row.body or "", row.link or "", iso(row.created_at) or "",
                            row.read_at is not None, items)  # fmt: skip


COLUMNS = (N.c.id, N.c.kind, N.c.title, N.c.body, N.c.link, N.c.created_at, N.c.read_at, N.c["items"])


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
    query = sa.select(*COLUMNS).where(N.c.user_id == user_id, N.c.id > after_id).order_by(N.c.id.desc()).limit(limit)
    with reading() as conn:
        return [_view(r) for r in conn.execute(query).all()]


def page(user_id: int, number: int = 1, *, unread_only: bool = False, size: int = PAGE_SIZE) -> NotificationPage:
    """One page of the person's notifications, newest first (past the end: the last page)."""
    mine = [N.c.user_id == user_id, *([N.c.read_at.is_(None)] if unread_only else [])]
    with reading() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(N).where(*mine)).scalar_one()
        pages = max(1, math.ceil(total / size))
        number = min(max(number, 1), pages)
        rows = conn.execute(
            sa.select(*COLUMNS).where(*mine).order_by(N.c.id.desc()).offset((number - 1) * size).limit(size)
        ).all()
        unread = conn.execute(
            sa.select(sa.func.count()).select_from(N).where(N.c.user_id == user_id, N.c.read_at.is_(None))
        ).scalar_one()
    return NotificationPage([_view(r) for r in rows], total, number, pages, unread)


def mark(user_id: int, notification_id: int, read: bool = True) -> str | None:
    """Mark one of the person's notifications read (or unread again); its link ("" for none), None when it is
    not theirs."""
    with write_transaction() as conn:
        link = conn.execute(
            sa.select(sa.func.coalesce(N.c.link, "")).where(N.c.id == notification_id, N.c.user_id == user_id)
        ).scalar()
        if link is None:
            return None
        still = N.c.read_at.is_(None) if read else N.c.read_at.is_not(None)
        conn.execute(N.update().where(N.c.id == notification_id, still).values(read_at=utcnow() if read else None))
    return link


def mark_all_read(user_id: int) -> int:
    """Mark the person's unread notifications read; how many there were."""
    with write_transaction() as conn:
        return conn.execute(
            N.update().where(N.c.user_id == user_id, N.c.read_at.is_(None)).values(read_at=utcnow())
        ).rowcount
