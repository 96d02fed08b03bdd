"""/requests: the member's requests, where each stands, filters, pages and cancelling; live."""

import reflex as rx

from smartplex import routes
from smartplex.components.layout import app_page
from smartplex.components.request_status import request_status
from smartplex.components.request_window import request_button
from smartplex.state.my_requests import FILTER_LABELS
from smartplex.state.my_requests import MyRequestsState as S


def _poster(url: rx.Var, title: rx.Var) -> rx.Component:
    return rx.box(
        rx.cond(url, rx.image(src=url, alt=title, loading="lazy", width="100%", height="100%", object_fit="cover", class_name="poster-img"),
                rx.center(rx.icon("film", size=22, color=rx.color("gray", 9)), height="100%")),  # fmt: skip
        width="64px",
        min_width="64px",
        height="96px",
        border_radius="6px",
        overflow="hidden",
        background=rx.color("gray", 4),
    )


def request_card(r: rx.Var, actions: rx.Component | None = None) -> rx.Component:
    """One request: poster, title, what was asked, status and dates (shared with the admin page)."""
    return rx.card(
        rx.flex(
            _poster(r.poster_url, r.title),
            rx.vstack(
                rx.hstack(
                    rx.text(r.title, weight="bold", size="3", class_name="line-clamp-2", title=r.title),
                    rx.spacer(),
                    request_status(r.status, r.status_label, "status-" + r.id.to_string()),
                    width="100%",
                    align="start",
                ),
                rx.text(rx.cond(r.year > 0, r.year.to_string() + " · ", ""), r.kind_label,
                        rx.cond(r.seasons_label, " · " + r.seasons_label, ""), size="2", color_scheme="gray"),  # fmt: skip
                rx.cond(r.requester_name, rx.text("Requested by ", rx.text.strong(r.requester_name), size="2")),
                rx.flex(
                    rx.text("Requested ", rx.moment(r.requested_at, from_now=True), size="1", color_scheme="gray"),
                    rx.cond(r.available_at, rx.text("Available ", rx.moment(r.available_at, from_now=True), size="1", color=rx.color("green", 11))),
                    spacing="3",
                    wrap="wrap",
                ),
                actions if actions is not None else rx.fragment(),
                spacing="1",
                width="100%",
                min_width="0",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="request-" + r.id.to_string(),
        class_name="request-card",
    )


def _cancel(r: rx.Var) -> rx.Component:
    return rx.cond(
        r.can_cancel,
        rx.box(rx.button("Cancel request", size="1", variant="soft", color_scheme="red", on_click=S.cancel(r.id),
                         id="cancel-" + r.id.to_string())),  # fmt: skip
    )


def pager(state: type[rx.State], id: str) -> rx.Component:
    return rx.cond(
        state.pages > 1,
        rx.hstack(
            rx.button(rx.icon("chevron-left", size=16), "Newer", variant="soft", size="1", disabled=state.page <= 1,
                      on_click=state.go_to_page(state.page - 1), id=f"{id}-newer"),  # fmt: skip
            rx.text("Page ", state.page, " of ", state.pages, size="2", color_scheme="gray", id=f"{id}-page"),
            rx.button("Older", rx.icon("chevron-right", size=16), variant="soft", size="1", disabled=state.page >= state.pages,
                      on_click=state.go_to_page(state.page + 1), id=f"{id}-older"),  # fmt: skip
            justify="center",
            align="center",
            width="100%",
        ),
    )


def status_filter(state: type[rx.State], id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Status", id=id),
        rx.select.content(*[rx.select.item(label, value=value) for value, label in FILTER_LABELS.items()]),
        value=state.status_filter,
        on_change=state.set_filter,
    )


@app_page(routes.REQUESTS, "My requests", on_load=[S.load], icon="inbox", order=6)
def my_requests() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.cond(S.quota, rx.callout(S.quota, icon="gauge", size="1", id="quota"),
                    rx.text("Ask for a movie or show; you will hear here when it is on the server.", color_scheme="gray")),  # fmt: skip
            rx.spacer(),
            rx.hstack(status_filter(S, "request-filter"), request_button("requests-request"), spacing="2"),
            width="100%",
            align="center",
            gap="12px",
            wrap="wrap",
        ),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(rx.foreach(S.rows, lambda r: request_card(r, _cancel(r))), spacing="3", width="100%", id="request-list"),
            rx.cond(
                S.loaded,
                rx.card(
                    rx.vstack(
                        rx.icon("inbox", size=32, color=rx.color("accent", 9)),
                        rx.cond(S.status_filter == "all", rx.heading("No requests yet", size="4"),
                                rx.heading("No requests with this status", size="4")),  # fmt: skip
                        rx.text("Use Request to ask for a movie or show that is not on the server.", color_scheme="gray", size="2"),
                        align="center",
                        spacing="2",
                        padding="16px",
                    ),
                    width="100%",
                    id="requests-empty",
                ),
                rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
            ),
        ),
        pager(S, "requests"),
        spacing="4",
        width="100%",
    )
