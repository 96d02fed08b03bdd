"""First-run admin creation, sign-in, and joining through an invite link."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

import reflex as rx

from smartplex import routes
from smartplex.services import auth, invites
from smartplex.services.auth import UserView
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

    async def _submit(
        self, attempt: Callable[[], tuple[UserView, str]], destination: str
    ) -> AsyncIterator[rx.event.EventSpec | None]:
        """Run a blocking sign-in `attempt` off the event loop with the form busy; then sign the browser in and go to
        `destination`, or show why not."""
        self._start()
        yield
        try:
            user, token = await asyncio.to_thread(attempt)
        except (auth.ValidationError, auth.AuthError) as exc:
            self._fail(exc)
            return
        finally:
            self.busy = False
        (await self.get_state(AuthState))._sign_in(user, token)
        yield rx.redirect(destination, replace=True)


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
        ip = self._ip()

        def create_and_sign_in() -> tuple[UserView, str]:
            auth.create_first_admin(form.get("name"), form.get("email"), form.get("password"), form.get("confirm"))
            return auth.login(form.get("email"), form.get("password"), ip)

        async for update in self._submit(create_and_sign_in, routes.HOME):
            yield update


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
        ip, destination = self._ip(), safe_next(self.router.url.query_parameters.get("next"))
        async for update in self._submit(lambda: auth.login(form.get("email"), form.get("password"), ip), destination):
            yield update


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
            invite = await asyncio.to_thread(invites.peek, self._token())
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
        token, ip = self._token(), self._ip()

        def accept() -> tuple[UserView, str]:
            return invites.accept(
                token, form.get("name"), form.get("email"), form.get("password"), form.get("confirm"), ip
            )

        async for update in self._submit(accept, routes.HOME):
            yield update

    def _fail(self, exc: Exception) -> None:
        super()._fail(exc)
        if isinstance(exc, auth.AuthError):  # the invite itself is spent or wrong: the form goes
            self.invite_ok = False
