"""A Plex server, its library and what people watched on it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from smartplex.models.base import big, fk, num, utcnow


class Server(SQLModel, table=True):
    __tablename__ = "server"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = fk("user.id")
    name: str = Field(max_length=255)
    machine_id: str = Field(max_length=64, unique=True)
    connection_urls: list[str] = Field(default_factory=list, sa_type=JSON)
    preferred_connection_url: str | None = Field(default=None, max_length=512)
    token_encrypted: str = Field(max_length=1024)
    version: str | None = Field(default=None, max_length=64)
    unreachable_since: datetime | None = None
    last_full_sync_at: datetime | None = None
    last_incremental_sync_at: datetime | None = None
    # The Plex accounts the server lists at /accounts (read at each sync): the people who can stream from it.
    # None until first read: then every member of the household counts as reaching it.
    account_ids: list[int] | None = Field(default=None, sa_type=JSON)
    # Removed by the admin: its plays stay readable as history, its items leave recommendations and search.
    removed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class MediaItem(SQLModel, table=True):
    __tablename__ = "media_item"
    __table_args__ = (
        sa.UniqueConstraint("server_id", "rating_key"),
        sa.Index("ix_media_item_server_added", "server_id", "added_at"),  # a server's recently added
    )

    id: int | None = Field(default=None, primary_key=True)
    server_id: int = fk("server.id", index=False)
    rating_key: str = Field(max_length=32)
    section_key: str | None = Field(default=None, max_length=32)
    type: str = Field(max_length=16, index=True)
    title: str = Field(default="", max_length=1000)
    parent_title: str | None = Field(default=None, max_length=1000)
    grandparent_title: str | None = Field(default=None, max_length=1000)
    parent_rating_key: str | None = Field(default=None, max_length=32, index=True)
    grandparent_rating_key: str | None = Field(default=None, max_length=32, index=True)
    item_index: int = num(0)
    parent_index: int = num(0)
    year: int = num(0)
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
    duration_ms: int = big(0)
    rating: float = num(0.0)
    audience_rating: float = num(0.0)
    file_size_bytes: int = big(0)
    thumb: str | None = Field(default=None, max_length=512)
    art: str | None = Field(default=None, max_length=512)  # the backdrop
    # services.text.search_key of its title (and its show's, for an episode): what searches compare against.
    search_key: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
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
    server_id: int = fk("server.id", index=False)
    user_id: int | None = fk("user.id", ondelete="SET NULL", nullable=True, index=False)
    plex_account_id: int | None = Field(default=None, index=True)
    media_item_id: int | None = fk("media_item.id", ondelete="SET NULL", nullable=True)
    rating_key: str | None = Field(default=None, max_length=32)
    event: str = Field(max_length=16)
    viewed_at: datetime
    progress: float = num(0.0)
    view_offset_ms: int = big(0)
    user_rating: float = num(0.0)
    source: str = Field(max_length=16)
    attributed_to_request_id: int | None = fk(
        "content_request.id", ondelete="SET NULL", nullable=True, index=False
    )
    dedupe_key: str = Field(max_length=64, unique=True)
