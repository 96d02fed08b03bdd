"""Server records and per-owner webhook secrets.

A Plex token is stored only encrypted; `server_token()` is the one way back to it. A webhook secret
appears only in the owner's webhook URL: we keep its SHA-256 to find the owner and an encrypted
copy to show the URL again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select

from smartplex.db import session
from smartplex.models import SERVERS, Integration, IntegrationKind, Server, User, iso, utcnow
from smartplex.services import vault
from smartplex.services.plex import household


@dataclass(frozen=True)
class ServerView:
    """A server as pages may show it: no token."""

    id: int
    owner_id: int
    name: str
    machine_id: str
    preferred_connection_url: str | None
    connection_urls: list[str]
    version: str | None
    unreachable_since: str | None
    last_full_sync_at: str | None
    last_incremental_sync_at: str | None
    status: str = "unknown"  # ok | down | rejected (the token) | unknown (never contacted yet)
    status_error: str = ""

    @classmethod
    def of(cls, s: Server, health: Integration | None = None) -> ServerView:
        return cls(
            id=s.id or 0,
            owner_id=s.owner_id,
            name=s.name,
            machine_id=s.machine_id,
            preferred_connection_url=s.preferred_connection_url,
            connection_urls=list(s.connection_urls or []),
            version=s.version,
            unreachable_since=iso(s.unreachable_since),
            last_full_sync_at=iso(s.last_full_sync_at),
            last_incremental_sync_at=iso(s.last_incremental_sync_at),
            status=health.health_status if health is not None else "unknown",
            status_error=(health.last_error or "") if health is not None else "",
        )


NO_SERVER = ServerView(0, 0, "", "", None, [], None, None, None, None)
"""What pages show before a server is connected."""


class ServerError(Exception):
    """A server cannot be saved or used; the message is safe to show."""


def save_server(
    owner_id: int, *, name: str, machine_id: str, urls: list[str], preferred_url: str, token: str, version: str | None
) -> ServerView:
    """Create or update the owner's record of a server (keyed by its machine identifier)."""
    with session() as s:
        server = s.exec(select(Server).where(Server.machine_id == machine_id)).first()
        if server is not None and server.owner_id != owner_id:
            raise ServerError("This Plex server is already connected by another SmartPlex owner.")
        if server is None:
            server = Server(owner_id=owner_id, machine_id=machine_id, name=name, token_encrypted="")
        server.name = name
        server.connection_urls = list(dict.fromkeys(urls))
        server.preferred_connection_url = preferred_url
        server.token_encrypted = vault.encrypt(token)
        server.version = version
        server.unreachable_since = None
        server.removed_at = None  # connecting a removed server again brings it back; its next sync, its items
        s.add(server)
    ensure_webhook_secret(owner_id)
    return ServerView.of(server)


def get_server(server_id: int) -> Server | None:
    with session() as s:
        return s.get(Server, server_id)


def servers_for_owner(owner_id: int) -> list[ServerView]:
    """The owner's servers (removed ones left out) with what their last contact said (the `plex` integration row)."""
    with session() as s:
        rows = s.exec(
            select(Server, Integration)
            .join(
                Integration,
                (col(Integration.server_id) == Server.id) & (Integration.kind == IntegrationKind.PLEX),
                isouter=True,
            )
            .where(Server.owner_id == owner_id, col(Server.removed_at).is_(None))
            .order_by(col(Server.id))
        )
        return [ServerView.of(server, health) for server, health in rows]


def is_removed(conn: sa.Connection, server_id: int) -> bool:
    """Whether the server was removed (or never existed), read on `conn`, inside the caller's transaction."""
    removed = conn.execute(sa.select(SERVERS.c.removed_at).where(SERVERS.c.id == server_id)).first()
    return removed is None or removed[0] is not None


def server_token(server: Server) -> str:
    return vault.decrypt(server.token_encrypted)


def set_preferred_url(server_id: int, url: str) -> None:
    with session() as s:
        server = s.get(Server, server_id)
        if server is not None:
            server.preferred_connection_url = url
            if url not in server.connection_urls:
                server.connection_urls = [*server.connection_urls, url]


def mark_reachable(server_id: int, reachable: bool) -> None:
    """Record when Plex stopped answering (kept at the first failure) or clear it."""
    with session() as s:
        server = s.get(Server, server_id)
        if server is None:
            return
        if reachable:
            server.unreachable_since = None
        elif server.unreachable_since is None:
            server.unreachable_since = utcnow()


# --- webhook secrets --------------------------------------------------------------------------


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(user: User) -> str:
    secret = secrets.token_urlsafe(32)
    user.webhook_secret_hash = secret_hash(secret)
    user.webhook_secret_encrypted = vault.encrypt(secret)
    return secret


def ensure_webhook_secret(owner_id: int) -> str:
    """The owner's webhook secret, created on first use."""
    with session() as s:
        user = s.get(User, owner_id)
        if user is None:
            raise ServerError("No such user.")
        if user.webhook_secret_encrypted:
            return vault.decrypt(user.webhook_secret_encrypted)
        return _new_secret(user)


def rotate_webhook_secret(owner_id: int) -> str:
    """Replace the secret; the old webhook URL stops working at once."""
    with session() as s:
        user = s.get(User, owner_id)
        if user is None:
            raise ServerError("No such user.")
        return _new_secret(user)


def owner_for_webhook_secret(secret: str) -> int | None:
    """The owner whose webhook URL carries `secret`, compared in constant time."""
    if not secret or len(secret) > 128:
        return None
    wanted = secret_hash(secret)
    with session() as s:
        row = s.exec(select(User.id, User.webhook_secret_hash).where(User.webhook_secret_hash == wanted)).first()
    if row is None or not hmac.compare_digest(row[1] or "", wanted):
        return None
    return row[0]


def webhook_path(secret: str) -> str:
    return f"/api/webhooks/plex/{secret}"


def visible_server_ids(user_id: int) -> set[int]:
    """The servers whose library a signed-in person may see: every server they reach (services.plex.household)."""
    return {choice.id for choice in household.scope_for(user_id).reachable}


def default_server_id() -> int:
    """The first connected server still in the household; 0 when there is none."""
    servers = household.live_servers()
    return servers[0].id if servers else 0
