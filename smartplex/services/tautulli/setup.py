"""Tautulli as the admin connects it on Integrations: its address and API key (encrypted, shown masked), and
importing its history, counted into the integration's health (its test is the health probe, integrations.probes).
Tautulli's own error messages are what the admin reads."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from smartplex.db import session
from smartplex.models import IntegrationKind, utcnow
from smartplex.services import auth, wording
from smartplex.services.integrations import store
from smartplex.services.tautulli import importer
from smartplex.services.tautulli.client import TIMEOUT, TautulliClient, TautulliError

KIND = IntegrationKind.TAUTULLI
EXAMPLE = "http://192.168.1.20:8181"


def save(actor_id: int, base_url: str, api_key: str) -> store.IntegrationView:
    """Store Tautulli's address and key (admins only); a blank key keeps the stored one."""
    url = store.normalize_base_url(base_url, "Tautulli", EXAMPLE, strip="/api/v2")
    key = (api_key or "").strip()
    if len(key) > 128 or any(ch.isspace() for ch in key):
        raise store.IntegrationError("That does not look like an API key: copy it from Tautulli's Settings → Web Interface.")
    stored = store.connection(KIND)
    if not key and (stored is None or not stored.secret):
        raise store.IntegrationError("Enter the API key from Tautulli's Settings → Web Interface.")
    return store.save(actor_id, KIND, base_url=url, secret=key or None)


def _client(timeout: httpx.Timeout, attempts: int) -> TautulliClient:
    connection = store.connection(KIND)
    if connection is None or not connection.secret:
        raise TautulliError("Connect Tautulli first: its address and API key.")
    return TautulliClient(connection.base_url, connection.secret, timeout=timeout, attempts=attempts)


def _require_admin(actor_id: int) -> None:
    with session() as s:
        auth.require_admin(s, actor_id)


def import_history(actor_id: int, progress: Callable[[importer.ImportProgress], None] | None = None) -> importer.ImportResult:
    """Import Tautulli's whole history (admins only), keeping what it did for the card to show."""
    _require_admin(actor_id)
    try:
        with _client(TIMEOUT, attempts=3) as client:
            result = importer.import_history(client, progress)
    except TautulliError as exc:
        store.record_call(KIND, str(exc), rejected=exc.rejected)
        raise
    store.record_call(KIND, None)
    store.put_settings(KIND, {"last_import": {"at": utcnow().isoformat(), "summary": summary(result)}})
    return result


def summary(result: importer.ImportResult) -> str:
    """What an import did, in words."""
    parts = [f"Read {wording.plural(result.rows, 'row')} of Tautulli's history: {wording.plural(result.added, 'play')} added"]
    if result.duplicates:
        parts.append(f"{wording.plural(result.duplicates, 'play')} SmartPlex already knew from Plex")
    if result.skipped:
        parts.append(f"{wording.plural(result.skipped, 'row')} skipped (music, or missing what a play needs)")
    return "; ".join(parts) + "."
