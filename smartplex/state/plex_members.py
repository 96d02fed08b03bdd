"""Admin → Members, the Plex side: "Import from Plex" (the server's shared users become members) and each person's
Plex account, changed or removed only after the admin saw which plays move ("312 plays will move from Sam to Alex").
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import reflex as rx

from smartplex.services import auth
from smartplex.services.auth import UserView
from smartplex.services.plex import accounts, servers, shares
from smartplex.services.plex.accounts import LinkError, LinkPreview
from smartplex.services.plex.shares import Candidate, ShareError
from smartplex.state.auth import admin_only, public
from smartplex.state.members import MembersState
from smartplex.state.urls import invite_link

UNLINKED = "none"  # the link dialog's "not linked" choice


@dataclass(frozen=True)
class ShareRow:
    """A person the server is shared with, as the import list shows them."""

    plex_account_id: int
    name: str
    detail: str  # Plex username and email, or what kind of account it is
    plays: int
    status: str  # new | match | member
    status_text: str
    importable: bool


@dataclass(frozen=True)
class ImportedRow:
    name: str
    invite_link: str  # "" when they can already sign in
    note: str


@dataclass(frozen=True)
class AccountOption:
    value: str  # the Plex account id, or UNLINKED
    label: str


def whole_number(value: object) -> int | None:
    """A positive id from the browser, or None for anything else (a crafted event may send any JSON)."""
    text = str(value)
    return int(text) if text.isdigit() and 0 < len(text) < 19 else None


def plays_text(plays: int) -> str:
    return f"{plays:,} play" + ("" if plays == 1 else "s")


def share_row(c: Candidate) -> ShareRow:
    if c.member_id is not None:
        status, text = "member", f"Member: {c.member_name}"
    elif c.match_id is not None:
        status, text = "match", f"Links to {c.match_name} (same {c.match_reason})"
    else:
        status, text = "new", "New member"
    if c.home:
        detail = "Plex Home member"
    else:
        detail = " · ".join(part for part in (c.username if c.username != c.name else "", c.email) if part)
    if not c.shared:
        detail = " · ".join(part for part in (detail, "has used the server, no share on plex.tv") if part)
    return ShareRow(c.plex_account_id, c.name, detail, c.plays, status, text, c.member_id is None)


def describe(preview: LinkPreview) -> list[str]:
    """The preview in sentences, e.g. "312 plays will move from Sam to Alex."."""
    lines = []
    for move in preview.moves:
        if move.from_name and move.to_name:
            lines.append(f"{plays_text(move.plays)} will move from {move.from_name} to {move.to_name}.")
        elif move.to_name:
            lines.append(f"{plays_text(move.plays)} not counted for anyone yet will go to {move.to_name}.")
        else:
            lines.append(f"{plays_text(move.plays)} will move from {move.from_name} to no one.")
    if preview.released is not None:
        released = preview.released
        lines.append(
            f"{released.from_name}'s current Plex account is unlinked: "
            f"{plays_text(released.plays)} will move from {released.from_name} to no one."
        )
    return lines or ["No plays will move."]


class PlexMembersState(rx.State):
    server_id: int = 0
    server_name: str = ""
    loading: bool = False
    error: str = ""
    warnings: list[str] = []

    import_open: bool = False
    rows: list[ShareRow] = []
    selected: list[int] = []
    imported: list[ImportedRow] = []
    skipped: list[str] = []
    importing: bool = False

    link_open: bool = False
    link_user_id: int = 0
    link_user_name: str = ""
    link_choice: str = ""
    link_current: str = ""  # the person's account when the dialog opened (UNLINKED: none)
    options: list[AccountOption] = []
    preview: list[str] = []
    link_error: str = ""
    moving: bool = False

    _usernames: dict[int, str] = {}  # Plex account -> the username a link records
    _candidates: list[Candidate] = []

    @rx.var
    def selectable(self) -> int:
        return sum(1 for row in self.rows if row.importable)

    @rx.var
    def can_confirm(self) -> bool:
        return bool(self.link_choice) and self.link_choice != self.link_current and not self.link_error

    # ----- the shares of the server

    @staticmethod
    async def _fetch(actor: UserView, server_id: int) -> tuple[int, shares.Shares | None, str]:
        """(server, who it is shared with, or why not): the admin's first server unless one was picked."""
        if not server_id:
            owned = await asyncio.to_thread(servers.servers_for_owner, actor.id)
            server_id = owned[0].id if owned else await asyncio.to_thread(servers.default_server_id)
        if not server_id:
            return 0, None, "Connect a Plex server first: the people it is shared with are who can be imported."
        try:
            return server_id, await asyncio.to_thread(shares.list_shares, actor.id, server_id), ""
        except (ShareError, auth.AuthError) as exc:
            return server_id, None, str(exc)

    def _show(self, server_id: int, found: shares.Shares | None, error: str) -> None:
        self.server_id, self.error, self.loading = server_id, error, False
        self.warnings = found.warnings if found else []
        self.server_name = found.server_name if found else self.server_name
        self._candidates = found.candidates if found else []
        self.rows = [share_row(c) for c in self._candidates]
        self._usernames = {c.plex_account_id: c.username or c.name for c in self._candidates}

    @rx.event(background=True)
    @admin_only
    async def open_import(self, actor: UserView) -> None:
        async with self:
            self.import_open, self.loading, self.selected, self.imported, self.skipped = True, True, [], [], []
            server_id = self.server_id
        fetched = await self._fetch(actor, server_id)
        async with self:
            self._show(*fetched)

    @rx.event
    @public
    def set_import_open(self, open: bool) -> None:
        """Closing the dialog (its own page state only)."""
        self.import_open = bool(open) and self.import_open

    @rx.event
    @public
    def toggle(self, plex_account_id: int, checked: bool) -> None:
        """Tick or untick a person in the caller's own list (importing checks everything again)."""
        wanted = whole_number(plex_account_id)
        if wanted is None or all(row.plex_account_id != wanted for row in self.rows):
            return
        chosen = [i for i in self.selected if i != wanted]
        self.selected = [*chosen, wanted] if checked is True else chosen

    @rx.event
    @public
    def select_all(self) -> None:
        self.selected = [row.plex_account_id for row in self.rows if row.importable]

    @rx.event(background=True)
    @admin_only
    async def import_selected(self, actor: UserView) -> rx.event.EventSpec | None:
        async with self:
            chosen, server_id = list(self.selected), self.server_id
            if not chosen or self.importing:
                return None
            self.importing = True
        try:
            result = await asyncio.to_thread(shares.import_members, actor.id, server_id, chosen)
        except (ShareError, LinkError, auth.AuthError) as exc:
            async with self:
                self.importing, self.error = False, str(exc)
            return None
        links = [await invite_link(self, i.invite_token) if i.invite_token else "" for i in result.imported]
        fetched = await self._fetch(actor, server_id)
        async with self:
            self.importing, self.selected = False, []
            self.imported = [
                ImportedRow(
                    i.name,
                    link,
                    ("Linked to their existing account" if i.linked_existing else "New member")
                    + (f"; {plays_text(i.plays)} now count for them" if i.plays else ""),
                )
                for i, link in zip(result.imported, links, strict=True)
            ]
            self.skipped = [f"{who}: {why}" for who, why in result.skipped]
            self._show(*fetched)
        return MembersState.load

    # ----- one person's Plex account

    @rx.event(background=True)
    @admin_only
    async def open_link(self, actor: UserView, user_id: int) -> None:
        async with self:
            members = await self.get_state(MembersState)
            person = next((u for u in members.users if u.id == whole_number(user_id)), None)
            if person is None:
                return
            self.link_open, self.loading, self.link_user_id, self.link_user_name = True, True, person.id, person.name
            self.link_current = str(person.plex_account_id) if person.plex_account_id else UNLINKED
            self.link_choice, self.preview, self.link_error = self.link_current, [], ""
            current = (person.plex_account_id, person.plex_username)
            stale, server_id = not self._candidates, self.server_id
        fetched = await self._fetch(actor, server_id) if stale else None
        async with self:
            if fetched is not None:
                self._show(*fetched)
            self.options = self._options(current)
            self.loading = False

    def _options(self, current: tuple[int, str]) -> list[AccountOption]:
        found = [
            AccountOption(
                str(c.plex_account_id),
                c.name + (f" (now {c.member_name})" if c.member_id and c.member_id != self.link_user_id else ""),
            )
            for c in self._candidates
        ]
        account, username = current
        if account and all(o.value != str(account) for o in found):
            found.insert(0, AccountOption(str(account), username or f"Plex account #{account}"))
            self._usernames[account] = username
        return [AccountOption(UNLINKED, "Not linked"), *found]

    @rx.event
    @public
    def set_link_open(self, open: bool) -> None:
        self.link_open = bool(open) and self.link_open

    @rx.event
    @admin_only
    async def choose_link(self, actor: UserView, choice: str) -> None:
        """Show what the change would move, before anything changes."""
        if all(option.value != choice for option in self.options):
            self.link_error = "Choose a Plex account from the list."
            return
        self.link_choice, self.preview, self.link_error = choice, [], ""
        if choice == self.link_current:
            return
        account, user_id = self._change()
        try:
            found = await asyncio.to_thread(accounts.preview_link, actor.id, account, user_id)
        except (LinkError, auth.AuthError) as exc:
            self.link_error = str(exc)
            return
        self.preview = describe(found)

    def _change(self) -> tuple[int, int | None]:
        """(Plex account, new person) of the chosen change: unlinking gives the current account to nobody."""
        if self.link_choice == UNLINKED:
            return int(self.link_current), None
        return int(self.link_choice), self.link_user_id

    @rx.event
    @admin_only
    async def confirm_link(self, actor: UserView) -> AsyncIterator[rx.event.EventSpec | None]:
        if not self.link_choice or self.link_choice == self.link_current or self.moving:
            return
        account, user_id = self._change()
        self.moving = True
        yield  # the button spins while the plays move (a large history takes a few seconds)
        try:
            moved = await asyncio.to_thread(
                accounts.relink, actor.id, account, user_id, self._usernames.get(account, "")
            )
        except (LinkError, auth.AuthError) as exc:
            self.link_error = str(exc)
            return
        finally:
            self.moving = False
        self.link_open, self.rows, self._candidates = False, [], []
        done = "Unlinked" if user_id is None else f"Linked to {self.link_user_name}"
        yield MembersState.load
        yield rx.toast.success(f"{done}: {plays_text(moved)} moved.")
