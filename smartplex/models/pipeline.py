"""How data arrives from Plex: sync schedules and runs, and the audit (and queue) of webhooks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from smartplex.models.base import fk, flag, num, utcnow


class SyncSchedule(SQLModel, table=True):
    __tablename__ = "sync_schedule"
    __table_args__ = (sa.UniqueConstraint("server_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    server_id: int = fk("server.id")
    kind: str = Field(max_length=16)
    interval_minutes: int = num(60)
    enabled: bool = flag(True)
    last_run_at: datetime | None = None
    next_run_at: datetime | None = Field(default=None, index=True)
    run_count: int = num(0)
    last_error: str | None = Field(default=None, max_length=1000)
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_expires_at: datetime | None = None


class SyncRun(SQLModel, table=True):
    __tablename__ = "sync_run"

    id: int | None = Field(default=None, primary_key=True)
    server_id: int = fk("server.id")
    kind: str = Field(max_length=16)
    trigger: str = Field(default="manual", max_length=16)
    status: str = Field(default="running", max_length=16)
    started_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None
    items_seen: int = num(0)
    items_changed: int = num(0)
    items_removed: int = num(0)
    duration_ms: int = num(0)
    error: str | None = Field(default=None, max_length=2000)


class WebhookStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    FAILED = "failed"


class WebhookEvent(SQLModel, table=True):
    """The audit of every webhook: accepted, rejected (with reason), duplicate or failed."""

    __tablename__ = "webhook_event"

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(default_factory=utcnow, index=True)
    owner_id: int | None = fk("user.id", ondelete="SET NULL", nullable=True)
    server_id: int | None = fk("server.id", ondelete="SET NULL", nullable=True, index=False)
    source: str = Field(default="plex", max_length=16)
    event: str | None = Field(default=None, max_length=64)
    status: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=500)
    payload_hash: str | None = Field(default=None, max_length=64, index=True)
    remote_ip: str | None = Field(default=None, max_length=64)
    # The accepted payload is the durable queue: a worker processes rows with processed_at unset,
    # also the ones left over when a process stopped.
    payload: str | None = Field(default=None, sa_type=sa.Text)
    processed_at: datetime | None = Field(default=None, index=True)
