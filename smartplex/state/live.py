"""Live news in every open page: the bell's unread count and latest notifications, a toast for each new one, and a
nudge to the page's own state, within about a second and without a reload.

How it works (and how to extend it):
- The shell renders `components/live_bell.live_bell()`, whose mount starts `LiveState.watch`: a member-guarded
  background task per open page that reads a cheap marker (services.notifications.marker: newest notification id
  and unread count, one indexed query) every POLL_SECONDS, and touches the state only when the marker moved. A
  newer mount or an unmount (navigation) ends the older loop; a tab closed without unmounting stops after
  MAX_SECONDS.
- On news it updates `unread` and `recent`, toasts each new notification, and yields every handler registered with
  `on_news()`: a feature's state registers its refresh (My requests reloads its rows, the notifications page its
  list), and that handler decides itself whether its page is open.
- Anything that writes a `notification` row for a person reaches every page that person has open. A page that
  marks notifications read yields `LiveState.refresh`, so the bell agrees at once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace

import reflex as rx

from smartplex.services import notifications
from smartplex.services.auth import UserView
from smartplex.state.auth import acting_user, member_only, public

POLL_SECONDS = 1.0
MAX_SECONDS = 4 * 3600

_LISTENERS: list[rx.event.EventHandler] = []


def on_news(handler: rx.event.EventHandler) -> None:
    """Have `handler` (a member-guarded event handler without arguments) run in the page whenever news arrives."""
    if handler not in _LISTENERS:
        _LISTENERS.append(handler)


@dataclass(frozen=True)
class NoticeView:
    id: int = 0
    kind: str = ""
    title: str = ""
    body: str = ""
    link: str = ""
    created_at: str = ""
    read: bool = False


def notice_view(n: notifications.NotificationView) -> NoticeView:
    return NoticeView(n.id, n.kind, n.title, n.body, n.link, n.created_at, n.read)


class LiveState(rx.State):
    unread: int = 0
    recent: list[NoticeView] = []
    panel_open: bool = False

    _latest_id: int = -1  # -1 until the first look: what exists then is not news
    _generation: int = 0

    @rx.event
    @public
    def start(self) -> rx.event.EventSpec:
        """on_mount of the shell: start this page's watch; a newer mount or an unmount ends older loops."""
        self._generation += 1
        return LiveState.watch(self._generation)

    @rx.event
    @public
    def stop(self) -> None:
        self._generation += 1

    @rx.event
    @public
    def set_panel_open(self, is_open: bool) -> None:
        """Opens or closes the caller's own bell panel."""
        self.panel_open = bool(is_open)

    @rx.event(background=True)
    @member_only
    async def watch(self, actor: UserView, generation: int):  # noqa: ANN201 - an async generator of events
        deadline = time.monotonic() + MAX_SECONDS
        while time.monotonic() < deadline:
            async with self:
                if generation != self._generation:
                    return
                known, shown = self._latest_id, self.unread
            marker = await asyncio.to_thread(notifications.marker, actor.id)
            if marker.latest_id != known or known < 0:
                fresh = await asyncio.to_thread(notifications.recent, actor.id)
                async with self:
                    if generation != self._generation or await acting_user(self) is None:
                        return
                    first_look = self._latest_id < 0
                    news = [] if first_look else [n for n in fresh if n.id > self._latest_id and not n.read]
                    self._latest_id, self.unread = marker.latest_id, marker.unread
                    self.recent = [notice_view(n) for n in fresh]
                for notice in reversed(news):
                    yield rx.toast.info(notice.title, description=notice.body, id=f"notice-{notice.id}")
                if news:
                    for listener in _LISTENERS:
                        yield listener
            elif marker.unread != shown:  # read elsewhere (another tab, the notifications page)
                fresh = await asyncio.to_thread(notifications.recent, actor.id)
                async with self:
                    self.unread, self.recent = marker.unread, [notice_view(n) for n in fresh]
            await asyncio.sleep(POLL_SECONDS)

    @rx.event
    @member_only
    async def refresh(self, actor: UserView) -> None:
        """Show the count and latest notifications as they are now (after a page marked some read)."""
        marker, fresh = await asyncio.gather(
            asyncio.to_thread(notifications.marker, actor.id), asyncio.to_thread(notifications.recent, actor.id)
        )
        self.unread, self.recent = marker.unread, [notice_view(n) for n in fresh]

    @rx.event
    @member_only
    async def open_notice(self, actor: UserView, notification_id: int) -> rx.event.EventSpec | None:
        """Mark one read and go to its page (the request, the title, the admin page concerned)."""
        link = await asyncio.to_thread(notifications.mark, actor.id, int(notification_id))
        if link is None:
            return None
        self.recent = [replace(n, read=True) if n.id == notification_id else n for n in self.recent]
        self.unread = (await asyncio.to_thread(notifications.marker, actor.id)).unread
        self.panel_open = False
        return rx.redirect(link) if link else None

    @rx.event
    @member_only
    async def mark_all_read(self, actor: UserView) -> None:
        await asyncio.to_thread(notifications.mark_all_read, actor.id)
        self.unread = 0
        self.recent = [replace(n, read=True) for n in self.recent]
