"""The audit of library clean-up."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from smartplex.models.base import big, fk, flag, num, utcnow


class DeletionLog(SQLModel, table=True):
    __tablename__ = "deletion_log"

    id: int | None = Field(default=None, primary_key=True)
    server_id: int | None = fk("server.id", ondelete="SET NULL", nullable=True)
    media_item_id: int | None = fk("media_item.id", ondelete="SET NULL", nullable=True)
    title: str = Field(max_length=1000)
    deleted_at: datetime = Field(default_factory=utcnow, index=True)
    deleted_by: int | None = fk("user.id", ondelete="SET NULL", nullable=True)
    reason: str = Field(default="", max_length=1000)
    score: float = num(0.0)
    size_bytes: int = big(0)
    can_undo: bool = flag(False)
