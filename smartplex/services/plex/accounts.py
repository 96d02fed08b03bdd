"""Which SmartPlex person is which Plex account, so plays from webhooks and history land on the right person.

Plex lists a server's accounts at `/accounts`: id 0 is the system account, id 1 the local owner account
(`watching.OWNER_ACCOUNT_ID`: always the server's owner, never linked), shared users carry their plex.tv id. One
person per Plex account (a unique column), one Plex account per person.

Plays move with the link: every watch event recorded for a Plex account is attributed to the person linked to it,
so linking, relinking and unlinking re-attribute the account's events in the same transaction as the link itself
(an UPDATE: nothing is copied, so nothing doubles), and `preview_link` tells the admin beforehand how many plays
move from whom.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from smartplex.db import session
from smartplex.log import get_logger
from smartplex.models import WATCH, Role, Server, User
from smartplex.services import auth, watching
from smartplex.services.plex import connect
from smartplex.services.plex.client import PlexClient
from smartplex.services.plex.parse import to_int
from smartplex.services.watching import OWNER_ACCOUNT_ID

log = get_logger(__name__)


class LinkError(Exception):
    """A link cannot be made or changed; the message is safe to show."""


@dataclass(frozen=True)
class PlexAccount:
    id: int
    name: str
    thumb: str
    linked_user_id: int | None


@dataclass(frozen=True)
class Move:
    """`plays` of the account's plays leave `from_name` (None: attributed to nobody yet) for `to_name` (None: nobody)."""

    plays: int
    from_name: str | None
    to_name: str | None


@dataclass(frozen=True)
class LinkPreview:
    plex_account_id: int
    moves: list[Move]  # the account's plays, by who has them now
    released: Move | None  # the target's previous Plex account, unlinked: its plays leave the target

    @property
    def plays(self) -> int:
        return sum(m.plays for m in self.moves) + (self.released.plays if self.released else 0)


# --------------------------------------------------------------------------- the server's accounts


def read_accounts(server_id: int) -> list[tuple[int, str, str]]:
    """(id, name, thumb) of the server's real accounts (the nameless system account left out)."""
    with connect.open_client(server_id) as client:
        return accounts_of(client)


def accounts_of(client: PlexClient) -> list[tuple[int, str, str]]:
    """`read_accounts` through an open client."""
    root = client.get_xml("/accounts")
    found = []
    for el in root:
        account_id, name = to_int(el.get("id")), (el.get("name") or "").strip()
        if account_id > 0 and name:
            found.append((account_id, name, el.get("thumb") or ""))
    return found


def server_owners() -> set[int]:
    """The people whose plays a server lists under its own owner account (the admins who connected servers)."""
    with session() as s:
        return set(s.exec(select(Server.owner_id)).all())


def _owner_id(server_id: int) -> int | None:
    with session() as s:
        server = s.get(Server, server_id)
        return server.owner_id if server else None


def plex_accounts(server_id: int) -> list[PlexAccount]:
    """The server's accounts with the SmartPlex user each is linked to (for the admin to pick from)."""
    found = read_accounts(server_id)
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
    found = read_accounts(server_id)
    owner_id = _owner_id(server_id)
    result: list[tuple[int, str, int | None]] = []
    with session() as s:
        users = list(s.exec(select(User).where(col(User.is_active))))
        by_account = {u.plex_account_id: u for u in users if u.plex_account_id is not None}
        by_name = {u.plex_username.casefold(): u for u in users if u.plex_username and u.plex_account_id is None}
        for account_id, name, _thumb in found:
            if account_id == OWNER_ACCOUNT_ID:
                result.append((account_id, name, owner_id))
                continue
            user = by_account.get(account_id) or by_name.pop(name.casefold(), None)
            if user is not None:
                user.plex_account_id, user.plex_username = account_id, name
                attribute(s, account_id, user.id)
            result.append((account_id, name, user.id if user else None))
    return result


# --------------------------------------------------------------------------- linking


def link_user(user_id: int, plex_account_id: int, plex_username: str) -> int:
    """Operator path (demo, tests): link a user to a Plex account, as `relink` does; the plays moved."""
    with session() as s:
        user = s.get(User, user_id)
        if user is None:
            raise LinkError("No such person.")
        return link(s, plex_account_id, user, plex_username)


def preview_link(actor_id: int, plex_account_id: int, user_id: int | None) -> LinkPreview:
    """What linking the account to `user_id` (None: unlinking it) would move, before anything changes."""
    _check_account(plex_account_id)
    with session() as s:
        auth.require_admin(s, actor_id)
        target = _target(s, user_id)
        conn = s.connection()
        names = dict(s.exec(select(User.id, User.name)).all())
        to_name = target.name if target else None
        moves = [
            Move(plays, names.get(holder) if holder is not None else None, to_name)
            for holder, plays in _plays_by_holder(conn, plex_account_id).items()
            if holder != user_id and not (holder is None and target is None)
        ]
        released = None
        if target is not None and target.plex_account_id not in (None, plex_account_id):
            held = _plays_by_holder(conn, target.plex_account_id).get(target.id, 0)
            released = Move(held, target.name, None)
    return LinkPreview(plex_account_id, sorted(moves, key=lambda m: -m.plays), released)


