"""ASGI factories that benchmarks/webhooks.py serves with granian (one worker).

`smartplex` is the real app: Reflex's ASGI app with our API, the webhook worker and the startup heap
freeze as lifespan tasks (the scheduler is off so it cannot add load).
`baseline` is the floor: a bare Starlette route that parses the same multipart with Starlette's parser
and inserts one SQLite row.
"""

from __future__ import annotations

import os
import sqlite3

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp


def smartplex() -> ASGIApp:
    """The whole SmartPlex backend as `reflex run --env prod` serves it (frontend compile skipped)."""
    os.environ["__REFLEX_SKIP_COMPILE"] = "true"
    os.environ["SMARTPLEX_SCHEDULER"] = "0"
    from smartplex.smartplex import app

    return app()


def baseline() -> Starlette:
    conn = sqlite3.connect(os.environ["BENCH_BASELINE_DB"], check_same_thread=False, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE IF NOT EXISTS hook (id INTEGER PRIMARY KEY, received_at TEXT, event TEXT, payload TEXT)")

    async def hook(request: Request) -> Response:
        form = await request.form()
        payload = str(form["payload"])
        event = orjson.loads(payload)["event"]
        conn.execute("INSERT INTO hook (received_at, event, payload) VALUES (datetime('now'), ?, ?)", (event, payload))
        return Response(b'{"status":"accepted"}', media_type="application/json")

    return Starlette(routes=[Route("/hook", hook, methods=["POST"])])
