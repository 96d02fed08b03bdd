"""Several Plex servers in one household: which servers a person reaches, and which of them their pages show.

The household's servers are the servers (not removed) of its owner: the admin who connected the first server
still connected. Another admin's servers are theirs alone; they reach the household's too. A member reaches a
household server whose accounts (Plex's `/accounts`, read at each sync into `Server.account_ids`) include their
Plex account; a member with no Plex account linked, and a server whose accounts were never read, count as
reaching (the admin invited them to the household, and nothing says otherwise).

A member's pages show one `Scope`: the server they picked in the switcher (remembered on the user row), or every
server they reach, merged. History keeps a removed server's plays (see `history_ids`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sqlmodel import Session, col, select

from smartplex.db import session
from smartplex.models import Role, Server, User


@dataclass(frozen=True)
class ServerChoice:
    id: int
    name: str


@dataclass(frozen=True)
class Scope:
    """The servers a member's pages show: `chosen` (0: all they reach, merged) out of `reachable`."""

    reachable: tuple[ServerChoice, ...]
    chosen: int = 0

    @property
    def server_ids(self) -> tuple[int, ...]:
        return (self.chosen,) if self.chosen else tuple(s.id for s in self.reachable)

    @property
    def primary(self) -> int:
        """The one server a single-server feature (the chat's library, a request's availability) looks at; 0: none."""
        return self.server_ids[0] if self.server_ids else 0


NOWHERE = Scope(())


def _reaches(server: Server, user: User, household_owner: int) -> bool:
    if server.owner_id == user.id:
        return True
    if server.owner_id != household_owner:
        return False
    if user.role == Role.ADMIN or user.plex_account_id is None or not server.account_ids:
        return True
    return user.plex_account_id in server.account_ids


def _live(s: Session) -> list[Server]:
    return list(s.exec(select(Server).where(col(Server.removed_at).is_(None)).order_by(col(Server.id))).all())


def live_servers() -> list[ServerChoice]:
    """The household's servers (not removed), in the order they were connected."""
    with session() as s:
        live = _live(s)
    owner = live[0].owner_id if live else 0
    return [ServerChoice(server.id or 0, server.name) for server in live if server.owner_id == owner]


def scope_for(user_id: int) -> Scope:
    """The servers this person's pages show; NOWHERE when none is connected or the person is unknown."""
    with session() as s:
        user = s.get(User, user_id)
        if user is None or not user.is_active:
            return NOWHERE
        live = _live(s)
        owner = live[0].owner_id if live else 0
        reachable = tuple(ServerChoice(server.id or 0, server.name) for server in live if _reaches(server, user, owner))
        chosen = user.chosen_server_id or 0
    return Scope(reachable, chosen if any(r.id == chosen for r in reachable) else 0)


def choose(user_id: int, server_id: int) -> Scope:
    """Remember the server this person's pages show (0: all they reach). A server they do not reach is refused
    (ValueError), so a forged event cannot widen what anyone sees."""
    scope = scope_for(user_id)
    if server_id < 0 or (server_id and all(r.id != server_id for r in scope.reachable)):
        raise ValueError("That server is not one you can reach.")
    with session() as s:
        user = s.get(User, user_id)
        if user is not None:
            user.chosen_server_id = server_id or None
    return Scope(scope.reachable, server_id)


def history_ids(scope: Scope) -> tuple[int, ...]:
    """The servers whose plays a member's history and stats read: the scope's, and with all servers shown, also
    removed ones (a removed server's plays stay readable as history)."""
    if not scope.reachable or scope.chosen:
        return scope.server_ids
    with session() as s:
        removed = s.exec(select(Server.id).where(col(Server.removed_at).is_not(None))).all()
    return (*scope.server_ids, *(server_id for server_id in removed if server_id))


def record_accounts(server_id: int, account_ids: list[int]) -> None:
    """Store the accounts a server lists (the people who can stream from it)."""
    with session() as s:
        server = s.get(Server, server_id)
        if server is not None:
            server.account_ids = sorted(set(account_ids))


Servers = int | Collection[int]
"""One server, or several shown merged: what the library and history queries take."""


def as_ids(servers: Servers) -> tuple[int, ...]:
    return (servers,) if isinstance(servers, int) else tuple(servers)


def on_servers(column: sa.ColumnElement[Any], servers: Servers) -> sa.ColumnElement[bool]:
    """SQL: `column` is one of the servers (an equality for one, so the query plans stay as they were)."""
    ids = as_ids(servers)
    if not ids:
        return sa.false()
    return column == ids[0] if len(ids) == 1 else column.in_(ids)


def names(server_ids: Collection[int]) -> dict[int, str]:
    """Server id -> its name, in the order the servers were connected, for "where it is" on merged cards."""
    with session() as s:
        rows = s.exec(select(Server.id, Server.name).where(col(Server.id).in_(list(server_ids))).order_by(col(Server.id)))
        return {server_id or 0: name for server_id, name in rows}


def where_names(server_ids: Collection[int], names: dict[int, str]) -> tuple[str, ...]:
    """The names of the servers, in `names`' order (`names()` gives the order they were connected)."""
    return tuple(name for server_id, name in names.items() if server_id in server_ids)
