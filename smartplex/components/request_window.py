"""The Request window: search as you type, poster cards with badges, one-click movies, seasons for shows."""

from __future__ import annotations

import reflex as rx

from smartplex.components.request_status import result_badge
from smartplex.state.requests import RequestState as S

CARD_WIDTH = "132px"


def request_button(id: str = "open-request", size: str = "2", *, compact: bool = False) -> rx.Component:
    """Opens the window (it lives in the shell, so every page has it); `compact`: the word only on wide screens."""
    label = rx.text("Request", display=["none", "none", "inline"]) if compact else "Request"
    return rx.button(rx.icon("circle-plus", size=16), label, on_click=S.open_window, size=size, aria_label="Request", id=id)


def _poster(url: rx.Var, title: rx.Var, width: str, height: str) -> rx.Component:
    return rx.box(
        rx.cond(
            url,
            rx.image(src=url, alt=title, loading="lazy", width="100%", height="100%", object_fit="cover", class_name="poster-img"),
            rx.center(rx.icon("film", size=28, color=rx.color("gray", 9)), height="100%"),
        ),
        width=width,
        min_width=width,
        height=height,
        border_radius="8px",
        overflow="hidden",
        background=rx.color("gray", 4),
    )


def _action(r: rx.Var) -> rx.Component:
    return rx.cond(
        r.requestable,
        rx.cond(
            r.media_type == "movie",
            rx.button("Request", size="1", width="100%", on_click=S.request_movie(r.tmdb_id), loading=S.busy,
                      id="request-movie-" + r.tmdb_id.to_string()),  # fmt: skip
            rx.button("Choose seasons", size="1", variant="soft", width="100%", on_click=S.pick_show(r.tmdb_id),
                      loading=S.busy, id="choose-seasons-" + r.tmdb_id.to_string()),  # fmt: skip
        ),
        rx.button(r.badge_label, size="1", variant="surface", color_scheme="gray", width="100%", disabled=True),
    )


def _result(r: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.box(
            _poster(r.poster_url, r.title, CARD_WIDTH, "198px"),
            rx.box(result_badge(r.badge, r.badge_label), position="absolute", top="6px", left="6px"),
            position="relative",
        ),
        rx.text(r.title, size="2", weight="medium", class_name="line-clamp-2", title=r.title),
        rx.text(rx.cond(r.year > 0, r.year.to_string() + " · ", ""), r.kind_label, size="1", color_scheme="gray"),
        _action(r),
        spacing="1",
        width=CARD_WIDTH,
        class_name="request-result",
        id="result-" + r.media_type + "-" + r.tmdb_id.to_string(),
    )


def _search() -> rx.Component:
    return rx.vstack(
        rx.debounce_input(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                rx.cond(S.searching, rx.input.slot(rx.spinner(size="1"), side="right")),
                value=S.query,
                on_change=S.set_query,
                placeholder="Search movies and shows…",
                size="3",
                width="100%",
                auto_focus=True,
                max_length=500,
                id="request-search",
            ),
            debounce_timeout=250,
        ),
        rx.cond(S.error, rx.callout(S.error, icon="triangle_alert", color_scheme="red", width="100%", id="request-search-error")),
        rx.cond(
            S.results.length() > 0,
            rx.scroll_area(
                rx.flex(rx.foreach(S.results, _result), wrap="wrap", spacing="4", justify="start", id="request-results"),
                type="auto",
                scrollbars="vertical",
                max_height=["60vh", "55vh"],
            ),
            rx.cond(
                S.searched & ~S.searching & ~S.error,
                rx.text("Nothing found. Try another spelling, or the original title.", size="2", color_scheme="gray",
                        id="request-no-results"),  # fmt: skip
                rx.text("Type a title: results appear as you type.", size="2", color_scheme="gray"),
            ),
        ),
        spacing="3",
        width="100%",
    )


def _season(season: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.checkbox(
            season.label,
            checked=S.picked.contains(season.number),
            disabled=~season.selectable,
            on_change=lambda _checked: S.toggle_season(season.number),
            size="2",
            id="season-" + season.number.to_string(),
        ),
        rx.spacer(),
        rx.cond(season.state, rx.badge(season.state, variant="soft", color_scheme="gray")),
        width="100%",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _show() -> rx.Component:
    show = S.show
    return rx.vstack(
        rx.button(rx.icon("arrow-left", size=16), "Back to results", variant="ghost", size="1", on_click=S.close_show, id="back-to-results"),
        rx.flex(
            _poster(show.poster_url, show.title, "110px", "165px"),
            rx.vstack(
                rx.heading(show.title, size="5", id="picked-show"),
                rx.text(rx.cond(show.year > 0, show.year.to_string(), ""), size="2", color_scheme="gray"),
                rx.text(show.overview, size="2", class_name="line-clamp-2"),
                spacing="1",
                min_width="0",
            ),
            spacing="4",
            width="100%",
        ),
        rx.text("Pick the seasons you want. Seasons already on the server or requested cannot be picked.", size="2", color_scheme="gray"),
        rx.scroll_area(rx.vstack(rx.foreach(S.seasons, _season), spacing="0", width="100%", id="season-list"),
                       type="auto", scrollbars="vertical", max_height="40vh"),  # fmt: skip
        rx.button(
            rx.cond(S.picked.length() == 1, "Request 1 season", "Request " + S.picked.length().to_string() + " seasons"),
            on_click=S.request_seasons,
            disabled=S.picked.length() == 0,
            loading=S.busy,
            size="3",
            width="100%",
            id="request-seasons",
        ),
        spacing="3",
        width="100%",
    )


def request_window() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.hstack(
                    rx.dialog.title("Request a movie or show", size="5", margin="0"),
                    rx.spacer(),
                    rx.dialog.close(rx.icon_button(rx.icon("x"), variant="ghost", aria_label="Close", id="close-request")),
                    width="100%",
                    align="center",
                ),
                rx.cond(S.quota, rx.text(rx.icon("gauge", size=14), " ", S.quota, size="2", color_scheme="gray", id="request-quota")),
                rx.cond(S.show.tmdb_id > 0, _show(), _search()),
                spacing="3",
                width="100%",
            ),
            max_width="880px",
            width="96vw",
            id="request-window",
        ),
        open=S.open,
        on_open_change=S.set_open,
    )
