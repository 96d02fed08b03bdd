"""Who is signed in, page guards, and the guard for privileged event handlers.

The browser holds only an opaque session token (a cookie set from JavaScript, so not HttpOnly);
every check looks the token up in the database again, so an expired session or a changed role
takes effect on the next page load or event.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex.istate.proxy import StateProxy

from smartplex import routes
from smartplex.config import get_settings
from smartplex.log import bind, get_logger
from smartplex.services import auth
from smartplex.services.auth import UserView

log = get_logger(__name__)

_PAGE_LOADS: dict[str, list[Any]] = {}


def register_page_loads(route: str, loads: list[Any]) -> None:
    """The events a signed-in page loads with; the page guard runs them once the caller may see the page, so a
    refused visit loads (and complains about) nothing."""
    _PAGE_LOADS[route] = list(loads)


GUARD = "_smartplex_guard"
"""Attribute every event handler under smartplex.state carries: "admin", "member" or "public" (tests check)."""


def public(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a handler any browser may call: it checks credentials itself (sign-in, invites, page guards) or only
    changes the caller's own page state (open a drawer, pick a form option)."""
    setattr(handler, GUARD, "public")
    return handler


class AuthState(rx.State):
    session_token: str = rx.Cookie(
        "", name=auth.SESSION_COOKIE, max_age=int(get_settings().session_ttl.total_seconds()), same_site="strict"
    )
    user_id: int = 0
    user_name: str = ""
    user_email: str = ""
    user_role: str = ""
    user_time_zone: str = ""  # "" until the member's browser has reported its zone (components/time_zone.py)

    @rx.var
    def signed_in(self) -> bool:
        return self.user_id > 0

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == "admin"

    @rx.var
    def initials(self) -> str:
        parts = self.user_name.split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    async def _actor(self) -> UserView | None:
        """The signed-in user, read fresh from the database."""
        user = await asyncio.to_thread(auth.user_for_session, self.session_token)
        self._show(user)
        if user:
            bind(user_id=user.id)
        return user

    def _show(self, user: UserView | None) -> None:
        self.user_id = user.id if user else 0
        self.user_name = user.name if user else ""
        self.user_email = user.email if user else ""
        self.user_role = user.role if user else ""
        self.user_time_zone = user.time_zone if user else ""

    def _sign_in(self, user: UserView, token: str) -> None:
        self.session_token = token
        self._show(user)

    def _path(self) -> str:
        return self.router.url.path.rstrip("/") or routes.HOME

    def _login_redirect(self) -> rx.event.EventSpec:
        return rx.redirect(routes.login_for(self._path()), replace=True)

    @rx.event
    @public
    async def require_login(self) -> rx.event.EventSpec | list[Any]:
        """on_load of every signed-in page: then the page's own loads."""
        if await self._actor() is not None:
            return _PAGE_LOADS.get(self._path(), [])
        if not await asyncio.to_thread(auth.has_users):
            return rx.redirect(routes.SETUP, replace=True)
        return self._login_redirect()

    @rx.event
    @public
    async def require_admin(self) -> rx.event.EventSpec | list[Any]:
        """on_load of every admin page: members are sent home, with one message; admins get the page's loads."""
        user = await self._actor()
        if user is None:
            return self._login_redirect()
        if not user.is_admin:
            log.warning("forbidden_page", path=self._path())
            # One toast however often the guard runs for this visit (sonner replaces a toast of the same id).
            return [rx.redirect(routes.HOME, replace=True), rx.toast.error("That page is for admins only.", id="admins-only")]
        return _PAGE_LOADS.get(self._path(), [])

    @rx.event
    @public
    async def logout(self) -> rx.event.EventSpec:
        await asyncio.to_thread(auth.logout, self.session_token)
        self.session_token = ""
        self._show(None)
        return rx.redirect(routes.LOGIN, replace=True)


async def acting_user(state: rx.State) -> UserView | None:
    auth_state = await state.get_state(AuthState)
    return await auth_state._actor()


def admin_only(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse the handler, with a toast, unless the caller is a signed-in admin; the handler receives `actor`."""
    return _guarded(handler, "admin", lambda user: user.is_admin, rx.toast.error("Only an admin can do that."))


def member_only(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse the handler (silently: the page guard sends the browser to sign in) unless someone is signed in;
    the handler receives `actor`."""
    return _guarded(handler, "member", lambda _user: True, None)


def _guarded(
    handler: Callable[..., Any], kind: str, allowed: Callable[[UserView], bool], refusal: rx.event.EventSpec | None
) -> Callable[..., Any]:
    """Wrap a coroutine or async-generator handler, plain or background (`self` is then a StateProxy whose state
    may only be read inside `async with self`)."""

    async def caller(self: rx.State) -> UserView | None:
        if isinstance(self, StateProxy):
            async with self:
                actor = await acting_user(self)
        else:
            actor = await acting_user(self)
        if actor is None or not allowed(actor):
            log.warning("forbidden_event", handler=handler.__name__, guard=kind)
            return None
        return actor

    if inspect.isasyncgenfunction(handler):

        @functools.wraps(handler)
        async def guarded(self: rx.State, *args: Any, **kwargs: Any) -> Any:
            actor = await caller(self)
            if actor is None:
                if refusal is not None:
                    yield refusal
                return
            async for update in handler(self, actor, *args, **kwargs):
                yield update

    else:

        @functools.wraps(handler)
        async def guarded(self: rx.State, *args: Any, **kwargs: Any) -> Any:
            actor = await caller(self)
            if actor is None:
                return refusal
            return await handler(self, actor, *args, **kwargs)

    _hide_actor(guarded, handler)
    setattr(guarded, GUARD, kind)
    return guarded


def _hide_actor(guarded: Callable[..., Any], handler: Callable[..., Any]) -> None:
    """Give `guarded` the handler's signature minus `actor`, with annotations resolved in the
    handler's module, so Reflex parses browser arguments against the real parameters."""
    hints = typing.get_type_hints(handler)
    params = list(inspect.signature(handler).parameters.values())
    kept = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in [params[0], *params[2:]]]
    guarded.__signature__ = inspect.Signature(kept, return_annotation=hints.get("return", inspect.Signature.empty))  # type: ignore[attr-defined]
    guarded.__annotations__ = {k: v for k, v in hints.items() if k != "actor"}
    del guarded.__wrapped__  # type: ignore[attr-defined]
