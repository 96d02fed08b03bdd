"""The Request window: search Seerr as you type, request a movie in one click or a show by seasons, in place.

Search is latest-wins: every keystroke (debounced in the browser) takes a new sequence number, and an answer is
shown only while its number is still the newest, so a slow earlier answer never replaces a newer one. Requests go
through services.requests.requesting, which holds every path (this window, the detail drawer, a handler called
directly) to the member's quota before Seerr is asked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

import reflex as rx

from smartplex.services.auth import UserView
from smartplex.services.overseerr.client import OverseerrError
from smartplex.services.requests import catalogue, requesting
from smartplex.state.auth import member_only, public
from smartplex.state.my_requests import MyRequestsState
from smartplex.state.urls import api_origin


@dataclass(frozen=True)
class ResultView:
    tmdb_id: int = 0
    media_type: str = ""
    title: str = ""
    year: int = 0
    overview: str = ""
    poster_url: str = ""
    badge: str = ""
    badge_label: str = ""
    requestable: bool = False
    kind_label: str = ""  # Movie | Show


@dataclass(frozen=True)
class SeasonView:
    number: int = 0
    label: str = ""
    state: str = ""
    selectable: bool = False


def result_view(card: catalogue.TitleCard, origin: str) -> ResultView:
    return ResultView(
        tmdb_id=card.tmdb_id,
        media_type=card.media_type,
        title=card.title,
        year=card.year,
        overview=card.overview,
        poster_url=f"{origin}{card.poster_url}" if card.poster_url else "",
        badge=card.badge,
        badge_label=card.badge_label,
        requestable=card.requestable,
        kind_label="Movie" if card.media_type == "movie" else "Show",
    )


SEASON_STATES = {"on_server": "On your server", "available": "Available", "requested": "Requested"}


class RequestState(rx.State):
    open: bool = False
    query: str = ""
    results: list[ResultView] = []
    searching: bool = False
    searched: bool = False
    error: str = ""
    quota: str = ""
    show: ResultView = ResultView()  # the show whose seasons are being picked (tmdb_id 0 = none)
    seasons: list[SeasonView] = []
    picked: list[int] = []
    busy: bool = False

    _sequence: int = 0

    async def _quota(self, actor: UserView) -> None:
        self.quota = (await asyncio.to_thread(requesting.quota, actor.id)).summary

    @rx.event
    @member_only
    async def open_window(self, actor: UserView) -> None:
        self.open, self.error = True, ""
        self._close_show()
        await self._quota(actor)

    @rx.event
    @public
    def set_open(self, is_open: bool) -> None:
        """Open or close the caller's own window."""
        self.open = bool(is_open)
        if not self.open:
            self._close_show()

    def _close_show(self) -> None:
        self.show, self.seasons, self.picked = ResultView(), [], []

    @rx.event
    @public
    def close_show(self) -> None:
        """Back from a show's seasons to the results (the caller's own window)."""
        self._close_show()

    @rx.event
    @public
    def set_query(self, query: str) -> rx.event.EventSpec | None:
        """Every (debounced) change of the search box: the newest query wins; the search itself is member-guarded."""
        self.query = str(query)[:500]
        self._sequence += 1
        self.error = ""
        if not self.query.strip():
            self.results, self.searching, self.searched = [], False, False
            return None
        self.searching = True
        return RequestState.search(self._sequence, self.query)

    @rx.event(background=True)
    @member_only
    async def search(self, actor: UserView, sequence: int, query: str) -> None:
        try:
            found = await asyncio.to_thread(catalogue.search, actor.id, query)
            error = ""
        except (catalogue.SearchError, OverseerrError) as exc:
            found, error = [], str(exc)
        async with self:
            if sequence != self._sequence:  # a newer search was asked for meanwhile
                return
            origin = api_origin(self)
            self.results = [result_view(card, origin) for card in found]
            self.searching, self.searched, self.error = False, True, error

    @rx.event
    @member_only
    async def request_movie(self, actor: UserView, tmdb_id: int) -> rx.event.EventSpec | list[rx.event.EventSpec | rx.event.EventHandler]:
        """One click: request a movie for the member (quota and Seerr's answer decide)."""
        return await self._submit(actor, "movie", tmdb_id, None)

    @rx.event
    @member_only
    async def pick_show(self, actor: UserView, tmdb_id: int) -> rx.event.EventSpec | None:
        """Show a show's seasons to pick from (those on the server or requested cannot be picked)."""
        return await self._load_show(actor, "tv", tmdb_id)

    async def _load_show(self, actor: UserView, media_type: str, tmdb_id: int) -> rx.event.EventSpec | None:
        self.busy = True
        try:
            detail = await asyncio.to_thread(catalogue.details, actor.id, media_type, int(tmdb_id))
        except (catalogue.SearchError, OverseerrError, ValueError) as exc:
            self.busy = False
            return rx.toast.error(str(exc))
        self.busy = False
        self.show = result_view(detail.card, api_origin(self))
        self.seasons = [SeasonView(s.number, s.label, SEASON_STATES.get(s.state, ""), s.selectable) for s in detail.seasons]
        self.picked = []
        return None

    @rx.event
    @public
    def toggle_season(self, number: int) -> None:
        """Tick or untick a season in the caller's own picker (what can be requested is checked on submit)."""
        number = int(number)
        if not any(s.number == number and s.selectable for s in self.seasons):
            return
        self.picked = sorted(set(self.picked) ^ {number})

    @rx.event
    @member_only
    async def request_seasons(self, actor: UserView) -> rx.event.EventSpec | list[rx.event.EventSpec | rx.event.EventHandler]:
        return await self._submit(actor, "tv", self.show.tmdb_id, list(self.picked))

    @rx.event
    @member_only
    async def open_for_item(self, actor: UserView, media_item_id: int) -> rx.event.EventSpec | None:
        """From a library title's detail: open the window on that title (a show's missing seasons)."""
        found = await asyncio.to_thread(catalogue.library_title, int(media_item_id))
        if found is None:
            return rx.toast.error("SmartPlex does not know this title's TMDB id, so it cannot be requested.")
        self.open, self.error = True, ""
        await self._quota(actor)
        media_type, tmdb_id = found
        if media_type == "movie":
            return rx.toast.info("This movie is already on your server.")
        return await self._load_show(actor, media_type, tmdb_id)

    async def _submit(
        self, actor: UserView, media_type: str, tmdb_id: object, seasons: list[int] | None
    ) -> rx.event.EventSpec | list[rx.event.EventSpec | rx.event.EventHandler]:
        self.busy = True
        try:
            done = await asyncio.to_thread(requesting.submit, actor.id, media_type, tmdb_id, seasons)
        except requesting.RequestError as exc:
            self.busy = False
            await self._quota(actor)
            return rx.toast.error(str(exc), id="request-error")
        self.busy = False
        await self._quota(actor)
        self._mark_requested(done.row.media_type, int(str(tmdb_id)))
        if media_type == "tv":
            await self._load_show(actor, "tv", int(str(tmdb_id)))
        return [rx.toast.success(done.message, id="request-done"), MyRequestsState.refresh]

    def _mark_requested(self, media_type: str, tmdb_id: int) -> None:
        """Show the new badge on the result at once (the next search reads it from the database)."""
        self.results = [
            replace(r, badge=catalogue.MINE, badge_label=catalogue.BADGE_LABELS[catalogue.MINE], requestable=media_type == "tv")
            if r.tmdb_id == tmdb_id and r.media_type == media_type and r.badge == ""
            else r
            for r in self.results
        ]
