"""The real alembic migrations on SQLite and PostgreSQL: up, down, up again, and the result matches
the models exactly.

PostgreSQL runs in a database of its own (smartplex_migrations) so the session's `test` database,
which other tests use, is never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from psycopg import sql
from sqlalchemy.engine import Connection, make_url
from sqlmodel import SQLModel

import smartplex.models  # noqa: F401 - registers the tables on SQLModel.metadata
from smartplex import db as dbmod
from smartplex import migrations
from tests.conftest import POSTGRES_URL, reset_postgres

PG_DATABASE = "smartplex_migrations"


def postgres_database(name: str) -> str:
    """URL of database `name` on the test server, created when missing; skips when the server is down."""
    base = make_url(POSTGRES_URL)
    try:
        with psycopg.connect(
            host=base.host, port=base.port or 5432, user=base.username, password=base.password,
            dbname=base.database, connect_timeout=3, autocommit=True,
        ) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL unreachable at {base.host}:{base.port}: {exc}")
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgres":
        url = postgres_database(PG_DATABASE)
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    yield url
    dbmod.dispose_engines()


def _tables(url: str) -> set[str]:
    with dbmod.get_engine(url).connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def _is_sqlite_empty_default_echo(conn: Connection, diff: tuple[Any, ...]) -> bool:
    """alembic reports SQLite's reflected DEFAULT ('') as differing from server_default="", the same value."""
    return (
        conn.dialect.name == "sqlite"
        and diff[0] == "modify_default"
        and str(getattr(diff[5].arg, "text", diff[5].arg)).strip("()") == "''"
        and diff[6].arg == ""
    )


def _pending_diff(url: str) -> list[Any]:
    with dbmod.get_engine(url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        changes = []
        for entry in compare_metadata(context, SQLModel.metadata):
            # Column modifications come grouped per column as lists.
            group = entry if isinstance(entry, list) else [entry]
            changes += [d for d in group if not _is_sqlite_empty_default_echo(conn, d)]
        return changes


def test_upgrade_downgrade_upgrade(empty_db: str) -> None:
    model_tables = set(SQLModel.metadata.tables)
    head = migrations.head_revision()
    assert head is not None

    migrations.upgrade(empty_db)
    assert migrations.current_revision(empty_db) == head
    assert model_tables <= _tables(empty_db)

    migrations.downgrade(empty_db, "base")
    assert migrations.current_revision(empty_db) is None
    assert _tables(empty_db) <= {"alembic_version"}

    migrations.upgrade(empty_db)
    assert migrations.current_revision(empty_db) == head
    assert _tables(empty_db) == model_tables | {"alembic_version"}
    assert _pending_diff(empty_db) == []


def test_indexes_and_constraints(empty_db: str) -> None:
    migrations.upgrade(empty_db)
    with dbmod.get_engine(empty_db).connect() as conn:
        inspector = sa.inspect(conn)
        media_indexes = {tuple(i["column_names"]) for i in inspector.get_indexes("media_item")}
        assert {("tmdb_id",), ("tvdb_id",), ("imdb_id",), ("type",), ("added_at",)} <= media_indexes
        media_unique = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("media_item")}
        media_unique |= {tuple(i["column_names"]) for i in inspector.get_indexes("media_item") if i["unique"]}
        assert ("server_id", "rating_key") in media_unique
        assert ("user_id", "viewed_at") in {tuple(i["column_names"]) for i in inspector.get_indexes("watch_event")}
        assert ("email",) in {tuple(i["column_names"]) for i in inspector.get_indexes("user") if i["unique"]}


def test_numeric_columns_have_server_defaults(empty_db: str) -> None:
    """Rows written by raw SQL (any path but the ORM) get 0, never NULL, in the numbers scores read."""
    migrations.upgrade(empty_db)
    with dbmod.get_engine(empty_db).begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO \"user\" (name, email, role, password_hash, created_at) "
            "VALUES ('Raw', 'raw@example.com', 'admin', 'x', CURRENT_TIMESTAMP)"
        ))
        user_id = conn.execute(sa.text("SELECT id FROM \"user\"")).scalar_one()
        conn.execute(sa.text(
            "INSERT INTO server (owner_id, name, machine_id, connection_urls, token_encrypted, created_at) "
            "VALUES (:owner, 'Raw', 'machine-1', '[]', 'x', CURRENT_TIMESTAMP)"
        ), {"owner": user_id})
        server_id = conn.execute(sa.text("SELECT id FROM server")).scalar_one()
        conn.execute(sa.text(
            "INSERT INTO media_item (server_id, rating_key, type, title, genres, directors, actors, synced_at) "
            "VALUES (:server, '1', 'movie', 'Raw', '[]', '[]', '[]', CURRENT_TIMESTAMP)"
        ), {"server": server_id})
        item = conn.execute(sa.text(
            "SELECT item_index, parent_index, year, duration_ms, rating, audience_rating, file_size_bytes, summary "
            "FROM media_item"
        )).one()
        user = conn.execute(sa.text("SELECT login_count, is_active FROM \"user\"")).one()
    assert tuple(item) == (0, 0, 0, 0, 0.0, 0.0, 0, "")
    assert user.login_count == 0 and bool(user.is_active) is True


def test_people_from_plex_keep_one_person_per_account(empty_db: str) -> None:
    """0009 makes the Plex account unique: of people linked to the same account the first keeps it; going back
    gives people without email or password values the older schema requires."""
    migrations.upgrade(empty_db, "0005")
    with dbmod.get_engine(empty_db).begin() as conn:
        for name, account in (("Ann", 42), ("Ben", 42), ("Cy", 7)):
            conn.execute(
                sa.text(
                    'INSERT INTO "user" (name, email, role, password_hash, plex_account_id, created_at) '
                    "VALUES (:name, :email, 'member', 'x', :account, CURRENT_TIMESTAMP)"
                ),
                {"name": name, "email": f"{name.lower()}@example.com", "account": account},
            )
    migrations.upgrade(empty_db)
    with dbmod.get_engine(empty_db).begin() as conn:
        linked = dict(conn.execute(sa.text('SELECT name, plex_account_id FROM "user"')).all())
        conn.execute(sa.text('INSERT INTO "user" (name, role, created_at) VALUES (\'Plexy\', \'member\', CURRENT_TIMESTAMP)'))
    assert linked == {"Ann": 42, "Ben": None, "Cy": 7}

    migrations.downgrade(empty_db, "0005")
    with dbmod.get_engine(empty_db).connect() as conn:
        plexy = conn.execute(sa.text("SELECT id, email, password_hash FROM \"user\" WHERE name = 'Plexy'")).one()
    assert (plexy.email, plexy.password_hash) == (f"plex-{plexy.id}@users.invalid", "!")
