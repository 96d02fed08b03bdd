"""/: the member's dashboard."""

import reflex as rx

from smartplex import routes
from smartplex.components import tokens
from smartplex.components.artwork import artwork
from smartplex.components.detail_drawer import detail_drawer
from smartplex.components.hero import hero
from smartplex.components.server_switcher import server_switcher
from smartplex.components.layout import app_page
from smartplex.components.poster import poster_row
from smartplex.components.request_window import request_button
from smartplex.state.server_switcher import ServerSwitcherState
from smartplex.state.auth import AuthState
from smartplex.state.dashboard import DashboardState as S


def _not_connected() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("server", size=32, color=rx.color("accent", 9)),
            rx.heading("Your server isn't connected yet", size="5"),
            rx.text("Once the owner connects the Plex server, your history and recommendations appear here.", color_scheme="gray"),
            spacing="3",
            padding="8px",
        ),
        id="empty-server",
        width="100%",
    )


def _stat(label: str, value: rx.Var, id: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.heading(value, size="6", id=id), spacing="1"),
        flex="1",
        min_width="130px",
    )


def _stats() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.heading("Your stats", size="4"), rx.spacer(), rx.link("All stats", href=routes.STATS, size="2"), width="100%"),
        rx.flex(
            _stat("Hours this week", S.hours_week, "hours-week"),
            _stat("Hours this month", S.hours_month, "hours-month"),
            _stat("Hours this year", S.hours_year, "hours-year"),
            _stat("Plays this year", S.plays, "plays"),
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            S.favourite_genres.length() > 0,
            rx.hstack(
                rx.text("Favourite genres:", size="2", color_scheme="gray"),
                rx.foreach(S.favourite_genres, lambda g: rx.badge(g.label, variant="soft")),
                wrap="wrap",
                id="favourite-genres",
            ),
        ),
        rx.card(
            rx.text("Plays per day, last 30 days", size="2", weight="medium"),
            rx.recharts.bar_chart(
                rx.recharts.bar(data_key="plays", fill=rx.color("accent", 9), radius=[3, 3, 0, 0]),
                rx.recharts.x_axis(data_key="label", tick_line=False, font_size=11, interval="preserveStartEnd"),
                rx.recharts.y_axis(allow_decimals=False, width=28, font_size=11),
                rx.recharts.graphing_tooltip(),
                data=S.plays_per_day.to(list[dict]),
                height=180,
                width="100%",
            ),
            width="100%",
            id="plays-per-day",
        ),
        spacing="3",
        width="100%",
    )


def _history_preview() -> rx.Component:
    def row(item: rx.Var) -> rx.Component:
        return rx.hstack(
            rx.box(artwork(item.thumb_url, item.title, item.tint, title_size="8px", radius="6px"), width="40px", min_width="40px"),
            rx.vstack(
                rx.text(item.title, weight="medium", size="2", class_name="line-clamp-1"),
                rx.cond(item.subtitle, rx.text(item.subtitle, size="1", color=tokens.MUTED, class_name="line-clamp-1")),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.text(item.watched_ago, size="1", color=tokens.MUTED, white_space="nowrap", title=item.watched_label),
            width="100%",
            align="center",
            spacing="3",
            cursor="pointer",
            on_click=S.open_detail(item.media_item_id),
            padding_y="6px",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
        )

    return rx.vstack(
        rx.hstack(rx.heading("Recently watched", size="5"), rx.spacer(), rx.link("Full history", href=routes.HISTORY, size="2"), width="100%"),
        rx.cond(
            S.recent_history.length() > 0,
            rx.vstack(rx.foreach(S.recent_history, row), spacing="0", width="100%"),
            rx.text("Watch something and it will show up here.", size="2", color=tokens.MUTED, class_name="empty-state"),
        ),
        spacing="2",
        width="100%",
        id="recent-history",
    )


def _sections() -> rx.Component:
    return rx.vstack(
        hero(S.hero, S.open_detail),
        poster_row("Continue watching", S.continue_watching, S.open_detail, "Nothing in progress. Start something and it will wait for you here.", "continue-watching"),
        poster_row("Recommended for you", S.recommended, S.open_detail, "Watch a few things first and recommendations appear here.", "recommended"),
        poster_row("Recently added", S.recently_added, S.open_detail, "Nothing new on the server yet.", "recently-added"),
        poster_row(S.trending_heading, S.trending, S.open_detail, "Nothing trending this week.", "trending"),
        _history_preview(),
        _stats(),
        spacing="7",
        width="100%",
    )


@app_page(routes.HOME, "Home", on_load=[ServerSwitcherState.load, S.load], icon="house", order=1)
def home() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(f"Welcome, {AuthState.user_name}", size="3", color=tokens.MUTED, id="welcome"),
            rx.spacer(),
            server_switcher(),
            request_button("dashboard-request", size="2"),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.has_server,
            rx.cond(S.loaded, _sections(), rx.center(rx.spinner(size="3"), padding="48px", width="100%")),
            _not_connected(),
        ),
        detail_drawer(S.detail, S.detail_open, S.set_detail_open, S.open_detail),
        spacing="5",
        width="100%",
        on_mount=S.start_watching,
        on_unmount=S.stop_watching,
    )
