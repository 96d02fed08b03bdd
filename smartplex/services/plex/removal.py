"""Removing a Plex server from the household, after the admin saw what it means.

The server's row stays, marked removed, and so do its items, marked removed: the plays people made on it remain
readable history (titles and all), while its items leave the dashboard, recommendations and search at once. Its
schedules, its health row and probes go; its webhooks are refused from then on; a sync under way stops at its next
page (services.plex.sync checks inside each page's transaction). Connecting the same server again through the
wizard brings it back, and its next sync brings its items back.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from smartplex.db import get_engine, session
from smartplex.log import get_logger
from smartplex.models import INTEGRATIONS, MEDIA, PROBES, SERVERS, SYNC_SCHEDULES, USERS, WATCH, utcnow
from smartplex.services import auth, wording
from smartplex.services.plex import webhooks
from smartplex.services.recommendations import clear_cache

log = get_logger(__name__)


class RemovalError(Exception):
    """The server cannot be removed by this person; the message is safe to show."""


@dataclass(frozen=True)
class RemovalPreview:
    server_id: int
    name: str
    titles: int  # present movies and shows that leave the dashboard, recommendations and search (with their episodes)
    plays: int  # watch events that stay as history

    @property
    def sentence(self) -> str:
        return (
            f"{wording.plural(self.titles, 'title')} from {self.name} leave recommendations and search; "
            f"{wording.plural(self.plays, 'play')} stay in people's history."
        )


def _check(conn: sa.Connection, actor_id: int, server_id: int) -> str:
    row = conn.execute(
        sa.select(SERVERS.c.name, SERVERS.c.owner_id, SERVERS.c.removed_at).where(SERVERS.c.id == server_id)
    ).first()
    if row is None or row.removed_at is not None:
        raise RemovalError("That Plex server is not connected.")
    if row.owner_id != actor_id:
        raise RemovalError("Only the admin who connected this Plex server can remove it.")
    return str(row.name)


def _require_admin(actor_id: int) -> None:
    with session() as s:
        try:
            auth.require_admin(s, actor_id)
        except auth.AuthError as exc:
            raise RemovalError(str(exc)) from exc


def preview(actor_id: int, server_id: int) -> RemovalPreview:
    """What removing the server would do, for the confirmation."""
    _require_admin(actor_id)
    with get_engine().connect() as conn:
        name = _check(conn, actor_id, server_id)
        titles = _present_titles(conn, server_id)
        plays = conn.execute(sa.select(sa.func.count()).where(WATCH.c.server_id == server_id)).scalar_one()
    return RemovalPreview(server_id, name, titles, plays)


def _present_titles(conn: sa.Connection, server_id: int) -> int:
    return conn.execute(
        sa.select(sa.func.count()).where(
            MEDIA.c.server_id == server_id, MEDIA.c.type.in_(("movie", "show")), MEDIA.c.removed_at.is_(None)
        )
    ).scalar_one()


def remove(actor_id: int, server_id: int) -> RemovalPreview:
    """Remove the server in one transaction; what it did, in the preview's words."""
    _require_admin(actor_id)
    now = utcnow()
    with get_engine().begin() as conn:
        name = _check(conn, actor_id, server_id)
        titles = _present_titles(conn, server_id)
        conn.execute(sa.update(SERVERS).where(SERVERS.c.id == server_id).values(removed_at=now))
        items = conn.execute(
            sa.update(MEDIA).where(MEDIA.c.server_id == server_id, MEDIA.c.removed_at.is_(None)).values(removed_at=now)
        ).rowcount
        plays = conn.execute(sa.select(sa.func.count()).where(WATCH.c.server_id == server_id)).scalar_one()
        conn.execute(sa.delete(SYNC_SCHEDULES).where(SYNC_SCHEDULES.c.server_id == server_id))
        health = sa.select(INTEGRATIONS.c.id).where(INTEGRATIONS.c.server_id == server_id)
        conn.execute(sa.delete(PROBES).where(PROBES.c.integration_id.in_(health)))
        conn.execute(sa.delete(INTEGRATIONS).where(INTEGRATIONS.c.server_id == server_id))
        conn.execute(sa.update(USERS).where(USERS.c.chosen_server_id == server_id).values(chosen_server_id=None))
    webhooks.forget_cached()
    clear_cache()
    log.info("plex.server.removed", server_id=server_id, actor_id=actor_id, titles=titles, items=items, plays=plays)
    return RemovalPreview(server_id, name, titles, plays)
