"""Admin: the people on this SmartPlex, their roles, and invite links."""

from __future__ import annotations

import asyncio

import reflex as rx

from smartplex.services import auth, invites
from smartplex.services.plex import accounts
from smartplex.services.auth import UserView
from smartplex.services.invites import InviteView
from smartplex.state.auth import admin_only, public
from smartplex.state.urls import invite_link
from smartplex.state.views import MemberRow


class MembersState(rx.State):
    users: list[MemberRow] = []
    invites: list[InviteView] = []
    invite_link: str = ""
    invite_role: str = "member"
    error: str = ""

    async def _reload(self, actor: UserView) -> None:
        users, open_invites, owners = await asyncio.gather(
            asyncio.to_thread(auth.list_users, actor.id),
            asyncio.to_thread(invites.recent, actor.id),
            asyncio.to_thread(accounts.server_owners),
        )
        self.users = [
            MemberRow(
                u.id, u.name, u.email, u.role, u.login_count, u.created_at, u.id == actor.id,
                u.plex_account_id or 0, u.plex_username or "", u.has_password, u.id in owners,
            )  # fmt: skip
            for u in users
        ]
        self.invites = open_invites

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        self.invite_link, self.error = "", ""
        await self._reload(actor)

    @rx.event
    @public
    def set_invite_role(self, role: str) -> None:
        self.invite_role = role if role in ("member", "admin") else "member"

    @rx.event
    @admin_only
    async def create_invite(self, actor: UserView, form: dict) -> rx.event.EventSpec | None:
        try:
            token = await asyncio.to_thread(
                invites.create, actor.id, self.invite_role, form.get("name"), form.get("email")
            )
        except (auth.ValidationError, auth.AuthError) as exc:
            self.error = str(exc)
            return None
        self.error = ""
        self.invite_link = await invite_link(self, token)
        await self._reload(actor)
        return rx.toast.success("Invite link created. It works once.")

    @rx.event
    @admin_only
    async def revoke_invite(self, actor: UserView, invite_id: int) -> None:
        await asyncio.to_thread(invites.revoke, actor.id, int(invite_id))
        await self._reload(actor)

    @rx.event
    @admin_only
    async def set_role(self, actor: UserView, user_id: int, role: str) -> rx.event.EventSpec | None:
        try:
            await asyncio.to_thread(auth.set_role, actor.id, int(user_id), role)
        except (auth.ValidationError, auth.AuthError) as exc:
            await self._reload(actor)
            return rx.toast.error(str(exc))
        await self._reload(actor)
        return rx.toast.success("Role updated.")