def relink(actor_id: int, plex_account_id: int, user_id: int | None, plex_username: str) -> int:
    """Link the account to `user_id`, or unlink it (None), moving its plays in the same transaction; the plays
    (not events) moved."""
    _check_account(plex_account_id)
    with session() as s:
        auth.require_admin(s, actor_id)
        target = _target(s, user_id)
        moved = link(s, plex_account_id, target, plex_username) if target else _unlink(s, plex_account_id)
    log.info(
        "plex_account_relinked", user_id=actor_id, plex_account_id=plex_account_id, target_user_id=user_id, plays=moved
    )
    return moved


def add_member(s: Session, plex_account_id: int, name: str, username: str, email: str | None) -> User:
    """A new member linked to a Plex account, in the caller's transaction, with the account's plays so far;
    no password (they sign in with Plex, or set one through an invite)."""
    _check_account(plex_account_id)
    user = User(
        name=name[:100], email=email, role=Role.MEMBER, plex_account_id=plex_account_id, plex_username=username[:255]
    )
    s.add(user)
    _flush(s)
    attribute(s, plex_account_id, user.id)
    return user


def attribute(s: Session, plex_account_id: int, user_id: int | None) -> int:
    """Give the account's watch events to `user_id` (None: to nobody); the plays that changed hands."""
    conn = s.connection()
    moved = sum(plays for holder, plays in _plays_by_holder(conn, plex_account_id).items() if holder != user_id)
    s.exec(
        sa.update(WATCH)
        .where(WATCH.c.plex_account_id == plex_account_id, WATCH.c.user_id.is_distinct_from(user_id))
        .values(user_id=user_id)
    )
    return moved


def link(s: Session, plex_account_id: int, user: User, plex_username: str) -> int:
    """Link `user` to the account in the caller's transaction (whoever had it loses it; the user's previous account
    is unlinked) and give them its plays; the plays that changed hands."""
    moved = _unlink(s, user.plex_account_id) if user.plex_account_id not in (None, plex_account_id) else 0
    for other in s.exec(select(User).where(User.plex_account_id == plex_account_id, User.id != user.id)):
        other.plex_account_id, other.plex_username = None, None
    _flush(s)  # the account is free before it is given, or the unique index refuses
    user.plex_account_id, user.plex_username = plex_account_id, plex_username.strip()[:255] or user.plex_username
    _flush(s)
    return moved + attribute(s, plex_account_id, user.id)


def _unlink(s: Session, plex_account_id: int | None) -> int:
    if plex_account_id is None:
        return 0
    for user in s.exec(select(User).where(User.plex_account_id == plex_account_id)):
        user.plex_account_id, user.plex_username = None, None
    _flush(s)
    return attribute(s, plex_account_id, None)


def _flush(s: Session) -> None:
    try:
        s.flush()
    except IntegrityError:
        raise LinkError("That Plex account was just linked to someone else. Reload and try again.") from None


def _check_account(plex_account_id: int) -> None:
    if plex_account_id == OWNER_ACCOUNT_ID:
        raise LinkError("The server's own owner account always counts for the admin who connected the server.")
    if plex_account_id <= 0:
        raise LinkError("That is not a Plex account.")


def _target(s: Session, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = s.get(User, user_id)
    if user is None or not user.is_active:
        raise LinkError("That person is not on SmartPlex any more. Reload and try again.")
    return user


def _plays_by_holder(conn: Connection, plex_account_id: int) -> dict[int | None, int]:
    """The account's plays (services.watching: item and UTC day) by the person each is attributed to now."""
    day = watching.play_day(conn)
    plays = (
        sa.select(WATCH.c.user_id)
        .where(WATCH.c.plex_account_id == plex_account_id, watching.PLAYED)
        .group_by(WATCH.c.user_id, WATCH.c.media_item_id, WATCH.c.rating_key, day)
        .subquery()
    )
    rows = conn.execute(sa.select(plays.c.user_id, sa.func.count()).group_by(plays.c.user_id))
    return {holder: count for holder, count in rows}


def plays_by_account(conn: Connection, plex_account_ids: list[int]) -> dict[int, int]:
    """How many plays (services.watching) are recorded for each of the accounts, whoever they count for."""
    if not plex_account_ids:
        return {}
    day = watching.play_day(conn)
    plays = (
        sa.select(WATCH.c.plex_account_id)
        .where(WATCH.c.plex_account_id.in_(plex_account_ids), watching.PLAYED)
        .group_by(WATCH.c.plex_account_id, WATCH.c.user_id, WATCH.c.media_item_id, WATCH.c.rating_key, day)
        .subquery()
    )
    rows = conn.execute(sa.select(plays.c.plex_account_id, sa.func.count()).group_by(plays.c.plex_account_id))
    return {account: count for account, count in rows}
