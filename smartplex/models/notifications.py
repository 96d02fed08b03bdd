"""Telling people what happened: notifications, each person's switches, where they are delivered outside the app
(Apprise URLs) and the outbox of those deliveries; and the state of the admins' alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from smartplex.models.base import fk, flag, num, utcnow


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (
        sa.Index("ix_notification_user_created", "user_id", "created_at"),
        # A writer that must say something once (today's digest, one alert per change) gives a key; NULL never clashes.
        sa.Index("uq_notification_user_dedupe", "user_id", "dedupe_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("user.id", index=False)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=255)
    body: str = Field(default="", max_length=2000)
    link: str | None = Field(default=None, max_length=512)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
    dedupe_key: str | None = Field(default=None, max_length=128)
    # The titles a digest lists ([{"id": media item id, "title": ..., "year": ...}]); NULL for other kinds.
    items: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)


class NotificationPreference(SQLModel, table=True):
    """A kind a person switched off (or on again); no row = the kind's default, on."""

    __tablename__ = "notification_preference"

    user_id: int = Field(sa_column_args=[sa.ForeignKey("user.id", ondelete="CASCADE")], primary_key=True)
    kind: str = Field(max_length=32, primary_key=True)
    enabled: bool = flag(True)
    updated_at: datetime = Field(default_factory=utcnow)


class NotificationChannel(SQLModel, table=True):
    """A place outside the app a person's notifications go to: an Apprise URL (encrypted: it holds tokens and
    passwords), and which kinds go there."""

    __tablename__ = "notification_channel"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("user.id")
    label: str = Field(max_length=64)
    url_encrypted: str = Field(sa_type=sa.Text)
    kinds: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)
    last_sent_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    last_error_at: datetime | None = None


class NotificationDelivery(SQLModel, table=True):
    """The outbox: one notification (or a test) to one channel, until it is sent or given up on. Written in the
    transaction that writes the notification, so nothing is lost when a process stops; a worker sends it."""

    __tablename__ = "notification_delivery"
    __table_args__ = (sa.Index("ix_notification_delivery_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = fk("notification_channel.id")
    notification_id: int | None = fk("notification.id", nullable=True)  # NULL: a test the person asked for
    status: str = Field(default="pending", max_length=16)  # pending | sent | failed (gave up)
    attempts: int = num(0)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_expires_at: datetime | None = None


class AlertState(SQLModel, table=True):
    """What an admin alert last said about one thing ("integration:3" is "down"), so a condition that holds for
    hours is told once when it starts and once when it ends, whichever worker notices."""

    __tablename__ = "alert_state"

    key: str = Field(primary_key=True, max_length=128)
    state: str = Field(max_length=16)
    changed_at: datetime = Field(default_factory=utcnow)
