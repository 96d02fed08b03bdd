"""/admin/requests: everyone's requests with approve and decline, whose requests get watched, weekly limits."""

import reflex as rx

from smartplex import routes
from smartplex.components.card_heading import card_heading
from smartplex.components.layout import app_page
from smartplex.components.table import PHONE_HIDDEN, data_table, wide_column
from smartplex.pages.requests import pager, request_card, status_filter
from smartplex.state.admin_requests import AdminRequestsState as S


def _decide(r: rx.Var) -> rx.Component:
    return rx.cond(
        r.status == "pending",
        rx.hstack(
            rx.button(rx.icon("check", size=14), "Approve", size="1", color_scheme="green", on_click=S.approve(r.id),
                      id="approve-" + r.id.to_string()),  # fmt: skip
            rx.button(rx.icon("x", size=14), "Decline", size="1", variant="soft", color_scheme="red", on_click=S.decline(r.id),
                      id="decline-" + r.id.to_string()),  # fmt: skip
            spacing="2",
        ),
    )


def _ratio_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r.name, weight="medium")),
        rx.table.cell(r.requests),
        rx.table.cell(rx.vstack(rx.text(r.summary, size="2"), rx.progress(value=r.percent, size="1", width="120px"), spacing="1")),
        rx.table.cell(r.by_them, display=PHONE_HIDDEN),
        rx.table.cell(r.by_others, display=PHONE_HIDDEN),
        align="center",
    )


def _limit_inputs(movies: rx.Var | str, seasons: rx.Var | str, prefix: rx.Var | str) -> list[rx.Component]:
    def one(name: str, label: str, value: rx.Var | str) -> rx.Component:
        return rx.vstack(
            rx.text(label, size="1", color_scheme="gray", as_="label", html_for=prefix + "-" + name),
            rx.input(name=name, default_value=value, placeholder="no limit", type="number", min=0, max=1000, width="110px",
                     id=prefix + "-" + name),  # fmt: skip
            spacing="1",
        )

    return [one("movies", "Movies a week", movies), one("seasons", "Seasons a week", seasons)]


def _limit_row(p: rx.Var) -> rx.Component:
    prefix = "limit-" + p.user_id.to_string()
    return rx.table.row(
        rx.table.cell(rx.text(p.name, weight="medium")),
        rx.table.cell(
            rx.form(
                rx.hstack(
                    rx.el.input(type="hidden", name="user_id", value=p.user_id.to_string()),
                    *_limit_inputs(p.movies, p.seasons, prefix),
                    rx.button("Save", size="1", variant="soft", type="submit", id=prefix + "-save"),
                    spacing="2",
                    align="end",
                    wrap="wrap",
                ),
                on_submit=S.save_member,
                key=prefix + p.movies + "-" + p.seasons,
            )
        ),
        align="center",
    )


def _limits() -> rx.Component:
    return rx.card(
        rx.vstack(
            card_heading(
                "Weekly request limits",
                "How many movies and seasons a member may request in any 7 days. Empty = no limit. A member's own "
                "limit (empty = the household's) wins. Admins have none.",
            ),  # fmt: skip
            rx.form(
                rx.hstack(
                    rx.text("Household", weight="medium", size="2", width="90px"),
                    *_limit_inputs(S.default_movies, S.default_seasons, "default"),
                    rx.button("Save", type="submit", size="2", id="default-save"),
                    spacing="2",
                    align="end",
                    wrap="wrap",
                ),
                on_submit=S.save_default,
                key=S.default_movies + "-" + S.default_seasons,
            ),
            rx.cond(
                S.limits.length() > 0,
                data_table(["Member", "Own limits (empty = the household's)"], rx.foreach(S.limits, _limit_row), "limits-table"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@app_page(routes.ADMIN_REQUESTS, "Requests", on_load=[S.load], admin=True, icon="clipboard-list", order=13)
def admin_requests() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.heading("Everyone's requests", size="4"), rx.spacer(), status_filter(S, "admin-request-filter"), width="100%", align="center"),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(rx.foreach(S.rows, lambda r: request_card(r, _decide(r))), spacing="3", width="100%", id="admin-request-list"),
            rx.text("No requests with this status.", color_scheme="gray", size="2", id="admin-requests-empty"),
        ),
        pager(S, "admin-requests"),
        rx.heading("Whose requests get watched", size="4"),
        rx.cond(
            S.ratios.length() > 0,
            data_table(
                ["Requester", "Requests", "Watched once on the server", wide_column("By them"), wide_column("By others")],
                rx.foreach(S.ratios, _ratio_row),
                "ratios-table",
            ),
            rx.text("No requests yet.", color_scheme="gray", size="2"),
        ),
        _limits(),
        spacing="5",
        width="100%",
    )
