"""Content requests (through Overseerr / Seerr) and the notifications they cause."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from smartplex.models.base import fk, utcnow


class ContentRequest(SQLModel, table=True):
    __tablename__ = "content_request"
    __table_args__ = (sa.Index("ix_content_request_user_requested", "user_id", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("user.id", index=False)
    server_id: int | None = fk("server.id", ondelete="SET NULL", nullable=True, index=False)
    media_type: str = Field(max_length=8)
    tmdb_id: int = Field(index=True)
    title: str = Field(max_length=1000)
    poster_path: str | None = Field(default=None, max_length=512)
    status: str = Field(default="pending", max_length=24)
    requested_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    available_at: datetime | None = None
    overseerr_request_id: int | None = Field(default=None, index=True)


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_user_created", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("user.id", index=False)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=255)
    body: str = Field(default="", max_length=2000)
    link: str | None = Field(default=None, max_length=512)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
