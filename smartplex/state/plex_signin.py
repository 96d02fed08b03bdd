"""Sign in with Plex on the login page: Plex's sign-in page in a popup (or in this tab), then polling plex.tv.

The click opens the popup at once (a popup opened later, after a round trip, is blocked by browsers), shows
"Opening Plex…" in it, and tells the server whether it opened. The server asks plex.tv for a PIN, sends the popup
to Plex's page for it, and asks plex.tv every second whether the person signed in; meanwhile it asks the browser
whether the popup is still open, so closing it reads as "cancelled". Plex's page forwards the popup to a static
"you can close this window" page; in this-tab mode it forwards to /login?plex=returned, which checks the PIN this
tab is waiting for. Nothing the browser sends names a PIN: the pending sign-in lives only here, encrypted with the
vault's key, and is dropped once used; the Plex token never leaves the service that checks it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime
from urllib.parse import quote

import orjson
import reflex as rx

from smartplex import routes
from smartplex.services import auth, vault
from smartplex.services.plex import servers
from smartplex.services.plextv import signin
from smartplex.services.plextv.client import PinExpired, PlexTvError, PlexTvRateLimited
from smartplex.services.plextv.signin import PendingSignIn, SignedIn
from smartplex.state.auth import AuthState, public
from smartplex.state.signin import safe_next

POLL_SECONDS = 1.0
LONGEST_WAIT = 10 * 60  # seconds a popup may stay open before the sign-in counts as expired
RETURN_WAIT = 15  # seconds to wait for plex.tv to confirm after Plex's page sent this tab back
CLOSED_GRACE = 2  # polls after the popup closed before it counts as cancelled (it closes itself after success)
FAILURES_TOLERATED = 3  # plex.tv errors in a row while polling before giving up
BROWSER_GONE = 20  # seconds without the browser answering about the popup: the tab closed, stop asking plex.tv
RETURNED = "returned"  # ?plex=returned: Plex's page sent this tab back
SIGNED_IN_PAGE = "/plex-signed-in.html"

POPUP = "window.__smartplexPlex"
OPEN_POPUP = (
    "(() => { const w = window.open('', 'smartplex-plex', 'popup,width=520,height=720');"
    f" if (!w) return false; {POPUP} = w;"
    " try { w.document.title = 'Plex'; w.document.body.innerHTML = '<p style=\"font:16px system-ui;padding:24px\">"
    "Opening Plex…</p>'; } catch (e) {} return true; })()"
)
POPUP_CLOSED = f"!!({POPUP} && {POPUP}.closed)"
CLOSE_POPUP = f"{POPUP} && {POPUP}.close()"

POPUP_BLOCKED = (
    "Your browser blocked the Plex window. Allow pop-ups for this site and try again, or continue in this tab."
)
EXPIRED = "The Plex sign-in expired before it was finished. Try again."
CANCELLED = "You closed the Plex window before signing in. Try again when you are ready."
NOT_WAITING = "No Plex sign-in is waiting in this tab. Start again with “Sign in with Plex”."
UNAVAILABLE = "Plex sign-in is unavailable for now: try again in a minute, or sign in with your email and password."


class PlexSignInState(rx.State):
    status: str = "idle"  # idle | starting | waiting | failed
    message: str = ""  # why it failed, in words
    offer_this_tab: bool = False  # the popup was blocked: Plex's page can open in this tab instead
    available: bool = False  # a server is connected, so Plex accounts can be checked

    _sealed: str = ""  # the pending sign-in, encrypted with the vault's key
    _attempt: int = 0
    _popup_closed: bool = False
    _popup_answered_at: float = 0.0  # the browser's last answer about the popup (none for a while: the tab is gone)

    @rx.var
    def busy(self) -> bool:
        return self.status in ("starting", "waiting")

    @rx.event
    @public
    async def load(self) -> rx.event.EventSpec | None:
        """On the login page: whether Plex sign-in is offered, and a tab Plex's page sent back checks its PIN."""
        self.available = await asyncio.to_thread(servers.default_server_id) > 0
        if self.router.url.query_parameters.get("plex") == RETURNED:
            return PlexSignInState.check_return
        if not self.busy:
            self.status, self.message, self.offer_this_tab = "idle", "", False
        return None

    @rx.event(background=True)
    @public
    async def begin(self, opened: bool) -> AsyncIterator[rx.event.EventSpec | None]:
        """The click's popup opened (or was blocked): get a PIN, show Plex's page in the popup, wait for the person."""
        if opened is not True:
            async with self:
                self._fail(POPUP_BLOCKED)
                self.offer_this_tab = True
            return
        async for update in self._run(popup=True):
            yield update

    @rx.event(background=True)
    @public
    async def continue_here(self) -> AsyncIterator[rx.event.EventSpec | None]:
        """Plex's page in this tab (the popup was blocked); it sends the tab back to /login?plex=returned."""
        async for update in self._run(popup=False):
            yield update

    @rx.event(background=True)
    @public
    async def check_return(self) -> AsyncIterator[rx.event.EventSpec | None]:
        """Plex's page sent this tab back: finish the sign-in it was waiting for, if any. The address proves
        nothing (anyone can open it): only a PIN this tab's own state holds is checked."""
        async with self:
            attempt = self._new_attempt()
            if not self._sealed:
                self._fail(NOT_WAITING)
                return
            self.status = "waiting"
        async for update in self._poll(attempt, time.monotonic() + RETURN_WAIT, popup=False):
            yield update

    @rx.event
    @public
    def cancel(self) -> rx.event.EventSpec:
        self._new_attempt()
        self._sealed, self.status, self.message, self.offer_this_tab = "", "idle", "", False
        return rx.call_script(CLOSE_POPUP)

    @rx.event
    @public
    def note_popup(self, closed: bool) -> None:
        """The browser's answer to "is the Plex window closed?" while waiting."""
        self._popup_closed, self._popup_answered_at = closed is True, time.time()

    # ----- the flow

    async def _run(self, popup: bool) -> AsyncIterator[rx.event.EventSpec | None]:
        async with self:
            attempt = self._new_attempt()
            self.status, self.message, self.offer_this_tab, self._popup_closed = "starting", "", False, False
            self._popup_answered_at = time.time()
            ip, origin = self.router.session.client_ip or "", self.router.url.origin
            next_path = self.router.url.query_parameters.get("next", "")
        forward = f"{origin}{SIGNED_IN_PAGE}" if popup else f"{origin}{routes.LOGIN}?plex={RETURNED}"
        if not popup and next_path:
            forward += f"&next={quote(safe_next(next_path), safe='/')}"
        try:
            pending, page = await asyncio.to_thread(signin.start, forward, ip)
        except (PlexTvError, auth.AuthError) as exc:
            async with self:
                if attempt == self._attempt:
                    self._fail(_advice(exc))
            yield rx.call_script(CLOSE_POPUP)
            return
        async with self:
            if attempt != self._attempt:
                return  # cancelled meanwhile
            self._sealed = _seal(pending)
            self.status = "waiting"
        if not popup:
            yield rx.call_script(f"window.location.assign({orjson.dumps(page).decode()})")
            return
        yield rx.call_script(f"{POPUP} && ({POPUP}.location.href = {orjson.dumps(page).decode()})")
        async for update in self._poll(attempt, time.monotonic() + LONGEST_WAIT, popup=True):
            yield update

    async def _poll(self, attempt: int, deadline: float, popup: bool) -> AsyncIterator[rx.event.EventSpec | None]:
        """Ask plex.tv once a second until the person signed in, cancelled, or time ran out."""
        failures, grace = 0, CLOSED_GRACE
        while True:
            async with self:
                if attempt != self._attempt:
                    return
                pending, closed, ip = _unseal(self._sealed), self._popup_closed, self.router.session.client_ip or ""
                gone = popup and time.time() - self._popup_answered_at > BROWSER_GONE
            if pending is None:
                async with self:
                    self._fail(NOT_WAITING)
                return
            outcome: str | SignedIn
            try:
                outcome, pause = await asyncio.to_thread(signin.finish, pending, ip) or "", POLL_SECONDS
                failures = 0
            except PinExpired:
                outcome, pause = EXPIRED, 0.0
            except PlexTvRateLimited as exc:  # a short wait is waited out; a long one ends the attempt
                failures, pause = failures + 1, float(exc.retry_after)
                outcome = _advice(exc) if exc.retry_after > 10 or failures >= FAILURES_TOLERATED else ""
            except PlexTvError as exc:  # down, slow, garbled: tolerated a few times in a row
                failures, pause = failures + 1, POLL_SECONDS
                outcome = _advice(exc) if failures >= FAILURES_TOLERATED else ""
            except auth.AuthError as exc:  # refused: no access, replayed, and so on
                outcome, pause = str(exc), 0.0
            if not outcome and closed:
                grace -= 1
                outcome = CANCELLED if grace < 0 else ""
            if not outcome and (gone or time.monotonic() > deadline):
                outcome = EXPIRED  # (a tab that went away without a word reads it when it comes back)
            if outcome:
                async for update in self._end(attempt, outcome, popup):
                    yield update
                return
            if popup:
                yield rx.call_script(POPUP_CLOSED, callback=PlexSignInState.note_popup)
            await asyncio.sleep(pause)

    async def _end(
        self, attempt: int, outcome: str | SignedIn, popup: bool
    ) -> AsyncIterator[rx.event.EventSpec | None]:
        target = routes.HOME
        async with self:
            if attempt != self._attempt:
                return
            self._sealed = ""
            if isinstance(outcome, str):
                self._fail(outcome)
            else:
                self.status = "idle"
                (await self.get_state(AuthState))._sign_in(outcome.user, outcome.session_token)
                target = safe_next(self.router.url.query_parameters.get("next"))
        if popup:
            yield rx.call_script(CLOSE_POPUP)
        if not isinstance(outcome, str):
            yield rx.redirect(target, replace=True)

    def _new_attempt(self) -> int:
        self._attempt += 1
        return self._attempt

    def _fail(self, message: str) -> None:
        self._sealed, self.status, self.message, self.offer_this_tab = "", "failed", message, False


def _advice(exc: Exception) -> str:
    """The failure in words, with what to do about it."""
    if isinstance(exc, PlexTvRateLimited):
        return f"plex.tv is limiting sign-ins right now. Try again in {exc.retry_after} s."
    if isinstance(exc, PlexTvError):
        return f"{exc} {UNAVAILABLE}"
    return str(exc)


def _seal(pending: PendingSignIn) -> str:
    data = {"id": pending.pin_id, "code": pending.code, "expires": pending.expires_at.isoformat()}
    return vault.encrypt(orjson.dumps(data).decode())


def _unseal(sealed: str) -> PendingSignIn | None:
    if not sealed:
        return None
    try:
        data = orjson.loads(vault.decrypt(sealed))
        return PendingSignIn(int(data["id"]), str(data["code"]), datetime.fromisoformat(data["expires"]))
    except (vault.VaultError, ValueError, KeyError, TypeError):
        return None
