"""/history: everything the member watched, searchable and filterable."""

import reflex as rx

from smartplex import routes
from smartplex.components import tokens
from smartplex.components.artwork import artwork
from smartplex.components.detail_drawer import detail_drawer
from smartplex.components.server_switcher import server_switcher
from smartplex.components.layout import app_page
from smartplex.components.table import PHONE_HIDDEN, data_table, wide_column
from smartplex.state.server_switcher import ServerSwitcherState
from smartplex.state.history import HistoryState as S


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.box(artwork(r.thumb_url, r.title, r.tint, title_size="9px", radius="6px"), width="48px", min_width="48px"),
                rx.vstack(
                    rx.text(r.title, weight="medium", class_name="line-clamp-1"),
                    rx.cond(r.subtitle, rx.text(r.subtitle, size="1", color=tokens.MUTED, class_name="line-clamp-1")),
                    rx.cond(r.where, rx.text(r.where, size="1", color=tokens.MUTED, class_name="line-clamp-1 row-where")),
                    spacing="0",
                    min_width="0",
                ),
                align="center",
                spacing="3",
            ),
            cursor="pointer",
            on_click=S.open_detail(r.media_item_id),
        ),
        rx.table.cell(rx.badge(r.type, variant="soft", color_scheme="gray"), display=PHONE_HIDDEN),
        rx.table.cell(
            rx.vstack(
                rx.text(r.watched_label, size="2", white_space="nowrap", class_name="watched-label"),
                rx.cond(  # "3 hours ago", "4 days ago"; the date above says the rest
                    r.watched_ago.contains("ago"),
                    rx.text(r.watched_ago, size="1", color=tokens.MUTED, white_space="nowrap"),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.cond(
                r.finished,
                rx.badge("Finished", color_scheme="green", variant="soft"),
                rx.vstack(
                    rx.text((r.progress * 100).to(int).to_string() + "%", size="1", color=tokens.MUTED),
                    rx.progress(value=(r.progress * 100).to(int), size="1", width="64px"),
                    spacing="1",
                ),
            )
        ),
        align="center",
    )


def _date_field(label: str, value: rx.Var, on_change: rx.EventHandler, id: str) -> rx.Component:
    return rx.el.label(
        rx.text(label, size="1", weight="medium", color=tokens.MUTED),
        rx.input(type="date", value=value, on_change=on_change, id=id),
        display="flex",
        flex_direction="column",
        gap="2px",
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search your history",
            value=S.query,
            on_change=S.search.debounce(300),
            id="history-search",
            max_length=200,
            flex="1",
            min_width="200px",
        ),
        rx.segmented_control.root(
            rx.segmented_control.item("All", value="all"),
            rx.segmented_control.item("Movies", value="movies"),
            rx.segmented_control.item("Episodes", value="episodes"),
            value=S.kind,
            on_change=S.set_kind,
            id="history-type",
        ),
        rx.hstack(
            _date_field("From", S.since, S.set_since, "history-since"),
            _date_field("To", S.until, S.set_until, "history-until"),
            align="end",
            spacing="3",
        ),
        spacing="3",
        wrap="wrap",
        width="100%",
        align="end",
    )


@app_page(routes.HISTORY, "History", on_load=[ServerSwitcherState.load, S.load], icon="history", order=4)
def history() -> rx.Component:
    return rx.vstack(
        server_switcher(),
        _filters(),
        rx.cond(
            S.total > 0,
            rx.vstack(
                rx.text(S.total, rx.cond(S.total == 1, " play", " plays"), size="2", color_scheme="gray", id="history-total"),
                data_table(["Title", wide_column("Type"), "Watched", "Progress"], rx.foreach(S.rows, _row), "history-table"),
                rx.hstack(
                    rx.button("Previous", variant="soft", on_click=S.go(S.page - 1), disabled=S.page <= 1, id="history-prev"),
                    rx.text("Page ", S.page, " of ", S.pages, size="2", id="history-page"),
                    rx.button("Next", variant="soft", on_click=S.go(S.page + 1), disabled=S.page >= S.pages, id="history-next"),
                    align="center",
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            rx.text(
                rx.cond(S.query | S.since | S.until | (S.kind != "all"), "No plays match these filters.", "Watch something and it will show up here."),
                color_scheme="gray",
                id="history-empty",
            ),
        ),
        detail_drawer(S.detail, S.detail_open, S.set_detail_open, S.open_detail),
        spacing="4",
        width="100%",
    )
