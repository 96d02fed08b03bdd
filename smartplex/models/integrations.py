"""The outside services SmartPlex talks to, with their health and circuit state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from smartplex.models.base import fk, num


class IntegrationKind(StrEnum):
    PLEX = "plex"
    OVERSEERR = "overseerr"
    TAUTULLI = "tautulli"
    OPENAI = "openai"


class Integration(SQLModel, table=True):
    """One outside service: a Plex server's (`server_id` set) or the household's (Seerr, Tautulli, the AI
    provider: `server_id` NULL, one row per kind)."""

    __tablename__ = "integration"
    __table_args__ = (
        sa.UniqueConstraint("server_id", "kind"),
        sa.Index(
            "uq_integration_household_kind",
            "kind",
            unique=True,
            sqlite_where=sa.text("server_id IS NULL"),
            postgresql_where=sa.text("server_id IS NULL"),
        ),
        sa.Index("uq_integration_webhook_secret_hash", "webhook_secret_hash", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    server_id: int | None = fk("server.id", nullable=True)
    kind: str = Field(max_length=16)
    base_url: str = Field(max_length=512)
    secret_encrypted: str | None = Field(default=None, max_length=1024)
    # Kind-specific and never secret (a model name, a user mapping); NULL on rows from before it existed.
    settings: dict[str, Any] | None = Field(default_factory=dict, sa_type=JSON)
    health_status: str = Field(default="unknown", max_length=16)
    last_checked_at: datetime | None = None
    last_latency_ms: int = num(0)
    last_error: str | None = Field(default=None, max_length=1000)
    circuit_state: str = Field(default="closed", max_length=16)
    consecutive_failures: int = num(0)
    circuit_opened_at: datetime | None = None
    # Webhooks the service sends us (Seerr's): the URL's secret (its SHA-256 to find the row, encrypted to show
    # the URL again) and the Authorization header the admin configured there (encrypted; NULL = none expected).
    webhook_secret_hash: str | None = Field(default=None, max_length=64)
    webhook_secret_encrypted: str | None = Field(default=None, max_length=512)
    webhook_auth_encrypted: str | None = Field(default=None, max_length=1024)
    # A poll of the service (Seerr's missed-webhook catch-up) runs in one worker at a time: its lease.
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_expires_at: datetime | None = None
    last_polled_at: datetime | None = None


class IntegrationProbe(SQLModel, table=True):
    """One health probe of an integration: the 24-hour latency history and status of its card (kept a week)."""

    __tablename__ = "integration_probe"
    __table_args__ = (sa.Index("ix_integration_probe_integration_checked", "integration_id", "checked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    integration_id: int = fk("integration.id", index=False)
    checked_at: datetime = Field(index=True)
    status: str = Field(max_length=16)  # ok | slow | degraded | down | rejected
    latency_ms: int = num(0)
    version: str | None = Field(default=None, max_length=64)
    error: str | None = Field(default=None, max_length=500)
