"""Which SmartPlex user is which Plex account, so plays from webhooks and history land on the right person.

Plex lists a server's accounts at `/accounts`: id 0 is the system account, id 1 the local owner
account (SmartPlex maps it to the server's owner without writing anything), shared users carry their
plex.tv id.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select

from smartplex.db import session
from smartplex.models import Server, User, WatchEvent
from smartplex.services.plex import connect
from smartplex.services.plex.parse import to_int

OWNER_ACCOUNT_ID = 1


@dataclass(frozen=True)
class PlexAccount:
    id: int
    name: str
    thumb: str
    linked_user_id: int | None


def _read_accounts(server_id: int) -> list[tuple[int, str, str]]:
    """(id, name, thumb) of the server's real accounts (the nameless system account left out)."""
    with connect.open_client(server_id) as client:
        root = client.get_xml("/accounts")
    found = []
    for el in root:
        account_id, name = to_int(el.get("id")), (el.get("name") or "").strip()
        if account_id > 0 and name:
            found.append((account_id, name, el.get("thumb") or ""))
    return found


def _owner_id(server_id: int) -> int | None:
    with session() as s:
        server = s.get(Server, server_id)
        return server.owner_id if server else None


def plex_accounts(server_id: int) -> list[PlexAccount]:
    """The server's accounts with the SmartPlex user each is linked to (for the admin to pick from)."""
    found = _read_accounts(server_id)
    owner_id = _owner_id(server_id)
    with session() as s:
        linked = dict(s.exec(select(User.plex_account_id, User.id).where(col(User.plex_account_id).is_not(None))).all())
    return [
        PlexAccount(
            account_id, name, thumb, linked.get(account_id) or (owner_id if account_id == OWNER_ACCOUNT_ID else None)
        )
        for account_id, name, thumb in found
    ]


def link_accounts(server_id: int) -> list[tuple[int, str, int | None]]:
    """Link users to the server's accounts by existing plex_account_id, else by Plex username (case-insensitive).

    Returns (plex_account_id, name, linked user id or None) for every account.
    """
    found = _read_accounts(server_id)
    owner_id = _owner_id(server_id)
    result: list[tuple[int, str, int | None]] = []
    with session() as s:
        users = list(s.exec(select(User).where(col(User.is_active))))
        by_account = {u.plex_account_id: u for u in users if u.plex_account_id is not None}
        by_name = {u.plex_username.casefold(): u for u in users if u.plex_username and u.plex_account_id is None}
        for account_id, name, _thumb in found:
            if account_id == OWNER_ACCOUNT_ID and account_id not in by_account:
                result.append((account_id, name, owner_id))
                continue
            user = by_account.get(account_id) or by_name.pop(name.casefold(), None)
            if user is not None:
                user.plex_account_id, user.plex_username = account_id, name
            result.append((account_id, name, user.id if user else None))
    return result


def link_user(user_id: int, plex_account_id: int, plex_username: str) -> None:
    """Link a user to a Plex account explicitly; any other user linked to that account is unlinked,
    and the account's plays recorded so far (history, webhooks) become this user's."""
    with session() as s:
        user = s.get(User, user_id)
        if user is None:
            raise LookupError("No such user.")
        for other in s.exec(select(User).where(User.plex_account_id == plex_account_id, User.id != user_id)):
            other.plex_account_id = None
        user.plex_account_id, user.plex_username = plex_account_id, plex_username.strip()[:255]
        s.exec(sa.update(WatchEvent).where(col(WatchEvent.plex_account_id) == plex_account_id).values(user_id=user_id))
