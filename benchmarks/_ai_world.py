"""The world the AI benchmarks share: recommendations_speed's library (52,000 items: 10,000 movies, 400 shows
with their seasons and episodes), its 200 members and 1,000,000 watch events, in a fresh SQLite file."""

from __future__ import annotations

import multiprocessing

import _plex_bench as bench  # first: it sets up the environment
import recommendations_speed as data

from smartplex import db
from smartplex.db import get_engine
from smartplex.services.text import search_key

NOW = data.NOW


def populate(name: str) -> tuple[int, int, list[int]]:
    """(owner id, server id, member ids) of a migrated database holding the world."""
    owner = bench.fresh_database(name)
    server_id = bench.connect(owner, "http://127.0.0.1:9")
    db.dispose_engines()
    child = multiprocessing.get_context("fork").Process(target=data.fill, args=(server_id,))
    child.start()
    child.join()
    assert child.exitcode == 0, child.exitcode
    with get_engine().begin() as conn:  # the folded search keys plex.parse stores with every synced item
        rows = conn.exec_driver_sql("SELECT id, type, title, parent_title, grandparent_title FROM media_item").all()
        keys = [(search_key(title, {"episode": grand, "season": parent}.get(kind)), item) for item, kind, title, parent, grand in rows]
        conn.exec_driver_sql("UPDATE media_item SET search_key = ? WHERE id = ?", keys)
        members = [row[0] for row in conn.exec_driver_sql("SELECT id FROM user WHERE role = 'member' ORDER BY id")]
    return owner, server_id, members
