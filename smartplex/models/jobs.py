"""Bookkeeping of recurring background jobs that every worker ticks but only one should run each time."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class RecurringJob(SQLModel, table=True):
    """When a job (probe the integrations, check the alerts, send digests) may run next, and who ran it last: a
    worker runs it only after moving `next_run_at` forward itself (services/recurring.py)."""

    __tablename__ = "recurring_job"

    name: str = Field(primary_key=True, max_length=64)
    next_run_at: datetime
    last_owner: str | None = Field(default=None, max_length=128)
    last_run_at: datetime | None = None
