"""The outside services SmartPlex talks to, with their health and circuit state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from smartplex.models.base import fk, num


class IntegrationKind(StrEnum):
    PLEX = "plex"
    OVERSEERR = "overseerr"
    TAUTULLI = "tautulli"
    OPENAI = "openai"


class Integration(SQLModel, table=True):
    __tablename__ = "integration"
    __table_args__ = (sa.UniqueConstraint("server_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    server_id: int = fk("server.id")
    kind: str = Field(max_length=16)
    base_url: str = Field(max_length=512)
    secret_encrypted: str | None = Field(default=None, max_length=1024)
    health_status: str = Field(default="unknown", max_length=16)
    last_checked_at: datetime | None = None
    last_latency_ms: int = num(0)
    last_error: str | None = Field(default=None, max_length=1000)
    circuit_state: str = Field(default="closed", max_length=16)
    consecutive_failures: int = num(0)
    circuit_opened_at: datetime | None = None
