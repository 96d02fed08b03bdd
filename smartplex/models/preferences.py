"""Settings the admin changes in the app itself (what the environment sets wins over them)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from smartplex.models.base import fk, utcnow


class AppSetting(SQLModel, table=True):
    """One setting by name; the value is JSON text, so a setting may be a string, number, list or object."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_type=sa.Text)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = fk("user.id", ondelete="SET NULL", nullable=True, index=False)
