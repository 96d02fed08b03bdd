"""Writing library items: one upsert per page, only the new or changed rows (changed = Plex's updatedAt differs,
or the row was marked removed), so a repeated sync costs reads only; and marking what a full sync did not see."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from smartplex.db import dialect_insert, get_engine
from smartplex.models import MEDIA

REMOVE_CHUNK = 500
_UPDATABLE = [c.name for c in MEDIA.c if c.name not in ("id", "server_id", "rating_key")]


@dataclass(frozen=True)
class _Upsert:
    """The compiled upsert for one dialect, executed straight on the DB-API cursor.

    Rows are encoded once here (JSON text; on SQLite also SQLAlchemy's datetime text) instead of
    through SQLAlchemy's per-value bind processors, which cost more than SQLite's own work.
    """

    sql: str
    order: Callable[[dict[str, Any]], tuple[Any, ...]] | None  # positional paramstyles: the bind order
    sqlite: bool

    def time(self, moment: datetime | None) -> Any:
        """A datetime as the driver stores and returns it for this dialect."""
        if self.sqlite and moment is not None:
            return f"{moment:%Y-%m-%d %H:%M:%S.%f}"  # SQLAlchemy's SQLite DateTime format
        return moment

    def encode(self, item: dict[str, Any], server_id: int, synced_at: Any) -> Any:
        row = item | {"server_id": server_id, "removed_at": None, "synced_at": synced_at}
        row["genres"] = orjson.dumps(item["genres"]).decode()
        row["directors"] = orjson.dumps(item["directors"]).decode()
        row["actors"] = orjson.dumps(item["actors"]).decode()
        if self.sqlite:
            row["added_at"] = self.time(item["added_at"])
            row["updated_at"] = self.time(item["updated_at"])
        return row if self.order is None else self.order(row)


_UPSERTS: dict[str, _Upsert] = {}


def _upsert(conn: Connection) -> _Upsert:
    """INSERT ... ON CONFLICT (server_id, rating_key) DO UPDATE, built with the dialect's insert and compiled once."""
    name = conn.dialect.name
    if name not in _UPSERTS:
        stmt = dialect_insert(name)(MEDIA)
        stmt = stmt.on_conflict_do_update(
            index_elements=["server_id", "rating_key"], set_={column: stmt.excluded[column] for column in _UPDATABLE}
        )
        compiled = stmt.compile(
            dialect=conn.dialect, column_keys=["server_id", "rating_key", *_UPDATABLE], for_executemany=True
        )
        order = operator.itemgetter(*compiled.positiontup) if compiled.positional and compiled.positiontup else None
        _UPSERTS[name] = _Upsert(str(compiled), order, name == "sqlite")
    return _UPSERTS[name]


def write_items(conn: Connection, server_id: int, items: list[dict[str, Any]], now: datetime) -> int:
    """Upsert the new or changed items among `items` (one page); unchanged rows are not touched."""
    if not items:
        return 0
    upsert = _upsert(conn)
    raw = sa.types.NullType()  # driver values, compared with `upsert.time()` without parsing every row
    rows = conn.execute(
        sa.select(
            MEDIA.c.rating_key, sa.type_coerce(MEDIA.c.updated_at, raw), sa.type_coerce(MEDIA.c.removed_at, raw)
        ).where(MEDIA.c.server_id == server_id, MEDIA.c.rating_key.in_([item["rating_key"] for item in items]))
    )
    existing = {key: (updated, removed) for key, updated, removed in rows}
    synced_at = upsert.time(now)
    changed = []
    for item in items:
        known = existing.get(item["rating_key"])
        if known is None or known[1] is not None or known[0] != upsert.time(item["updated_at"]):
            changed.append(upsert.encode(item, server_id, synced_at))
    if changed:
        conn.exec_driver_sql(upsert.sql, changed)
    return len(changed)


def mark_removed(server_id: int, seen: set[str], now: datetime) -> int:
    """Set removed_at on this server's present rows whose rating key the full sync did not see."""
    with get_engine().begin() as conn:
        present = conn.execute(
            sa.select(MEDIA.c.rating_key).where(MEDIA.c.server_id == server_id, MEDIA.c.removed_at.is_(None))
        ).scalars()
        gone = [key for key in present if key not in seen]
        for start in range(0, len(gone), REMOVE_CHUNK):
            conn.execute(
                sa.update(MEDIA)
                .where(MEDIA.c.server_id == server_id, MEDIA.c.rating_key.in_(gone[start : start + REMOVE_CHUNK]))
                .values(removed_at=now)
            )
    return len(gone)

