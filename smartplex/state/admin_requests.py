"""Admin → Requests: everyone's requests (approve or decline through Seerr), each requester's request-to-watch
ratio, and the weekly request limits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from smartplex.services import auth
from smartplex.services.auth import UserView
from smartplex.services.requests import insights, quotas, requesting
from smartplex.state.auth import admin_only
from smartplex.state.my_requests import FILTER_LABELS, RequestRowView, row_view
from smartplex.state.urls import api_origin


@dataclass(frozen=True)
class RatioView:
    user_id: int = 0
    name: str = ""
    requests: int = 0
    summary: str = ""
    percent: int = 0
    by_them: int = 0
    by_others: int = 0


@dataclass(frozen=True)
class LimitView:
    user_id: int = 0
    name: str = ""
    movies: str = ""  # "" = the household default
    seasons: str = ""


def _text(limit: int | None) -> str:
    return "" if limit is None else str(limit)


class AdminRequestsState(rx.State):
    rows: list[RequestRowView] = []
    status_filter: str = "all"
    page: int = 1
    pages: int = 1
    total: int = 0
    ratios: list[RatioView] = []
    default_movies: str = ""
    default_seasons: str = ""
    limits: list[LimitView] = []

    async def _reload(self, actor: UserView) -> None:
        found, ratios, people = await asyncio.gather(
            asyncio.to_thread(requesting.everyone, actor.id, self.status_filter, self.page),
            asyncio.to_thread(insights.ratios, actor.id),
            asyncio.to_thread(auth.list_users, actor.id),
        )
        own = await asyncio.to_thread(quotas.all_member_limits)
        default = await asyncio.to_thread(quotas.household_default)
        origin = api_origin(self)
        self.rows = [row_view(r, origin, with_requester=True) for r in found.rows]
        self.page, self.pages, self.total = found.page, found.pages, found.total
        self.ratios = [RatioView(r.user_id, r.name, r.requests, r.summary, r.percent, r.watched_by_them, r.watched_by_others)
                       for r in ratios]  # fmt: skip
        self.default_movies, self.default_seasons = _text(default.movies), _text(default.seasons)
        self.limits = [
            LimitView(p.id, p.name, _text(own.get(p.id, quotas.Limits()).movies), _text(own.get(p.id, quotas.Limits()).seasons))
            for p in people
            if p.role != "admin"
        ]

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        await self._reload(actor)

    @rx.event
    @admin_only
    async def set_filter(self, actor: UserView, status_filter: str) -> None:
        self.status_filter = status_filter if status_filter in FILTER_LABELS else "all"
        self.page = 1
        await self._reload(actor)

    @rx.event
    @admin_only
    async def go_to_page(self, actor: UserView, page: int) -> None:
        self.page = max(int(page), 1)
        await self._reload(actor)

    @rx.event
    @admin_only
    async def approve(self, actor: UserView, request_id: int) -> rx.event.EventSpec:
        return await self._decide(actor, request_id, True)

    @rx.event
    @admin_only
    async def decline(self, actor: UserView, request_id: int) -> rx.event.EventSpec:
        return await self._decide(actor, request_id, False)

    async def _decide(self, actor: UserView, request_id: int, approve: bool) -> rx.event.EventSpec:
        try:
            row = await asyncio.to_thread(requesting.decide, actor.id, int(request_id), approve)
        except (requesting.RequestError, auth.AuthError) as exc:
            return rx.toast.error(str(exc))
        await self._reload(actor)
        return rx.toast.success(f"{'Approved' if approve else 'Declined'} {row.title}: {row.requester_name} is told.")

    @rx.event
    @admin_only
    async def save_default(self, actor: UserView, form: dict) -> rx.event.EventSpec:
        try:
            await asyncio.to_thread(quotas.set_household_default, actor.id, form.get("movies"), form.get("seasons"))
        except (quotas.QuotaError, auth.AuthError) as exc:
            return rx.toast.error(str(exc))
        await self._reload(actor)
        return rx.toast.success("Weekly limits saved.")

    @rx.event
    @admin_only
    async def save_member(self, actor: UserView, form: dict) -> rx.event.EventSpec:
        user_id = str(form.get("user_id", ""))
        if not user_id.isdigit():
            return rx.toast.error("No such person.")
        try:
            await asyncio.to_thread(quotas.set_member_limits, actor.id, int(user_id), form.get("movies"), form.get("seasons"))
        except (quotas.QuotaError, auth.AuthError) as exc:
            return rx.toast.error(str(exc))
        await self._reload(actor)
        return rx.toast.success("Limits saved.")

