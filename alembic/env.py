"""Alembic environment: SmartPlex's engine and metadata (SQLite gets batch mode for ALTERs)."""

from alembic import context
from sqlmodel import SQLModel

import smartplex.models  # noqa: F401 - registers the tables on SQLModel.metadata
from smartplex.db import get_engine

config = context.config
url = config.attributes.get("db_url") or config.get_main_option("sqlalchemy.url") or None


def run_migrations_offline() -> None:
    context.configure(url=url or str(get_engine().url), target_metadata=SQLModel.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
