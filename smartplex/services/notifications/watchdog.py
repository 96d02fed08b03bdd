"""What the admins are alerted to besides integrations (probes.py does those): a server whose syncs failed twice
in a row, Plex webhooks that stopped arriving for longer than the admin set (they stop silently when Plex Pass
lapses), and a database or disk past the admin's limits. Each is told once when it starts and once when it ends
(alerts.py). The limits are app settings the admins change on their notification settings.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from smartplex import routes
from smartplex.config import get_settings
from smartplex.db import get_engine, reading, write_transaction
from smartplex.models import SERVERS, SYNC_RUNS, WATCH, WEBHOOK_EVENTS, WebhookStatus, utcnow
from smartplex.services import preferences, wording
from smartplex.services.notifications import alerts
from smartplex.services.notifications.kinds import STORAGE, SYNC_FAILED, WEBHOOKS_SILENT

SETTINGS_KEY = "alert_limits"
MAX_SILENCE_HOURS = 24 * 30
MAX_DB_MB = 10_000_000


class LimitError(ValueError):
    """A limit cannot be stored as given; the message is safe to show."""


@dataclass(frozen=True)
class Limits:
    webhook_silence_hours: int = 24  # 0 = do not watch
    database_mb: int = 0  # 0 = no limit
    disk_free_percent: int = 5  # 0 = do not watch


def limits() -> Limits:
    stored = preferences.get(SETTINGS_KEY) or {}
    base = Limits()
    return Limits(**{name: int(stored.get(name, getattr(base, name))) for name in Limits.__dataclass_fields__})


def save_limits(actor_id: int, webhook_silence_hours: object, database_mb: object, disk_free_percent: object) -> Limits:
    """Store the admins' limits (admins only); blank means "do not watch"."""
    def whole(value: object, name: str, top: int) -> int:
        text = str(value if value is not None else "").strip()
        if not text:
            return 0
        if not text.isdigit() or int(text) > top:
            raise LimitError(f"{name} must be a whole number from 0 to {top:,}.")
        return int(text)

    chosen = Limits(
        whole(webhook_silence_hours, "Hours without webhooks", MAX_SILENCE_HOURS),
        whole(database_mb, "The database limit", MAX_DB_MB),
        whole(disk_free_percent, "Free disk space", 99),
    )
    preferences.put(actor_id, SETTINGS_KEY, chosen.__dict__)
    return chosen


# --------------------------------------------------------------------------- syncs


def after_sync(server_id: int) -> None:
    """After a sync of the server ended: alert when the last two finished syncs failed, clear when one works."""
    with write_transaction() as conn:
        statuses = list(
            conn.execute(
                sa.select(SYNC_RUNS.c.status)
                .where(SYNC_RUNS.c.server_id == server_id, SYNC_RUNS.c.status.in_(("succeeded", "failed")))
                .order_by(SYNC_RUNS.c.id.desc())
                .limit(2)
            ).scalars()
        )
        if not statuses:
            return
        name = conn.execute(sa.select(SERVERS.c.name).where(SERVERS.c.id == server_id)).scalar() or "Plex"
        error = conn.execute(
            sa.select(SYNC_RUNS.c.error).where(SYNC_RUNS.c.server_id == server_id).order_by(SYNC_RUNS.c.id.desc()).limit(1)
        ).scalar()
        alerts.raise_or_clear(
            conn, f"sync:{server_id}", statuses == ["failed", "failed"], SYNC_FAILED,
            title=f"Syncs of {name} keep failing",
            body=f"The last two syncs failed. The latest said: {error or 'no reason given'}",
            cleared_title=f"Syncs of {name} work again", link=routes.ADMIN_PLEX,
        )  # fmt: skip


# --------------------------------------------------------------------------- webhooks


def check_webhooks(now: datetime | None = None) -> None:
    """Per server that has ever had a Plex webhook: alert when none arrived for longer than the admin set."""
    now = now or utcnow()
    hours = limits().webhook_silence_hours
    W = WEBHOOK_EVENTS
    with reading() as conn:
        servers = conn.execute(sa.select(SERVERS.c.id, SERVERS.c.name).where(SERVERS.c.removed_at.is_(None))).all()
        last = dict(
            conn.execute(
                sa.select(W.c.server_id, sa.func.max(W.c.received_at))
                .where(W.c.source == "plex", W.c.status == WebhookStatus.ACCEPTED, W.c.server_id.is_not(None))
                .group_by(W.c.server_id)
            ).all()
        )
    for server_id, name in servers:
        latest = last.get(server_id)
        if latest is None:
            continue  # webhooks were never set up: nothing stopped
        silent = hours > 0 and (now - latest).total_seconds() > hours * 3600
        with write_transaction() as conn:
            body = _silence(conn, server_id, latest, now) if silent else ""
            alerts.raise_or_clear(
                conn, f"webhooks:{server_id}", silent, WEBHOOKS_SILENT,
                title=f"Plex webhooks stopped: {name}", body=body,
                cleared_title=f"Plex webhooks arrive again: {name}" if hours else None, link=routes.ADMIN_PLEX,
            )  # fmt: skip


def _silence(conn: sa.Connection, server_id: int, latest: datetime, now: datetime) -> str:
    since = wording.plural(int((now - latest).total_seconds() // 3600), "hour")
    plays = conn.execute(
        sa.select(sa.func.count()).select_from(WATCH)
        .where(WATCH.c.server_id == server_id, WATCH.c.source == "history", WATCH.c.viewed_at > latest)
    ).scalar_one()  # fmt: skip
    if plays:
        return (f"The last one arrived {since} ago, yet Plex's own history shows {wording.plural(plays, 'play')} since: "
                "Plex stopped sending them. Plex Pass may have lapsed, or the webhook URL in Plex changed; "
                "Admin → Plex shows the URL.")  # fmt: skip
    return (f"The last one arrived {since} ago. If people watched meanwhile, check Plex Pass and the webhook URL in "
            "Plex (Admin → Plex shows it).")  # fmt: skip


# --------------------------------------------------------------------------- storage


def database_bytes() -> int:
    """The database's size on disk (SQLite: the file and its write-ahead log)."""
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one())
    path = Path(engine.url.database or "")
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.is_file())


def disk_free_percent() -> float:
    folder = get_settings().data_dir
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    usage = shutil.disk_usage(folder)
    return 100.0 * usage.free / usage.total if usage.total else 100.0


def check_storage() -> None:
    """Alert when the database grew past its limit or free disk space fell below the admin's share; a limit
    switched off (0) ends its alert without a word."""
    chosen = limits()
    size_mb = database_bytes() / 1_000_000
    free = disk_free_percent()
    with write_transaction() as conn:
        alerts.raise_or_clear(
            conn, "storage:database", chosen.database_mb > 0 and size_mb > chosen.database_mb, STORAGE,
            title="The database is past its size limit",
            body=f"It holds {size_mb:,.1f} MB; the limit is {chosen.database_mb:,} MB.",
            cleared_title="The database is back under its size limit" if chosen.database_mb else None,
            link=routes.NOTIFICATION_SETTINGS,
        )  # fmt: skip
        alerts.raise_or_clear(
            conn, "storage:disk", chosen.disk_free_percent > 0 and free < chosen.disk_free_percent, STORAGE,
            title="The disk is nearly full",
            body=f"{free:.1f}% of the disk holding SmartPlex's data is free; you asked to hear below "
                 f"{chosen.disk_free_percent}%.",
            cleared_title="The disk has room again" if chosen.disk_free_percent else None,
            link=routes.NOTIFICATION_SETTINGS,
        )  # fmt: skip
