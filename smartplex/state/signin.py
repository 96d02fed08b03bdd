"""First-run admin creation, sign-in, and joining through an invite link."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import reflex as rx

from smartplex import routes
from smartplex.services import auth
from smartplex.state.auth import AuthState, public


def safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes home."""
    if not target or "\\" in target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return routes.HOME
    return target


class FormMixin(rx.State, mixin=True):
    """Shared shape of the three account forms: field errors, a form-level error, a busy flag."""

    errors: dict[str, str] = {}
    form_error: str = ""
    busy: bool = False

    def _fail(self, exc: Exception) -> None:
        if isinstance(exc, auth.ValidationError):
            self.errors, self.form_error = exc.errors, ""
        else:
            self.errors, self.form_error = {}, str(exc)

    def _start(self) -> None:
        self.busy, self.errors, self.form_error = True, {}, ""

    def _ip(self) -> str:
        return self.router.session.client_ip or ""


class SetupState(FormMixin, rx.State):
    @rx.event
    @public
    async def load(self) -> rx.event.EventSpec | None:
        if await asyncio.to_thread(auth.has_users):
            return rx.redirect(routes.LOGIN, replace=True)
        return None

    @rx.event
    @public
    async def submit(self, form: dict) -> AsyncIterator[rx.event.EventSpec | None]:
        self._start()
        yield
        try:
            await asyncio.to_thread(
                auth.create_first_admin, form.get("name"), form.get("email"), form.get("password"), form.get("confirm")
            )
            user, token = await asyncio.to_thread(auth.login, form.get("email"), form.get("password"), self._ip())
        except (auth.ValidationError, auth.AuthError) as exc:
            self._fail(exc)
            return
        finally:
            self.busy = False
        (await self.get_state(AuthState))._sign_in(user, token)
        yield rx.redirect(routes.HOME, replace=True)


class LoginState(FormMixin, rx.State):
    @rx.event
    @public
    async def load(self) -> rx.event.EventSpec | None:
        self.errors, self.form_error = {}, ""
        if not await asyncio.to_thread(auth.has_users):
            return rx.redirect(routes.SETUP, replace=True)
        if await (await self.get_state(AuthState))._actor():
            return rx.redirect(safe_next(self.router.url.query_parameters.get("next")), replace=True)
        return None

    @rx.event
    @public
    async def submit(self, form: dict) -> AsyncIterator[rx.event.EventSpec | None]:
        self._start()
        yield
        try:
            user, token = await asyncio.to_thread(auth.login, form.get("email"), form.get("password"), self._ip())
        except (auth.ValidationError, auth.AuthError) as exc:
            self._fail(exc)
            return
        finally:
            self.busy = False
        (await self.get_state(AuthState))._sign_in(user, token)
        yield rx.redirect(safe_next(self.router.url.query_parameters.get("next")), replace=True)


class JoinState(FormMixin, rx.State):
    """/join?invite=…: a member sets their own name, email and password."""

    invite_ok: bool = False
    invite_role: str = ""
    for_member: bool = False  # the invite completes a member imported from Plex (who may sign in with Plex instead)
    suggested_name: str = ""
    suggested_email: str = ""

    def _token(self) -> str:
        return self.router.url.query_parameters.get("invite", "")

    @rx.event
    @public
    async def load(self) -> None:
        self.errors, self.form_error = {}, ""
        try:
            invite = await asyncio.to_thread(auth.peek_invite, self._token())
        except auth.AuthError as exc:
            self.invite_ok, self.form_error = False, str(exc)
            return
        self.invite_ok = True
        self.invite_role = invite.role
        self.for_member = invite.for_member
        self.suggested_name = invite.name or ""
        self.suggested_email = invite.email or ""

    @rx.event
    @public
    async def submit(self, form: dict) -> AsyncIterator[rx.event.EventSpec | None]:
        self._start()
        yield
        try:
            user, token = await asyncio.to_thread(
                auth.accept_invite,
                self._token(),
                form.get("name"),
                form.get("email"),
                form.get("password"),
                form.get("confirm"),
                self._ip(),
            )
        except (auth.ValidationError, auth.AuthError) as exc:
            self._fail(exc)
            if isinstance(exc, auth.AuthError):
                self.invite_ok = False
            return
        finally:
            self.busy = False
        (await self.get_state(AuthState))._sign_in(user, token)
        yield rx.redirect(routes.HOME, replace=True)
