"""The household's integrations (Overseerr / Seerr, Tautulli, the AI provider): where each one is, its secret,
its settings, and what the last call said.

One `integration` row per kind with `server_id` NULL (a Plex server's own row is plex.runs'). The secret (an
API key) is encrypted at rest, returned only to the service that calls out (`connection`), and shown to pages
only masked. Every call is counted into the row's circuit breaker (`record_call`), so a service that keeps
failing is not called until its cool-down has passed (`blocked_until`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from smartplex.db import session
from smartplex.models import Integration, IntegrationKind, iso, utcnow
from smartplex.services import auth, vault
from smartplex.services.integrations import breaker
from smartplex.services.notifications import alerts

HOUSEHOLD_KINDS = (IntegrationKind.OVERSEERR, IntegrationKind.TAUTULLI, IntegrationKind.OPENAI)


class IntegrationError(ValueError):
    """An integration cannot be saved as given; the message is safe to show."""


@dataclass(frozen=True)
class IntegrationView:
    """An integration as pages may show it: the secret only masked."""

    kind: str
    base_url: str
    secret_mask: str  # "" when no secret is stored
    settings: dict[str, Any] = field(default_factory=dict)
    health_status: str = "unknown"  # ok | down | rejected | unknown
    last_checked_at: str | None = None
    last_latency_ms: int = 0
    last_error: str = ""
    circuit_state: str = "closed"


@dataclass(frozen=True)
class Connection:
    """What a client needs to call the service: never stored in state or shown."""

    base_url: str
    secret: str | None
    settings: dict[str, Any]


def mask(secret: str | None) -> str:
    """The last four characters of a secret, the rest hidden ("" for none)."""
    if not secret:
        return ""
    return "••••" + (secret[-4:] if len(secret) > 8 else "")


def _row(s: Session, kind: str) -> Integration | None:
    return s.exec(select(Integration).where(Integration.kind == kind, col(Integration.server_id).is_(None))).first()


def _view(row: Integration) -> IntegrationView:
    secret = vault.decrypt(row.secret_encrypted) if row.secret_encrypted else None
    return IntegrationView(
        kind=row.kind,
        base_url=row.base_url,
        secret_mask=mask(secret),
        settings=dict(row.settings or {}),
        health_status=row.health_status,
        last_checked_at=iso(row.last_checked_at),
        last_latency_ms=row.last_latency_ms,
        last_error=row.last_error or "",
        circuit_state=row.circuit_state,
    )


def normalize_base_url(raw: str, name: str, example: str, strip: str = "") -> str:
    """`scheme://host[:port][/path]` of a service, without a trailing slash (nor `strip`, an API path people
    paste along); IntegrationError naming the service otherwise."""
    text = (raw or "").strip()
    if not text or len(text) > 512:
        raise IntegrationError(f"Enter {name}'s address, like {example}.")
    parts = urlsplit(text if "://" in text else f"http://{text}")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise IntegrationError("The port is not a number.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IntegrationError("Start the address with http:// or https:// and a host name.")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise IntegrationError("Leave out user names, passwords, ?queries and #fragments.")
    path = parts.path.rstrip("/")
    if strip:
        path = path.removesuffix(strip).rstrip("/")
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{path}"


def require_kind(kind: str) -> str:
    """`kind` when it is a household integration; IntegrationError otherwise."""
    if kind not in HOUSEHOLD_KINDS:
        raise IntegrationError(f"Unknown integration {kind!r}.")
    return kind


def get(kind: str) -> IntegrationView | None:
    with session() as s:
        row = _row(s, require_kind(kind))
        return _view(row) if row is not None else None


def connection(kind: str) -> Connection | None:
    """Base URL, decrypted secret and settings of a configured integration; None when it is not set up."""
    with session() as s:
        row = _row(s, require_kind(kind))
        if row is None or not row.base_url:
            return None
        secret = vault.decrypt(row.secret_encrypted) if row.secret_encrypted else None
        return Connection(row.base_url, secret, dict(row.settings or {}))


def save(
    actor_id: int,
    kind: str,
    *,
    base_url: str,
    secret: str | None = None,
    settings: dict[str, Any] | None = None,
) -> IntegrationView:
    """Create or change an integration (admins only). `secret` None keeps the stored one, "" removes it;
    `settings` are merged into the stored ones. A changed address or secret starts the circuit afresh."""
    with session() as s:
        auth.require_admin(s, actor_id)
        row = _row(s, require_kind(kind)) or Integration(kind=kind, base_url="", settings={})
        if base_url != row.base_url or secret is not None:
            row.circuit_state, row.consecutive_failures, row.circuit_opened_at = "closed", 0, None
            row.health_status, row.last_error = "unknown", None
        row.base_url = base_url
        if secret is not None:
            row.secret_encrypted = vault.encrypt(secret) if secret else None
        if settings:
            row.settings = {**(row.settings or {}), **settings}
        s.add(row)
        s.flush()
        return _view(row)


def put_settings(kind: str, changes: dict[str, Any]) -> None:
    """Merge `changes` into a configured integration's settings (services keep their own state there, such as
    Seerr's user mapping; the caller checks who may change it). A no-op when the integration is not set up."""
    with session() as s:
        row = _row(s, require_kind(kind))
        if row is not None:
            row.settings = {**(row.settings or {}), **changes}


def remove(actor_id: int, kind: str) -> None:
    with session() as s:
        auth.require_admin(s, actor_id)
        row = _row(s, require_kind(kind))
        if row is not None:
            alerts.forget(s.connection(), f"integration:{row.id}")  # a new one (maybe with this id) starts out OK
            s.delete(row)


def blocked_until(kind: str, now: datetime | None = None) -> datetime | None:
    """When calls may go through again while the circuit is open; None when they may now."""
    with session() as s:
        row = _row(s, require_kind(kind))
        return breaker.blocked_until(row, now or utcnow()) if row is not None else None


def record_call(kind: str, error: str | None, latency_ms: int = 0, *, rejected: bool = False) -> None:
    """Count a finished call into the integration's health and circuit (`latency_ms` 0: not a measure of it)."""
    with session() as s:
        row = _row(s, require_kind(kind))
        if row is None:
            return
        breaker.record(row, error, utcnow(), rejected=rejected)
        if error is None and latency_ms > 0:  # a long call (an import) says nothing of latency
            row.last_latency_ms = latency_ms
