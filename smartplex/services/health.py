"""Health of SmartPlex and what it depends on: the database, Redis (when configured), each connected Plex server,
every integration as its last probe found it, and how long ago the last sync and the last Plex webhook were. The
database failing is an error; anything else failing degrades. Nothing here calls an integration: monitors may
ask as often as they like."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import redis
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from smartplex import __version__
from smartplex.config import get_settings
from smartplex.db import database_ok, reading, session
from smartplex.models import SERVERS, WEBHOOK_EVENTS, Integration, IntegrationKind, Server, WebhookStatus, utcnow
from smartplex.services.integrations import breaker, status


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
            ).where(col(Server.removed_at).is_(None))
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


def _integrations() -> list[dict[str, Any]]:
    return [
        {"id": r.id, "kind": r.kind, "name": r.name, "status": r.status, "summary": r.summary,
         "checked_at": r.checked_at, "latency_ms": r.latency_ms}
        for r in status.reports()
    ]  # fmt: skip


def _age(moment: datetime | None, now: datetime) -> dict[str, Any] | None:
    if moment is None:
        return None
    return {"seconds": max(int((now - moment).total_seconds()), 0), "at": moment.isoformat()}


def _freshness(now: datetime) -> dict[str, Any]:
    """The age of the last successful sync (of any server) and of the last accepted Plex webhook."""
    W = WEBHOOK_EVENTS
    with reading() as conn:
        synced = conn.execute(
            sa.select(sa.func.max(SERVERS.c.last_incremental_sync_at), sa.func.max(SERVERS.c.last_full_sync_at))
        ).one()  # fmt: skip
        webhook = conn.execute(
            sa.select(W.c.received_at).where(W.c.source == "plex", W.c.status == WebhookStatus.ACCEPTED)
            .order_by(W.c.received_at.desc()).limit(1)
        ).scalar()  # fmt: skip
    last_sync = max(filter(None, synced), default=None)
    return {"last_sync": _age(last_sync, now), "last_webhook": _age(webhook, now)}


def report() -> dict[str, Any]:
    db_ok, db_error = database_ok()
    components: dict[str, dict[str, Any]] = {
        "database": {"status": "ok" if db_ok else "error", **({"error": db_error} if db_error else {})},
    }
    if (cache := _redis()) is not None:
        components["redis"] = cache
    now = utcnow()
    integrations: list[dict[str, Any]] = []
    freshness: dict[str, Any] = {"last_sync": None, "last_webhook": None}
    if db_ok:
        try:
            components.update(_plex())
            integrations = _integrations()
            freshness = _freshness(now)
        except SQLAlchemyError as exc:
            db_ok = False
            components["database"] = {"status": "error", "error": f"{type(exc).__name__}: is the schema migrated?"}
    failing = any(i["status"] in ("down", "rejected") for i in integrations)
    if not db_ok:
        overall = "error"
    elif failing or any(c["status"] != "ok" for c in components.values()):
        overall = "degraded"
    else:
        overall = "ok"
    return {"status": overall, "version": __version__, "checked_at": now.isoformat(), "components": components,
            "integrations": integrations, **freshness}  # fmt: skip
