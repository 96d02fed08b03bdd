"""Column helpers shared by the schema's modules, and the one clock every row uses."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def num(default: int | float = 0, **kw: Any) -> Any:
    """A NOT NULL numeric column with the same default in Python and in the database."""
    return Field(default=default, nullable=False, sa_column_kwargs={"server_default": str(default)}, **kw)


def big(default: int = 0) -> Any:
    return Field(default=default, sa_type=sa.BigInteger, nullable=False, sa_column_kwargs={"server_default": str(default)})


def flag(default: bool) -> Any:
    return Field(default=default, nullable=False, sa_column_kwargs={"server_default": sa.true() if default else sa.false()})


def fk(target: str, *, ondelete: str = "CASCADE", nullable: bool = False, index: bool = True) -> Any:
    return Field(default=None, sa_column_args=[sa.ForeignKey(target, ondelete=ondelete)], nullable=nullable, index=index)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 text for views (None stays None)."""
    return moment.isoformat() if moment else None
