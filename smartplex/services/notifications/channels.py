"""Where a person's notifications go outside the app: their Apprise URLs (encrypted at rest: they hold tokens and
passwords; shown only masked) and which kinds go to each."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from smartplex.db import reading, write_transaction
from smartplex.models import CHANNELS, iso, utcnow
from smartplex.services import vault
from smartplex.services.notifications import apprise_url
from smartplex.services.notifications.kinds import KINDS, for_role

C = CHANNELS
MAX_CHANNELS = 10
MAX_LABEL = 64


class ChannelError(ValueError):
    """A destination cannot be saved or changed as asked; the message is safe to show."""


@dataclass(frozen=True)
class ChannelView:
    id: int
    label: str
    service: str
    masked: str  # the URL with its secrets hidden ("" when it cannot be read any more)
    kinds: list[str]
    last_sent_at: str | None
    last_error: str
    last_error_at: str | None


def _view(row: sa.Row) -> ChannelView:
    try:
        destination = apprise_url.read(vault.decrypt(row.url_encrypted))
        service, masked = destination.service, destination.masked
    except (vault.VaultError, apprise_url.AppriseUrlError):
        service, masked = "Unreadable", ""
    return ChannelView(row.id, row.label, service, masked, list(row.kinds or []), iso(row.last_sent_at),
                       row.last_error or "", iso(row.last_error_at))  # fmt: skip


def mine(user_id: int) -> list[ChannelView]:
    with reading() as conn:
        rows = conn.execute(sa.select(C).where(C.c.user_id == user_id).order_by(C.c.id)).all()
    return [_view(r) for r in rows]


def _kinds(kinds: list[str] | None, is_admin: bool) -> list[str]:
    allowed = [k.key for k in for_role(is_admin)]
    if kinds is None:
        return allowed
    unknown = [k for k in kinds if k not in allowed]
    if unknown:
        raise ChannelError("There is no such kind of notification.")
    return [k for k in allowed if k in kinds]


def add(user_id: int, is_admin: bool, url: str, label: str = "", kinds: list[str] | None = None) -> ChannelView:
    """Check `url` with Apprise and keep it (encrypted); every kind the person can get goes there unless `kinds`
    says otherwise. ChannelError when Apprise cannot use it, with Apprise's reason."""
    try:
        destination = apprise_url.read(url)
    except apprise_url.AppriseUrlError as exc:
        raise ChannelError(str(exc)) from None
    name = " ".join((label or "").split())[:MAX_LABEL] or destination.service
    chosen = _kinds(kinds, is_admin)
    with write_transaction() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(C).where(C.c.user_id == user_id)).scalar_one()
        if count >= MAX_CHANNELS:
            raise ChannelError(f"Keep at most {MAX_CHANNELS} destinations; remove one first.")
        row_id = conn.execute(
            C.insert()
            .values(user_id=user_id, label=name, url_encrypted=vault.encrypt(url.strip()), kinds=chosen, created_at=utcnow())
            .returning(C.c.id)
        ).scalar_one()
        row = conn.execute(sa.select(C).where(C.c.id == row_id)).one()
    return _view(row)


def _owned(conn: sa.Connection, user_id: int, channel_id: int) -> sa.Row:
    row = conn.execute(sa.select(C).where(C.c.id == channel_id, C.c.user_id == user_id)).first()
    if row is None:
        raise ChannelError("That destination does not exist (any more).")
    return row


def set_kind(user_id: int, is_admin: bool, channel_id: int, kind: str, on: bool) -> ChannelView:
    """Send `kind` to this destination, or stop sending it there."""
    if kind not in KINDS:
        raise ChannelError("There is no such kind of notification.")
    with write_transaction() as conn:
        row = _owned(conn, user_id, channel_id)
        wanted = set(row.kinds or []) | {kind} if on else set(row.kinds or []) - {kind}
        kinds = _kinds(sorted(wanted), is_admin)
        conn.execute(C.update().where(C.c.id == channel_id).values(kinds=kinds))
        row = conn.execute(sa.select(C).where(C.c.id == channel_id)).one()
    return _view(row)


def remove(user_id: int, channel_id: int) -> None:
    """Forget a destination, with its deliveries not yet sent."""
    with write_transaction() as conn:
        _owned(conn, user_id, channel_id)
        conn.execute(C.delete().where(C.c.id == channel_id))


def exists(user_id: int, channel_id: int) -> bool:
    with reading() as conn:
        return conn.execute(sa.select(C.c.id).where(C.c.id == channel_id, C.c.user_id == user_id)).first() is not None
