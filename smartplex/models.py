"""The schema: one table per concept (see DESIGN.md). Changes go through an alembic revision.

Numbers that scores and statistics read are NOT NULL with a server default, so rows written by
any path (sync, webhook, migration) never hold NULL where arithmetic expects a number.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _num(default: int | float = 0, **kw: Any) -> Any:
    """A NOT NULL numeric column with the same default in Python and in the database."""
    return Field(default=default, nullable=False, sa_column_kwargs={"server_default": str(default)}, **kw)


def _big(default: int = 0) -> Any:
    return Field(default=default, sa_type=sa.BigInteger, nullable=False, sa_column_kwargs={"server_default": str(default)})


def _flag(default: bool) -> Any:
    return Field(default=default, nullable=False, sa_column_kwargs={"server_default": sa.true() if default else sa.false()})


def _fk(target: str, *, ondelete: str = "CASCADE", nullable: bool = False, index: bool = True) -> Any:
    return Field(default=None, sa_column_args=[sa.ForeignKey(target, ondelete=ondelete)], nullable=nullable, index=index)


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class User(SQLModel, table=True):
    __tablename__ = "user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    email: str = Field(max_length=254, unique=True, index=True)
    role: str = Field(default=Role.MEMBER, max_length=16)
    password_hash: str = Field(max_length=255)
    plex_account_id: int | None = Field(default=None, index=True)
    plex_username: str | None = Field(default=None, max_length=255)
    webhook_secret_hash: str | None = Field(default=None, max_length=64, unique=True)
    webhook_secret_encrypted: str | None = Field(default=None, max_length=512)
    is_active: bool = _flag(True)
    last_login_at: datetime | None = None
    login_count: int = _num(0)
    created_at: datetime = Field(default_factory=utcnow)


class AuthSession(SQLModel, table=True):
    """A login. The browser holds only the random token; we store its hash."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = _fk("user.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    ip: str | None = Field(default=None, max_length=64)


