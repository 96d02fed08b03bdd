"""Run alembic programmatically; the CLI, tests and `make run` all migrate through here."""

from __future__ import annotations

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from alembic import command
from smartplex.config import PROJECT_ROOT
from smartplex.db import get_engine


def alembic_config(db_url: str | None = None) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    if db_url:
        cfg.attributes["db_url"] = db_url
    return cfg


def upgrade(db_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(db_url), revision)


def downgrade(db_url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(db_url), revision)


def current_revision(db_url: str | None = None) -> str | None:
    with get_engine(db_url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
