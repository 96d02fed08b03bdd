"""Content requests (through Overseerr / Seerr) and members' weekly request quotas."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from smartplex.models.base import fk, num, utcnow


class RequestStatus(StrEnum):
    """What a member sees of a request; `submitting` is SmartPlex's own reservation while Seerr is being asked."""

    SUBMITTING = "submitting"
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    PROCESSING = "processing"
    PARTIALLY_AVAILABLE = "partially_available"
    AVAILABLE = "available"
    FAILED = "failed"


class ContentRequest(SQLModel, table=True):
    __tablename__ = "content_request"
    __table_args__ = (
        sa.Index("ix_content_request_user_requested", "user_id", "requested_at"),
        sa.Index("ix_content_request_status", "status"),
        sa.Index("uq_content_request_overseerr_request_id", "overseerr_request_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("user.id", index=False)
    server_id: int | None = fk("server.id", ondelete="SET NULL", nullable=True, index=False)
    media_type: str = Field(max_length=8)  # movie | tv (Seerr's words)
    tmdb_id: int = Field(index=True)
    tvdb_id: int | None = Field(default=None, index=True)
    title: str = Field(max_length=1000)
    year: int = num(0)
    poster_path: str | None = Field(default=None, max_length=512)
    # Season numbers asked for (shows only) and those on the server so far; NULL for movies.
    seasons: list[int] | None = Field(default=None, sa_type=JSON)
    seasons_available: list[int] | None = Field(default=None, sa_type=JSON)
    status: str = Field(default=RequestStatus.PENDING, max_length=24)
    status_reason: str | None = Field(default=None, max_length=500)
    requested_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    available_at: datetime | None = None
    overseerr_request_id: int | None = None
    # The library item (movie or show) once it is on the server: watches of it (or its episodes) count for the request.
    media_item_id: int | None = fk("media_item.id", ondelete="SET NULL", nullable=True)
    # smartplex, or overseerr: made in Seerr itself and found by the poll or a webhook
    origin: str = Field(default="smartplex", max_length=16, sa_column_kwargs={"server_default": "smartplex"})


class RequestQuota(SQLModel, table=True):
    """A member's own weekly limits; NULL = the household default (see services.overseerr.quotas)."""

    __tablename__ = "request_quota"

    user_id: int = Field(sa_column_args=[sa.ForeignKey("user.id", ondelete="CASCADE")], primary_key=True)
    movies_per_week: int | None = None
    seasons_per_week: int | None = None
    updated_at: datetime = Field(default_factory=utcnow)