class Invite(SQLModel, table=True):
    """A one-time link that lets a member set their own password."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(default=Role.MEMBER, max_length=16)
    name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    plex_account_id: int | None = None
    plex_username: str | None = Field(default=None, max_length=255)
    created_by: int = _fk("user.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = _fk("user.id", ondelete="SET NULL", nullable=True, index=False)


class Server(SQLModel, table=True):
    __tablename__ = "server"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _fk("user.id")
    name: str = Field(max_length=255)
    machine_id: str = Field(max_length=64, unique=True)
    connection_urls: list[str] = Field(default_factory=list, sa_type=JSON)
    preferred_connection_url: str | None = Field(default=None, max_length=512)
    token_encrypted: str = Field(max_length=1024)
    version: str | None = Field(default=None, max_length=64)
    unreachable_since: datetime | None = None
    last_full_sync_at: datetime | None = None
    last_incremental_sync_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class IntegrationKind(StrEnum):
    PLEX = "plex"
    OVERSEERR = "overseerr"
    TAUTULLI = "tautulli"
    OPENAI = "openai"


class Integration(SQLModel, table=True):
    __tablename__ = "integration"
    __table_args__ = (sa.UniqueConstraint("server_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    server_id: int = _fk("server.id")
    kind: str = Field(max_length=16)
    base_url: str = Field(max_length=512)
    secret_encrypted: str | None = Field(default=None, max_length=1024)
    health_status: str = Field(default="unknown", max_length=16)
    last_checked_at: datetime | None = None
    last_latency_ms: int = _num(0)
    last_error: str | None = Field(default=None, max_length=1000)
    circuit_state: str = Field(default="closed", max_length=16)
    consecutive_failures: int = _num(0)
    circuit_opened_at: datetime | None = None


class MediaItem(SQLModel, table=True):
    __tablename__ = "media_item"
    __table_args__ = (
        sa.UniqueConstraint("server_id", "rating_key"),
        sa.Index("ix_media_item_server_added", "server_id", "added_at"),  # a server's recently added
    )

    id: int | None = Field(default=None, primary_key=True)
    server_id: int = _fk("server.id", index=False)
    rating_key: str = Field(max_length=32)
    section_key: str | None = Field(default=None, max_length=32)
    type: str = Field(max_length=16, index=True)
    title: str = Field(default="", max_length=1000)
    parent_title: str | None = Field(default=None, max_length=1000)
    grandparent_title: str | None = Field(default=None, max_length=1000)
    parent_rating_key: str | None = Field(default=None, max_length=32, index=True)
    grandparent_rating_key: str | None = Field(default=None, max_length=32, index=True)
    item_index: int = _num(0)
    parent_index: int = _num(0)
    year: int = _num(0)
    genres: list[str] = Field(default_factory=list, sa_type=JSON)
    directors: list[str] = Field(default_factory=list, sa_type=JSON)
    actors: list[str] = Field(default_factory=list, sa_type=JSON)
    summary: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    content_rating: str | None = Field(default=None, max_length=32)
    studio: str | None = Field(default=None, max_length=255)
    guid: str | None = Field(default=None, max_length=512)
    imdb_id: str | None = Field(default=None, max_length=16, index=True)
    tmdb_id: int | None = Field(default=None, index=True)
    tvdb_id: int | None = Field(default=None, index=True)
    added_at: datetime | None = Field(default=None, index=True)
    updated_at: datetime | None = None
    duration_ms: int = _big(0)
    rating: float = _num(0.0)
    audience_rating: float = _num(0.0)
    file_size_bytes: int = _big(0)
    thumb: str | None = Field(default=None, max_length=512)
    removed_at: datetime | None = None
    synced_at: datetime = Field(default_factory=utcnow)


class WatchEventKind(StrEnum):
    PLAY = "play"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    SCROBBLE = "scrobble"
    RATE = "rate"
    VIEWED = "viewed"


class WatchEvent(SQLModel, table=True):
    __tablename__ = "watch_event"
    __table_args__ = (
        sa.Index("ix_watch_event_user_viewed", "user_id", "viewed_at"),
        # Covers a server's recent plays by item and person (trending) without reading the table rows.
        sa.Index(
            "ix_watch_event_server_viewed", "server_id", "viewed_at", "media_item_id", "plex_account_id", "user_id", "event"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    server_id: int = _fk("server.id", index=False)
    user_id: int | None = _fk("user.id", ondelete="SET NULL", nullable=True, index=False)
    plex_account_id: int | None = Field(default=None, index=True)
    media_item_id: int | None = _fk("media_item.id", ondelete="SET NULL", nullable=True)
    rating_key: str | None = Field(default=None, max_length=32)
    event: str = Field(max_length=16)
    viewed_at: datetime
    progress: float = _num(0.0)
    view_offset_ms: int = _big(0)
    user_rating: float = _num(0.0)
    source: str = Field(max_length=16)
    attributed_to_request_id: int | None = _fk(
        "content_request.id", ondelete="SET NULL", nullable=True, index=False
    )
    dedupe_key: str = Field(max_length=64, unique=True)


class SyncSchedule(SQLModel, table=True):
    __tablename__ = "sync_schedule"
    __table_args__ = (sa.UniqueConstraint("server_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    server_id: int = _fk("server.id")
    kind: str = Field(max_length=16)
    interval_minutes: int = _num(60)
    enabled: bool = _flag(True)
    last_run_at: datetime | None = None
    next_run_at: datetime | None = Field(default=None, index=True)
    run_count: int = _num(0)
    last_error: str | None = Field(default=None, max_length=1000)
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_expires_at: datetime | None = None


class SyncRun(SQLModel, table=True):
    __tablename__ = "sync_run"

    id: int | None = Field(default=None, primary_key=True)
    server_id: int = _fk("server.id")
    kind: str = Field(max_length=16)
    trigger: str = Field(default="manual", max_length=16)
    status: str = Field(default="running", max_length=16)
    started_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None
    items_seen: int = _num(0)
    items_changed: int = _num(0)
    items_removed: int = _num(0)
    duration_ms: int = _num(0)
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
    owner_id: int | None = _fk("user.id", ondelete="SET NULL", nullable=True)
    server_id: int | None = _fk("server.id", ondelete="SET NULL", nullable=True, index=False)
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


class ContentRequest(SQLModel, table=True):
    __tablename__ = "content_request"
    __table_args__ = (sa.Index("ix_content_request_user_requested", "user_id", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = _fk("user.id", index=False)
    server_id: int | None = _fk("server.id", ondelete="SET NULL", nullable=True, index=False)
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
    user_id: int = _fk("user.id", index=False)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=255)
    body: str = Field(default="", max_length=2000)
    link: str | None = Field(default=None, max_length=512)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


class DeletionLog(SQLModel, table=True):
    __tablename__ = "deletion_log"

    id: int | None = Field(default=None, primary_key=True)
    server_id: int | None = _fk("server.id", ondelete="SET NULL", nullable=True)
    media_item_id: int | None = _fk("media_item.id", ondelete="SET NULL", nullable=True)
    title: str = Field(max_length=1000)
    deleted_at: datetime = Field(default_factory=utcnow, index=True)
    deleted_by: int | None = _fk("user.id", ondelete="SET NULL", nullable=True)
    reason: str = Field(default="", max_length=1000)
    score: float = _num(0.0)
    size_bytes: int = _big(0)
    can_undo: bool = _flag(False)


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_message"
    __table_args__ = (sa.Index("ix_chat_message_user_created", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = _fk("user.id", index=False)
    role: str = Field(max_length=16)
    content: str = Field(sa_type=sa.Text)
    scope: str = Field(default="user", max_length=8)
    created_at: datetime = Field(default_factory=utcnow)


class AiCall(SQLModel, table=True):
    __tablename__ = "ai_call"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = _fk("user.id", ondelete="SET NULL", nullable=True)
    feature: str = Field(default="chat", max_length=32)
    model: str = Field(max_length=128)
    prompt_tokens: int = _num(0)
    completion_tokens: int = _num(0)
    latency_ms: int = _num(0)
    cost_usd: float = _num(0.0)
    status: str = Field(default="ok", max_length=16)
    error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class AiFeedback(SQLModel, table=True):
    __tablename__ = "ai_feedback"

    id: int | None = Field(default=None, primary_key=True)
    ai_call_id: int | None = _fk("ai_call.id", ondelete="SET NULL", nullable=True)
    chat_message_id: int | None = _fk("chat_message.id", ondelete="SET NULL", nullable=True)
    user_id: int | None = _fk("user.id", ondelete="SET NULL", nullable=True)
    confidence: float = _num(0.0)
    data_sources: list[str] = Field(default_factory=list, sa_type=JSON)
    missing_data: list[str] = Field(default_factory=list, sa_type=JSON)
    rating: int = _num(0)
    comment: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class AiLearningItem(SQLModel, table=True):
    __tablename__ = "ai_learning_item"

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(max_length=2000)
    why_failed: str = Field(default="", max_length=2000)
    missing_data: list[str] = Field(default_factory=list, sa_type=JSON)
    times_asked: int = _num(1)
    priority: int = _num(0)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
