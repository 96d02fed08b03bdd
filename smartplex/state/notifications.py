"""The notifications page: every notification of the person, newest first and paged, each opening its page or (for a
digest) its titles' detail drawers; marking read; and the admin's announcement to everyone. Refreshed live."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import reflex as rx

from smartplex import routes
from smartplex.services import notifications
from smartplex.services.auth import UserView
from smartplex.services.notifications import centre
from smartplex.state.auth import admin_only, member_only, public
from smartplex.state.detail import DetailDrawer
from smartplex.state.paging import MemberPages
from smartplex.state.live import LiveState, NoticeView, on_news


@dataclass(frozen=True)
class TitleChipView:
    id: int = 0
    label: str = ""  # "Dune (2021)"


@dataclass(frozen=True)
class NotificationRowView(NoticeView):
    """A notice with the titles a digest is about."""

    titles: list[TitleChipView] = field(default_factory=list)


def _row(n: notifications.NotificationView) -> NotificationRowView:
    chips = [TitleChipView(i.id, f"{i.title} ({i.year})" if i.year else i.title) for i in n.items]
    return NotificationRowView(n.id, n.kind, n.title, n.body, n.link, n.created_at, n.read, chips)


class NotificationsState(MemberPages, DetailDrawer, rx.State):
    rows: list[NotificationRowView] = []
    unread: int = 0
    unread_only: bool = False
    announce_open: bool = False
    announce_error: str = ""
    announcing: bool = False

    def _route(self) -> str:
        return routes.NOTIFICATIONS

    async def _reload(self, actor: UserView) -> None:
        found = await asyncio.to_thread(notifications.page, actor.id, self.page, unread_only=self.unread_only)
        self.rows = [_row(n) for n in found.rows]
        self.page, self.pages, self.total, self.unread, self.loaded = found.page, found.pages, found.total, found.unread, True

    @rx.event
    @member_only
    async def load(self, actor: UserView) -> None:
        self.page, self.announce_error = 1, ""
        await self._reload(actor)

    @rx.event
    @member_only
    async def set_unread_only(self, actor: UserView, unread_only: bool) -> None:
        self.unread_only, self.page = bool(unread_only), 1
        await self._reload(actor)

    @rx.event
    @member_only
    async def set_read(self, actor: UserView, notification_id: int, read: bool) -> rx.event.EventHandler:
        await asyncio.to_thread(notifications.mark, actor.id, int(notification_id), bool(read))
        await self._reload(actor)
        return LiveState.refresh

    @rx.event
    @member_only
    async def open(self, actor: UserView, notification_id: int) -> list:
        """Mark it read and go to its page."""
        link = await asyncio.to_thread(notifications.mark, actor.id, int(notification_id))
        await self._reload(actor)
        return [LiveState.refresh, *([rx.redirect(link)] if link else [])]

    @rx.event
    @member_only
    async def mark_all_read(self, actor: UserView) -> list:
        marked = await asyncio.to_thread(notifications.mark_all_read, actor.id)
        await self._reload(actor)
        return [LiveState.refresh, rx.toast.success("All caught up." if marked else "Nothing was unread.")]

    @rx.event
    @admin_only
    async def announce(self, actor: UserView, form: dict) -> rx.event.EventSpec | None:
        self.announcing = True
        try:
            reached = await asyncio.to_thread(centre.announce, actor.id, str(form.get("title", "")), str(form.get("body", "")))
        except centre.AnnouncementError as exc:
            self.announce_error, self.announcing = str(exc), False
            return None
        self.announce_error, self.announcing, self.announce_open = "", False, False
        await self._reload(actor)
        return rx.toast.success(f"Announced to {reached} {'person' if reached == 1 else 'people'}.")

    @rx.event
    @public
    def set_announce_open(self, is_open: bool) -> None:
        """Opens or closes the caller's own announcement dialog (sending it is admin-guarded)."""
        self.announce_open, self.announce_error = bool(is_open), ""


on_news(NotificationsState.refresh)
