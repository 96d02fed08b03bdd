"""/stats: charts of when, what and how much the member watches."""

import reflex as rx

from smartplex import routes
from smartplex.components.server_switcher import server_switcher
from smartplex.components.layout import app_page
from smartplex.state.server_switcher import ServerSwitcherState
from smartplex.state.stats import StatsState as S


def _chart(title: str, data: rx.Var, x: str, id: str, *, vertical: bool = False) -> rx.Component:
    bar = rx.recharts.bar(data_key="plays", fill=rx.color("accent", 9), radius=[3, 3, 0, 0])
    if vertical:
        chart = rx.recharts.bar_chart(
            bar,
            rx.recharts.x_axis(type_="number", allow_decimals=False, font_size=11),
            rx.recharts.y_axis(data_key=x, type_="category", width=110, font_size=11),
            rx.recharts.graphing_tooltip(),
            data=data.to(list[dict]),
            layout="vertical",
            height=280,
            width="100%",
        )
    else:
        chart = rx.recharts.bar_chart(
            bar,
            rx.recharts.x_axis(data_key=x, font_size=11, tick_line=False),
            rx.recharts.y_axis(allow_decimals=False, width=28, font_size=11),
            rx.recharts.graphing_tooltip(),
            data=data.to(list[dict]),
            height=220,
            width="100%",
        )
    return rx.card(rx.text(title, size="2", weight="medium"), chart, width="100%", id=id)


def _number(label: str, value: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.heading(value, size="6"), spacing="1"), flex="1", min_width="130px")


@app_page(routes.STATS, "Stats", on_load=[ServerSwitcherState.load, S.load], icon="chart-column", order=5)
def stats() -> rx.Component:
    return rx.vstack(
        server_switcher(),
        rx.flex(
            _number("Hours this week", S.hours_week),
            _number("Hours this month", S.hours_month),
            _number("Hours this year", S.hours_year),
            _number("Plays this year", S.plays),
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        rx.grid(
            _chart("Plays by day of week", S.by_weekday, "label", "chart-weekday"),
            _chart("Plays by hour (" + S.time_zone + ")", S.by_hour, "label", "chart-hour"),
            _chart("Plays by genre", S.by_genre, "label", "chart-genre", vertical=True),
            _chart("Plays by type", S.by_type, "label", "chart-type"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        spacing="5",
        width="100%",
    )
