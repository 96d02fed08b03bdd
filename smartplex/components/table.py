"""A compact table with a header row."""

from __future__ import annotations

import reflex as rx

PHONE_HIDDEN = ["none", "table-cell"]


def data_table(headers: list[str | rx.Component], rows: rx.Component, id: str | None = None) -> rx.Component:
    """`headers` are titles, or header cells when a column needs props (e.g. hidden on phones)."""
    cells = [h if isinstance(h, rx.Component) else rx.table.column_header_cell(h) for h in headers]
    return rx.table.root(
        rx.table.header(rx.table.row(*cells)),
        rx.table.body(rows),
        width="100%",
        variant="surface",
        size="1",
        id=id,
    )


def wide_column(title: str) -> rx.Component:
    """A header cell for a column that phones leave out (its cells pass `display=PHONE_HIDDEN`)."""
    return rx.table.column_header_cell(title, display=PHONE_HIDDEN)
