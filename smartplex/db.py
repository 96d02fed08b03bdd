"""Database engines and sessions. Services use these; nothing here knows about Reflex."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session

from smartplex.config import get_settings

_engines: dict[str, Engine] = {}


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI connection
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL, created on first use (never at import)."""
    url = url or get_settings().db_url
    engine = _engines.get(url)
    if engine is None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
        _engines[url] = engine
    return engine


@contextlib.contextmanager
def session(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error; objects stay readable after commit."""
    with Session(get_engine(url), expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise


def dialect_insert(dialect_name: str) -> Callable[..., Any]:
    """The INSERT construct with ON CONFLICT support for this dialect (SQLite or PostgreSQL)."""
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def database_ok(url: str | None = None) -> tuple[bool, str | None]:
    """Answer whether the database answers a trivial query, and the error when it does not."""
    try:
        with get_engine(url).connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True, None
    except Exception as exc:  # noqa: BLE001 - health reports any failure
        return False, type(exc).__name__


@contextlib.contextmanager
def reading(conn: Connection | None = None) -> Iterator[Connection]:
    """The caller's connection (so several queries share one read snapshot), or a new one for this call."""
    if conn is not None:
        yield conn
        return
    with get_engine().connect() as own:
        yield own


def epoch_seconds(dialect_name: str, column: Any) -> Any:
    """SQL: seconds since 1970 of a timestamp column, computed by the database (NULL when unparseable), so a
    million timestamps are not parsed in Python (SQLite stores UTC text, PostgreSQL a timestamptz)."""
    if dialect_name == "sqlite":
        return sa.cast(sa.func.strftime("%s", column), sa.Integer)
    return sa.cast(sa.extract("epoch", column), sa.BigInteger)


_sqlite_writes = threading.Lock()


@contextlib.contextmanager
def write_transaction() -> Iterator[Connection]:
    """A write transaction. On SQLite this process's writers queue on a lock first: SQLite's busy handler
    sleeps whole milliseconds (growing to 100 ms) between retries, which under a burst costs far more than
    the writes themselves."""
    engine = get_engine()
    with _sqlite_writes if engine.dialect.name == "sqlite" else contextlib.nullcontext(), engine.begin() as conn:
        yield conn
