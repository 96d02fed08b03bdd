"""My requests: every request of the member with where it stands, filters, pages, cancelling while pending, and
the weekly quota; refreshed live when news arrives (state/live.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from smartplex import routes
from smartplex.services.auth import UserView
from smartplex.services.requests import requesting
from smartplex.state.auth import member_only
from smartplex.state.paging import MemberPages
from smartplex.state.live import on_news
from smartplex.state.urls import api_origin

FILTER_LABELS = {"all": "All", "pending": "Pending", "approved": "Approved", "processing": "Processing",
                 "partially_available": "Partially available", "available": "Available", "declined": "Declined",
                 "failed": "Failed"}  # fmt: skip


@dataclass(frozen=True)
class RequestRowView:
    id: int = 0
    title: str = ""
    year: int = 0
    kind_label: str = ""
    poster_url: str = ""
    status: str = ""
    status_label: str = ""
    seasons_label: str = ""
    requested_at: str = ""
    available_at: str = ""
    can_cancel: bool = False
    requester_id: int = 0
    requester_name: str = ""


def row_view(row: requesting.RequestRow, origin: str, *, with_requester: bool = False) -> RequestRowView:
    return RequestRowView(
        id=row.id, title=row.title, year=row.year, kind_label="Movie" if row.media_type == "movie" else "Show",
        poster_url=f"{origin}{row.poster_url}" if row.poster_url else "", status=row.status,
        status_label=row.status_label, seasons_label=row.seasons_label, requested_at=row.requested_at,
        available_at=row.available_at, can_cancel=row.can_cancel, requester_id=row.requester_id,
        requester_name=row.requester_name if with_requester else "",
    )  # fmt: skip


class MyRequestsState(MemberPages, rx.State):
    rows: list[RequestRowView] = []
    status_filter: str = "all"
    quota: str = ""

    def _route(self) -> str:
        return routes.REQUESTS

    async def _reload(self, actor: UserView) -> None:
        found, quota = await asyncio.gather(
            asyncio.to_thread(requesting.mine, actor.id, self.status_filter, self.page),
            asyncio.to_thread(requesting.quota, actor.id),
        )
        origin = api_origin(self)
        self.rows = [row_view(r, origin) for r in found.rows]
        self.page, self.pages, self.total = found.page, found.pages, found.total
        self.quota, self.loaded = quota.summary, True

    @rx.event
    @member_only
    async def load(self, actor: UserView) -> None:
        await self._reload(actor)

    @rx.event
    @member_only
    async def set_filter(self, actor: UserView, status_filter: str) -> None:
        self.status_filter = status_filter if status_filter in FILTER_LABELS else "all"
        self.page = 1
        await self._reload(actor)

    @rx.event
    @member_only
    async def cancel(self, actor: UserView, request_id: int) -> rx.event.EventSpec:
        try:
            await asyncio.to_thread(requesting.cancel, actor.id, int(request_id))
        except requesting.RequestError as exc:
            return rx.toast.error(str(exc))
        await self._reload(actor)
        return rx.toast.success("Request cancelled.")


on_news(MyRequestsState.refresh)
