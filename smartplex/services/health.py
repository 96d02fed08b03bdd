"""Health of SmartPlex and what it depends on; later checks (Plex, Redis, integrations) join here."""

from __future__ import annotations

from typing import Any

from smartplex import __version__
from smartplex.db import database_ok
from smartplex.models import utcnow


def report() -> dict[str, Any]:
    """Overall status is 'ok' only when every component is; each component says why it is not."""
    db_ok, db_error = database_ok()
    components: dict[str, dict[str, Any]] = {
        "database": {"status": "ok" if db_ok else "error", **({"error": db_error} if db_error else {})},
    }
    overall = "ok" if all(c["status"] == "ok" for c in components.values()) else "error"
    return {"status": overall, "version": __version__, "checked_at": utcnow().isoformat(), "components": components}
