"""/search: find a movie or show on the server; "amelie" finds "Amélie"."""

import reflex as rx

from smartplex import routes
from smartplex.components import tokens
from smartplex.components.detail_drawer import detail_drawer
from smartplex.components.server_switcher import server_switcher
from smartplex.components.layout import app_page
from smartplex.components.poster import poster_card
from smartplex.state.server_switcher import ServerSwitcherState
from smartplex.state.search import SearchState as S


@app_page(routes.SEARCH, "Search", on_load=[ServerSwitcherState.load, S.load], icon="search", order=2)
def search() -> rx.Component:
    return rx.vstack(
        server_switcher(),
        rx.input(
            rx.input.slot(rx.icon("search", size=18)),
            placeholder="Movies and shows on your server",
            default_value=S.query,
            on_change=S.search.debounce(250),
            id="library-search",
            max_length=200,
            size="3",
            width="100%",
            auto_focus=True,
        ),
        rx.cond(
            S.results.length() > 0,
            rx.grid(
                rx.foreach(S.results, lambda c: poster_card(c, S.open_detail)),
                columns=rx.breakpoints(initial="2", sm="3", md="4", lg="5"),
                spacing="4",
                width="100%",
                class_name="search-results",
                id="search-results",
            ),
            rx.cond(
                S.searched,
                rx.text("Nothing on your server matches “", S.query, "”.", color=tokens.MUTED, id="search-empty"),
                rx.text("Type a title: accents and capitals don't matter.", color=tokens.MUTED),
            ),
        ),
        detail_drawer(S.detail, S.detail_open, S.set_detail_open, S.open_detail),
        spacing="5",
        width="100%",
    )
