"""Sign in with Plex: plex.tv's PIN flow turned into a SmartPlex session.

`start` asks plex.tv for a PIN and the address of Plex's sign-in page for it; the caller keeps the `PendingSignIn`
(server-side only: whoever holds the PIN id and this installation's identifier could fetch the token) and shows the
page. `finish` asks plex.tv whether the PIN carries a token yet; once it does, the token is used right there, and
only there, to read the account and the servers it may use, then forgotten: it is never stored, returned or logged.

Who gets in: an account with access to one of the household's servers (plex.tv's resources, matched by machine
identifier). The person linked to that account signs in as themselves; an account new to SmartPlex becomes a member
linked to it (their plays so far move to them); the owner of a household server signs in as the admin who
connected it, once plex.tv confirms the server's stored token is that same account. Everyone else is refused, in
words that say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from smartplex.db import session
from smartplex.log import get_logger
from smartplex.models import Server, User, utcnow
from smartplex.services import auth, ratelimit
from smartplex.services.auth import UserView
from smartplex.services.plex import accounts, servers
from smartplex.services.plextv.client import PinExpired, PlexTvAccount, PlexTvClient, PlexTvRejected, Resource
from smartplex.services.vault import VaultError

log = get_logger(__name__)

STARTS_PER_ADDRESS = "20/10 minutes"
PIN_USES = "1/2 hours"  # a PIN signs in once, whatever replays it (it lives 30 minutes at plex.tv)


class SignInRefused(auth.AuthError):
    """plex.tv vouched for the account, but it may not sign in here; the message says why."""


@dataclass(frozen=True)
class PendingSignIn:
    pin_id: int
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class SignedIn:
    user: UserView
    session_token: str  # SmartPlex's own session, for the browser's cookie
    created: bool  # a member made by this sign-in


def start(forward_url: str, ip: str = "", client: PlexTvClient | None = None) -> tuple[PendingSignIn, str]:
    """A new PIN and Plex's sign-in page for it (coming back to `forward_url`)."""
    rule = ratelimit.rule(STARTS_PER_ADDRESS)
    verdict = ratelimit.hit(rule, f"plex-signin:ip:{ip or 'unknown'}")
    if not verdict.allowed:
        raise auth.AuthError(
            f"Too many Plex sign-ins from your address. Try again in {verdict.retry_after} s.", verdict.retry_after
        )
    if not _household():
        raise SignInRefused(
            "No Plex server is connected to SmartPlex yet, so Plex accounts cannot be checked. Sign in with email and password."
        )
    with client or PlexTvClient() as tv:
        pin = tv.create_pin()
        page = tv.auth_url(pin.code, forward_url)
    log.info("plex_signin_started")
    return PendingSignIn(pin.id, pin.code, pin.expires_at), page


def finish(pending: PendingSignIn, ip: str = "", client: PlexTvClient | None = None) -> SignedIn | None:
    """Signed in once the person approved SmartPlex on plex.tv; None while they have not (ask again later)."""
    if pending.expires_at <= utcnow():
        raise PinExpired("The Plex sign-in expired.")
    with client or PlexTvClient() as tv:
        token = tv.pin_token(pending.pin_id)
        if token is None:
            return None
        try:
            account = tv.account(token)
            reachable = {r.client_identifier: r for r in tv.resources(token) if r.is_server}
        except PlexTvRejected:
            raise SignInRefused("plex.tv did not confirm the sign-in. Try again.") from None
        del token  # used for the check only
        if not ratelimit.hit(ratelimit.rule(PIN_USES), f"plex-signin:pin:{pending.pin_id}").allowed:
            log.warning("plex_signin_refused", reason="pin replayed", plex_account_id=account.id)
            raise SignInRefused("This Plex sign-in was already used. Start again with “Sign in with Plex”.")
        return _sign_in(tv, account, reachable, ip)


def _household() -> dict[str, Server]:
    with session() as s:
        live = select(Server).where(col(Server.removed_at).is_(None)).order_by(col(Server.id))
        return {server.machine_id: server for server in s.exec(live)}


def _sign_in(tv: PlexTvClient, account: PlexTvAccount, reachable: dict[str, Resource], ip: str) -> SignedIn:
    shared = [server for machine, server in _household().items() if machine in reachable]
    if not shared:
        log.info("plex_signin_refused", reason="no access", plex_account_id=account.id)
        raise SignInRefused(
            f"The Plex account {account.display_name} has no access to this household's Plex server. "
            "Ask the server's owner to share it with you, then try again."
        )
    owned = [server for server in shared if reachable[server.machine_id].owned]
    if owned and not _linked(account.id):
        # plex.tv says the account owns the server; it is the owner SmartPlex knows if the server's token is its own.
        verified = next((server for server in owned if _connected_with(tv, server, account)), None)
        if verified is None:
            raise SignInRefused(
                f"This Plex account owns {owned[0].name}, but SmartPlex has that server from another Plex account. "
                "Sign in with email and password."
            )
        return _retrying(account, verified, ip)
    return _retrying(account, None, ip)


def _linked(plex_account_id: int) -> bool:
    with session() as s:
        return s.exec(select(User.id).where(User.plex_account_id == plex_account_id)).first() is not None


def _connected_with(tv: PlexTvClient, server: Server, account: PlexTvAccount) -> bool:
    try:
        return tv.account(servers.server_token(server)).id == account.id
    except (PlexTvRejected, VaultError):
        return False


def _retrying(account: PlexTvAccount, owned: Server | None, ip: str) -> SignedIn:
    """`_open`, once more when a sign-in of the same account at the same moment made the member first."""
    try:
        return _open(account, owned, ip)
    except (IntegrityError, accounts.LinkError):
        pass
    try:
        return _open(account, None, ip)
    except (IntegrityError, accounts.LinkError) as exc:
        raise SignInRefused(str(exc) if isinstance(exc, accounts.LinkError) else "Try again in a moment.") from None


def _open(account: PlexTvAccount, owned: Server | None, ip: str) -> SignedIn:
    with session() as s:
        user = s.exec(select(User).where(User.plex_account_id == account.id)).first()
        created = False
        if user is None and owned is not None:
            user = s.get(User, owned.owner_id)
            if user is None or user.plex_account_id is not None:
                raise SignInRefused(
                    f"This Plex account owns {owned.name}, but SmartPlex's admin for it signs in with another Plex "
                    "account. Sign in with email and password."
                )
            accounts.attribute(s, account.id, user.id)
            user.plex_account_id, user.plex_username = account.id, account.username or account.title
        elif user is None:
            email = account.email.lower() or None
            holder = s.exec(select(User).where(User.email == email)).first() if email else None
            if holder is not None and holder.plex_account_id != account.id:  # (equal: made by a sign-in just now)
                raise SignInRefused(
                    f"SmartPlex already has an account for {email}. Sign in with its password; "
                    "your admin can link it to your Plex account."
                )
            user = holder or accounts.add_member(
                s, account.id, account.display_name, account.username or account.title, email
            )
            created = holder is None
        if not user.is_active:
            raise SignInRefused("This SmartPlex account is switched off. Ask your admin.")
        token = auth.start_session(s, user, ip)
    log.info("plex_signin_succeeded", user_id=user.id, created=created)
    return SignedIn(UserView.of(user), token, created)
