"""Webhooks a household integration sends us (Seerr's today): the secret in its URL and the Authorization header
the admin configured on the sending side.

Like the Plex webhook secret (plex.servers): the secret appears only in the URL; we keep its SHA-256 to find the
integration and an encrypted copy to show the URL again. The expected Authorization value is encrypted at rest
and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import Session, col, select

from smartplex.db import session
from smartplex.models import Integration
from smartplex.services import auth, vault
from smartplex.services.integrations.store import IntegrationError, require_kind

MAX_AUTH = 512


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _row(s: Session, kind: str) -> Integration:
    row = s.exec(select(Integration).where(Integration.kind == require_kind(kind), col(Integration.server_id).is_(None))).first()
    if row is None:
        raise IntegrationError("Connect the integration first.")
    return row


def _new_secret(row: Integration) -> str:
    secret = secrets.token_urlsafe(32)
    row.webhook_secret_hash, row.webhook_secret_encrypted = secret_hash(secret), vault.encrypt(secret)
    return secret


def ensure_secret(kind: str) -> str:
    """The integration's webhook secret, created on first use."""
    with session() as s:
        row = _row(s, kind)
        return vault.decrypt(row.webhook_secret_encrypted) if row.webhook_secret_encrypted else _new_secret(row)


def rotate_secret(actor_id: int, kind: str) -> str:
    """A new secret (admins only); the old URL stops working at once."""
    with session() as s:
        auth.require_admin(s, actor_id)
        return _new_secret(_row(s, kind))


def kind_for_secret(secret: str) -> str | None:
    """The integration whose webhook URL carries `secret`, compared in constant time."""
    if not secret or len(secret) > 128:
        return None
    wanted = secret_hash(secret)
    with session() as s:
        row = s.exec(
            select(Integration.kind, Integration.webhook_secret_hash).where(Integration.webhook_secret_hash == wanted)
        ).first()
    if row is None or not hmac.compare_digest(row[1] or "", wanted):
        return None
    return row[0]


def set_authorization(actor_id: int, kind: str, value: str) -> bool:
    """Store the Authorization header the sender is configured with ("" = none expected); whether one is set."""
    clean = value.strip()
    if len(clean) > MAX_AUTH:
        raise IntegrationError(f"Use at most {MAX_AUTH} characters.")
    if any(ch in clean for ch in "\r\n"):
        raise IntegrationError("A header value is one line.")
    with session() as s:
        auth.require_admin(s, actor_id)
        row = _row(s, kind)
        row.webhook_auth_encrypted = vault.encrypt(clean) if clean else None
    return bool(clean)


def authorization_matches(kind: str, presented: str | None) -> bool:
    """Whether the request's Authorization header is the configured one (any, when none is configured)."""
    with session() as s:
        row = _row(s, kind)
        expected = vault.decrypt(row.webhook_auth_encrypted) if row.webhook_auth_encrypted else None
    if expected is None:
        return True
    return hmac.compare_digest((presented or "").encode(), expected.encode())


def has_authorization(kind: str) -> bool:
    with session() as s:
        return _row(s, kind).webhook_auth_encrypted is not None
