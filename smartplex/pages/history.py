"""/history: everything the member watched, searchable and filterable."""

import reflex as rx

from smartplex import routes
from smartplex.components.layout import app_page
from smartplex.components.table import PHONE_HIDDEN, data_table, wide_column
from smartplex.state.history import HistoryState as S


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(r.title, weight="medium"),
                rx.cond(r.subtitle, rx.text(r.subtitle, size="1", color_scheme="gray")),
                spacing="0",
            )
        ),
        rx.table.cell(rx.badge(r.type, variant="soft", color_scheme="gray"), display=PHONE_HIDDEN),
        rx.table.cell(rx.moment(r.watched_at, format="YYYY-MM-DD HH:mm")),
        rx.table.cell(
            rx.cond(
                r.finished,
                rx.badge("finished", color_scheme="green", variant="soft"),
                rx.text((r.progress * 100).to(int).to_string() + "%", size="1", color_scheme="gray"),
            )
        ),
        align="center",
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search titles",
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
            rx.input(type="date", value=S.since, on_change=S.set_since, id="history-since", aria_label="From"),
            rx.text("–", color_scheme="gray"),
            rx.input(type="date", value=S.until, on_change=S.set_until, id="history-until", aria_label="To"),
            align="center",
        ),
        spacing="3",
        wrap="wrap",
        width="100%",
        align="center",
    )


@app_page(routes.HISTORY, "History", on_load=[S.load], icon="history", order=2)
def history() -> rx.Component:
    return rx.vstack(
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
        spacing="4",
        width="100%",
    )
