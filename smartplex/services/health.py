"""Health of SmartPlex and what it depends on: the database, Redis (when configured) and each
connected Plex server. The database failing is an error; Plex or Redis failing degrades."""

from __future__ import annotations

from typing import Any

import redis
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from smartplex import __version__
from smartplex.config import get_settings
from smartplex.db import database_ok, session
from smartplex.models import Integration, IntegrationKind, Server, utcnow
from smartplex.services.integrations import breaker


def _redis() -> dict[str, Any] | None:
    url = get_settings().redis_url
    if not url:
        return None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as exc:
        return {"status": "error", "error": type(exc).__name__}
    return {"status": "ok"}


def _plex() -> dict[str, dict[str, Any]]:
    """Per server: the last known state from syncs (no live probe, so health stays cheap)."""
    found: dict[str, dict[str, Any]] = {}
    with session() as s:
        rows = s.exec(
            select(Server, Integration).join(
                Integration,
                (Integration.server_id == Server.id) & (Integration.kind == IntegrationKind.PLEX),
                isouter=True,
            )
        ).all()
    for server, integration in rows:
        entry: dict[str, Any] = {"status": "error" if server.unreachable_since else "ok"}
        if integration is not None and integration.health_status == breaker.REJECTED:
            entry = {"status": "error", "error": "token rejected"}
        elif server.unreachable_since:
            entry["error"] = f"unreachable since {server.unreachable_since.isoformat()}"
        elif integration is not None and integration.circuit_state != "closed":
            entry = {"status": "error", "error": f"circuit {integration.circuit_state}"}
        found[f"plex:{server.name}"] = entry
    return found


def report() -> dict[str, Any]:
    db_ok, db_error = database_ok()
    components: dict[str, dict[str, Any]] = {
        "database": {"status": "ok" if db_ok else "error", **({"error": db_error} if db_error else {})},
    }
    if (cache := _redis()) is not None:
        components["redis"] = cache
    if db_ok:
        try:
            components.update(_plex())
        except SQLAlchemyError as exc:
            db_ok = False
            components["database"] = {"status": "error", "error": f"{type(exc).__name__}: is the schema migrated?"}
    if not db_ok:
        overall = "error"
    elif any(c["status"] != "ok" for c in components.values()):
        overall = "degraded"
    else:
        overall = "ok"
    return {"status": overall, "version": __version__, "checked_at": utcnow().isoformat(), "components": components}
