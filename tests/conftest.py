"""Shared fixtures: a fresh migrated database per test, signed-in users, simulators, and the real app
in Chromium.

The database is a real SQLite file by default; `--db=postgres` (or SMARTPLEX_TEST_DB=postgres) runs
the same tests against the local PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Settings are read from the environment on first use, so point everything at a scratch folder
# before any SmartPlex module runs.
_SCRATCH = Path(tempfile.mkdtemp(prefix="smartplex-tests-"))
os.environ["SMARTPLEX_DATA_DIR"] = str(_SCRATCH / "data")
os.environ["SMARTPLEX_SECRET_KEY"] = "test-secret-key"
os.environ["SMARTPLEX_SCHEDULER"] = "0"
# Password hashing at a test cost (1 MiB, 1 round: ~1 ms instead of ~0.2 s); `production_password_cost` restores it.
os.environ["SMARTPLEX_ARGON2_MEMORY_KIB"] = "1024"
os.environ["SMARTPLEX_ARGON2_ROUNDS"] = "1"
os.environ["REFLEX_TELEMETRY_ENABLED"] = "false"
os.environ.pop("REFLEX_REDIS_URL", None)

import sqlalchemy as sa  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from smartplex import db as dbmod  # noqa: E402
from smartplex import migrations  # noqa: E402
from smartplex.config import PROJECT_ROOT, reload_settings  # noqa: E402
from smartplex.services import auth, ratelimit, vault  # noqa: E402

pytest_plugins = [
    "tests.plex_fixtures",
    "tests.plextv_fixtures",
    "tests.webhook_fixtures",
    "tests.prism",
    "tests.overseerr_fixtures",
    "tests.ai_fixtures",
    "tests.notification_fixtures",
    "tests.integration_fixtures",
]

POSTGRES_URL = os.environ.get("SMARTPLEX_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
OUTPUT = PROJECT_ROOT / "test-output"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgres"),
        default=os.environ.get("SMARTPLEX_TEST_DB", "sqlite"),
        help="database the tests run against (default: a SQLite file per test)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run browser tests last: Playwright's sync API keeps an event loop running in the main thread
    for the rest of the session, which breaks every later test that calls asyncio.run()."""
    items.sort(key=lambda item: "/tests/browser/" in str(item.path).replace("\\", "/"))


def use_database(url: str) -> None:
    """Point SmartPlex at `url` for what follows (settings, engines, limiter and key caches reset)."""
    os.environ["SMARTPLEX_DB_URL"] = url
    dbmod.dispose_engines()
    reload_settings()
    vault.reset()
    ratelimit.reset()


def wipe(url: str) -> None:
    """Empty every table, keeping the schema (PostgreSQL also restarts the id sequences)."""
    engine = dbmod.get_engine(url)
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(sa.text(f'DELETE FROM "{table}"'))


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def db_kind(pytestconfig: pytest.Config) -> str:
    return pytestconfig.getoption("--db")


@pytest.fixture(scope="session")
def migrated_template(db_kind: str) -> str:
    """Migrate once per session: a template SQLite file to copy, or the PostgreSQL test database."""
    if db_kind == "postgres":
        reset_postgres(POSTGRES_URL)
        use_database(POSTGRES_URL)
        migrations.upgrade(POSTGRES_URL)
        return POSTGRES_URL
    path = _SCRATCH / "template.db"
    url = f"sqlite:///{path}"
    use_database(url)
    migrations.upgrade(url)
    dbmod.dispose_engines()
    return url


@pytest.fixture
def db_url(migrated_template: str, db_kind: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database for this test."""
    if db_kind == "postgres":
        use_database(migrated_template)
        wipe(migrated_template)
        yield migrated_template
    else:
        path = tmp_path / "smartplex.db"
        shutil.copy(_SCRATCH / "template.db", path)
        url = f"sqlite:///{path}"
        use_database(url)
        yield url
    dbmod.dispose_engines()


PASSWORD = "correct horse battery"


@pytest.fixture
def admin(db_url: str) -> auth.UserView:
    return auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)


@pytest.fixture
def member(admin: auth.UserView) -> auth.UserView:
    return auth.create_user("Max Member", "max@example.com", PASSWORD)


@pytest.fixture
def admin_session(admin: auth.UserView) -> str:
    """A signed-in admin's session token."""
    return auth.login(admin.email, PASSWORD, "127.0.0.1")[1]


@pytest.fixture
def member_session(member: auth.UserView) -> str:
    return auth.login(member.email, PASSWORD, "127.0.0.1")[1]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def production_password_cost(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Hash passwords at the shipped cost (for tests of the hash itself and of its timing)."""
    monkeypatch.delenv("SMARTPLEX_ARGON2_MEMORY_KIB")
    monkeypatch.delenv("SMARTPLEX_ARGON2_ROUNDS")
    reload_settings()
    yield
    monkeypatch.undo()
    reload_settings()
