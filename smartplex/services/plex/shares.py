"""Members from a server's shares: the people its owner shares it with become SmartPlex members in one step.

Who is listed: the owner's shared users at plex.tv (the users API, asked with the token the server was connected
with, keeping those the server is shared with and Plex Home members) and the accounts the server itself knows
(`/accounts`: everyone who has used it). Either source may be unreachable; the other still lists what it knows, and
the warning says what is missing. Each person shows who they already are on SmartPlex: the member linked to the
account, or a person not linked yet with the same email or Plex username (importing links them instead of making a
second account).

Importing creates each chosen person as a member linked to their Plex account, with their plays so far and a
one-time invite link to set an email and password (or they simply sign in with Plex), all in one transaction. The
list is read again on import: nothing the browser sends but the chosen account ids is trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from smartplex.db import session
from smartplex.log import get_logger
from smartplex.models import Server, User
from smartplex.services import auth, invites
from smartplex.services.plex import accounts, servers
from smartplex.services.plex.client import PlexError
from smartplex.services.plextv.client import PlexTvClient, PlexTvError, PlexTvRejected, SharedUser
from smartplex.services.vault import VaultError
from smartplex.services.watching import OWNER_ACCOUNT_ID

log = get_logger(__name__)

MAX_IMPORT = 500


class ShareError(Exception):
    """Nothing could be listed; the message says why."""


@dataclass(frozen=True)
class Candidate:
    plex_account_id: int
    name: str
    username: str
    email: str
    thumb: str
    home: bool  # a managed Plex Home user (no email, no sign-in of their own)
    shared: bool  # plex.tv lists a share of this server with them (or they are in the owner's Plex Home)
    on_server: bool  # the server lists the account: it has been used
    plays: int  # plays recorded for the account so far
    member_id: int | None  # the person linked to the account
    member_name: str
    match_id: int | None  # a person not linked yet whom importing links instead of creating someone
    match_name: str
    match_reason: str  # "email" | "username"


@dataclass(frozen=True)
class Shares:
    server_id: int
    server_name: str
    candidates: list[Candidate]
    warnings: list[str]


@dataclass(frozen=True)
class Imported:
    plex_account_id: int
    user_id: int
    name: str
    invite_token: str | None  # None: a person linked who can already sign in
    linked_existing: bool
    plays: int


@dataclass(frozen=True)
class ImportResult:
    imported: list[Imported]
    skipped: list[tuple[str, str]]  # (who, why)


def list_shares(actor_id: int, server_id: int) -> Shares:
    with session() as s:
        auth.require_admin(s, actor_id)
        server = s.get(Server, server_id)
        if server is None:
            raise ShareError("That Plex server is not connected to SmartPlex.")
    warnings: list[str] = []
    shared = _shared_users(server, warnings)
    known = _server_accounts(server, warnings)
    if shared is None and known is None:
        raise ShareError(" ".join(warnings))
    return Shares(server.id or 0, server.name, _candidates(server, shared or {}, known or {}), warnings)


def import_members(actor_id: int, server_id: int, plex_account_ids: list[int]) -> ImportResult:
    """Create (or link) the chosen people; the ones that cannot be imported are skipped, saying why."""
    chosen = list(dict.fromkeys(int(i) for i in plex_account_ids))[:MAX_IMPORT]
    shares = list_shares(actor_id, server_id)
    by_id = {c.plex_account_id: c for c in shares.candidates}
    imported: list[Imported] = []
    skipped: list[tuple[str, str]] = []
    with session() as s:
        auth.require_admin(s, actor_id)
        for account_id in chosen:
            candidate = by_id.get(account_id)
            if candidate is None:
                skipped.append((f"Plex account #{account_id}", f"not a shared user of {shares.server_name}"))
            elif candidate.member_id is not None:
                skipped.append((candidate.name, f"already a member ({candidate.member_name})"))
            else:
                imported.append(_import(s, actor_id, candidate))
    log.info(
        "plex_members_imported", user_id=actor_id, server_id=server_id, imported=len(imported), skipped=len(skipped)
    )
    return ImportResult(imported, skipped)


def _import(s: Session, actor_id: int, candidate: Candidate) -> Imported:
    username = candidate.username or candidate.name
    if candidate.match_id is not None:
        user = s.get(User, candidate.match_id)
        if user is None or user.plex_account_id is not None:
            raise accounts.LinkError(f"{candidate.match_name} changed meanwhile. Reload and try again.")
        accounts.link(s, candidate.plex_account_id, user, username)
        invite = invites.issue(s, actor_id, member=user) if user.password_hash is None else None
        return Imported(candidate.plex_account_id, user.id or 0, user.name, invite, True, candidate.plays)
    email = candidate.email.lower() or None
    if email and s.exec(select(User.id).where(User.email == email)).first() is not None:
        email = None  # someone else has it (linked to another Plex account): they set their own when they join
    user = accounts.add_member(s, candidate.plex_account_id, candidate.name, username, email)
    return Imported(
        candidate.plex_account_id,
        user.id or 0,
        user.name,
        invites.issue(s, actor_id, member=user),
        False,
        candidate.plays,
    )


def _shared_users(server: Server, warnings: list[str]) -> dict[int, SharedUser] | None:
    try:
        with PlexTvClient() as tv:
            users = tv.shared_users(servers.server_token(server))
    except PlexTvRejected:
        warnings.append(
            "plex.tv did not accept the token this server was connected with, so its shared users are missing."
        )
        return None
    except (PlexTvError, VaultError) as exc:
        warnings.append(f"Shared users from plex.tv are missing: {exc}")
        return None
    return {u.id: u for u in users if server.machine_id in u.server_ids or u.home}


def _server_accounts(server: Server, warnings: list[str]) -> dict[int, tuple[str, str]] | None:
    try:
        found = accounts.read_accounts(server.id or 0)
    except PlexError as exc:
        warnings.append(f"The accounts {server.name} lists are missing: {exc}")
        return None
    return {account_id: (name, thumb) for account_id, name, thumb in found if account_id != OWNER_ACCOUNT_ID}


def _candidates(server: Server, shared: dict[int, SharedUser], known: dict[int, tuple[str, str]]) -> list[Candidate]:
    with session() as s:
        users = list(s.exec(select(User).where(col(User.is_active))))
        plays = accounts.plays_by_account(s.connection(), sorted({*shared, *known}))
    owner = next((u for u in users if u.id == server.owner_id), None)
    linked = {u.plex_account_id: u for u in users if u.plex_account_id is not None}
    by_email = {u.email.casefold(): u for u in users if u.email and u.plex_account_id is None}
    by_username = {u.plex_username.casefold(): u for u in users if u.plex_username and u.plex_account_id is None}
    found = []
    for account_id in sorted({*shared, *known}):
        if owner is not None and owner.plex_account_id == account_id:
            continue  # the owner's own Plex account
        user = shared.get(account_id)
        name, thumb = known.get(account_id, ("", ""))
        username = user.username if user else name
        email = user.email if user else ""
        member = linked.get(account_id)
        match, reason = None, ""
        if member is None and email and email.casefold() in by_email:
            match, reason = by_email[email.casefold()], "email"
        elif member is None and username and username.casefold() in by_username:
            match, reason = by_username[username.casefold()], "username"
        found.append(
            Candidate(
                plex_account_id=account_id,
                name=(user.display_name if user else name)[:100],
                username=username,
                email=email,
                thumb=(user.thumb if user else thumb),
                home=bool(user and user.home),
                shared=user is not None,
                on_server=account_id in known,
                plays=plays.get(account_id, 0),
                member_id=member.id if member else None,
                member_name=member.name if member else "",
                match_id=match.id if match else None,
                match_name=match.name if match else "",
                match_reason=reason,
            )
        )
    return sorted(found, key=lambda c: (c.member_id is not None, c.name.casefold()))
