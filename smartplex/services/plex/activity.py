"""Recent syncs and webhooks for the admin pages, and library counts for the wizard and dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, func, select

from smartplex.services.plex.household import Servers, as_ids
from smartplex.db import session
from smartplex.models import MediaItem, SyncRun, WatchEvent, WebhookEvent, iso, utcnow
from smartplex.services.plex.webhooks.receiving import UNKNOWN_URL


@dataclass(frozen=True)
class SyncRunView:
    id: int
    kind: str
    trigger: str
    status: str
    started_at: str
    duration_ms: int
    items_seen: int
    items_changed: int
    items_removed: int
    error: str


@dataclass(frozen=True)
class WebhookView:
    id: int
    received_at: str
    event: str
    status: str
    reason: str


def recent_syncs(server_id: int, limit: int = 20) -> list[SyncRunView]:
    with session() as s:
        rows = s.exec(
            select(SyncRun).where(SyncRun.server_id == server_id).order_by(col(SyncRun.id).desc()).limit(limit)
        ).all()
    return [
        SyncRunView(
            id=r.id or 0,
            kind=r.kind,
            trigger=r.trigger,
            status=r.status,
            started_at=r.started_at.isoformat(),
            duration_ms=r.duration_ms,
            items_seen=r.items_seen,
            items_changed=r.items_changed,
            items_removed=r.items_removed,
            error=r.error or "",
        )
        for r in rows
    ]


def recent_webhooks(owner_id: int, limit: int = 20) -> list[WebhookView]:
    with session() as s:
        rows = s.exec(
            select(WebhookEvent).where(WebhookEvent.owner_id == owner_id).order_by(col(WebhookEvent.id).desc()).limit(limit)
        ).all()
    return [
        WebhookView(
            id=r.id or 0,
            received_at=r.received_at.isoformat(),
            event=r.event or "—",
            status=r.status,
            reason=r.reason or "",
        )
        for r in rows
    ]


@dataclass(frozen=True)
class StrayDeliveries:
    """Deliveries to webhook URLs no owner has (a wrong or rotated URL pasted into Plex)."""

    count: int
    last_at: str | None
    last_from: str | None  # the source address of the latest


def stray_webhooks(hours: int = 24) -> StrayDeliveries:
    """Deliveries in the last `hours` to webhook URLs that belong to nobody; they have no owner to show them to."""
    since = utcnow() - timedelta(hours=hours)
    stray = (
        WebhookEvent.source == "plex",  # Seerr's strays are shown with Seerr's deliveries
        col(WebhookEvent.owner_id).is_(None),
        WebhookEvent.reason == UNKNOWN_URL,
        WebhookEvent.received_at >= since,
    )
    with session() as s:
        count = s.exec(select(func.count()).select_from(WebhookEvent).where(*stray)).one()
        last = s.exec(select(WebhookEvent).where(*stray).order_by(col(WebhookEvent.id).desc()).limit(1)).first()
    return StrayDeliveries(count, iso(last.received_at) if last else None, last.remote_ip if last else None)


def library_counts(server_id: int) -> dict[str, int]:
    """Items present on the server (not marked removed), by type."""
    counts = {"movie": 0, "show": 0, "season": 0, "episode": 0}
    with session() as s:
        rows = s.exec(
            select(MediaItem.type, func.count())
            .where(MediaItem.server_id == server_id, col(MediaItem.removed_at).is_(None))
            .group_by(MediaItem.type)
        ).all()
    counts.update({kind: n for kind, n in rows})
    return counts


def change_marker(servers: Servers) -> str:
    """Changes whenever a play or a library change lands for the servers (cheap: two indexed maxima each)."""
    marks = []
    with session() as s:
        for server_id in as_ids(servers):
            last_event = s.exec(select(func.max(WatchEvent.id)).where(WatchEvent.server_id == server_id)).one()
            last_sync = s.exec(select(func.max(SyncRun.id)).where(SyncRun.server_id == server_id)).one()
            marks.append(f"{last_event or 0}:{last_sync or 0}")
    return ",".join(marks)
