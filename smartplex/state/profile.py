"""The member's profile page (display name, time zone, password) and the first visit's time zone."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import auth, clock, profile
from smartplex.services.auth import UserView
from smartplex.state.auth import AuthState, member_only


class ProfileState(rx.State):
    name: str = ""
    time_zone: str = "UTC"
    errors: dict[str, str] = {}
    password_errors: dict[str, str] = {}
    password_form_key: int = 0  # bumped after a change, so the password fields render empty again

    @rx.event
    @member_only
    async def load(self, actor: UserView) -> None:
        self.name, self.time_zone = actor.name, actor.time_zone or "UTC"
        self.errors, self.password_errors = {}, {}

    @rx.event
    @member_only
    async def save(self, actor: UserView, form: dict) -> rx.event.EventSpec | None:
        try:
            user = await asyncio.to_thread(profile.update_profile, actor.id, form.get("name"), form.get("time_zone"))
        except auth.ValidationError as exc:
            self.errors = exc.errors
            return None
        except auth.AuthError as exc:
            return rx.toast.error(str(exc))
        self.errors, self.name, self.time_zone = {}, user.name, user.time_zone
        (await self.get_state(AuthState))._show(user)
        return rx.toast.success("Profile saved.")

    @rx.event
    @member_only
    async def change_password(self, actor: UserView, form: dict) -> rx.event.EventSpec | None:
        token = (await self.get_state(AuthState)).session_token
        try:
            await asyncio.to_thread(
                profile.change_password,
                actor.id,
                form.get("current_password"),
                form.get("new_password"),
                form.get("confirm"),
                token,
            )
        except auth.ValidationError as exc:
            self.password_errors = exc.errors
            return None
        except auth.AuthError as exc:
            self.password_errors = {"current_password": str(exc)}
            return None
        self.password_errors = {}
        self.password_form_key += 1
        return rx.toast.success("Password changed. Your other devices are signed out.")

    @rx.event
    @member_only
    async def adopt_browser_time_zone(self, actor: UserView, reported: str) -> rx.event.EventSpec | None:
        """First visit: the browser's zone becomes the member's (nothing changes once one is set); the page then
        loads again so its dates and stats use it."""
        zone = await asyncio.to_thread(profile.adopt_browser_time_zone, actor.id, str(reported or "")[: clock.MAX_ZONE_NAME])
        if zone is None:
            return None
        return AuthState.require_login
