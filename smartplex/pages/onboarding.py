"""/onboarding: connect the Plex server in four steps (or, with ?add=1, another one)."""

import reflex as rx

from smartplex import routes
from smartplex.components.card_heading import card_heading
from smartplex.components.layout import app_page
from smartplex.components.sync_progress import sync_progress
from smartplex.components.webhook_address import webhook_address
from smartplex.state.onboarding import CHECKING
from smartplex.state.onboarding import OnboardingState as S

STEPS = ["Server", "Connection", "First sync", "Done"]


def _stepper() -> rx.Component:
    def dot(number: int, label: str) -> rx.Component:
        reached = S.step >= number
        return rx.hstack(
            rx.center(
                rx.cond(S.step > number, rx.icon("check", size=14), rx.text(str(number), size="1", weight="bold")),
                width="24px",
                height="24px",
                border_radius="999px",
                background=rx.cond(reached, rx.color("accent", 9), rx.color("gray", 4)),
                color=rx.cond(reached, "white", rx.color("gray", 11)),
            ),
            rx.text(label, size="2", weight=rx.cond(S.step == number, "bold", "regular"), display=["none", "block"]),
            align="center",
            spacing="2",
        )

    items: list[rx.Component] = []
    for i, label in enumerate(STEPS, start=1):
        if i > 1:
            items.append(rx.box(height="1px", flex="1", background=rx.color("gray", 6), min_width="12px"))
        items.append(dot(i, label))
    return rx.hstack(*items, align="center", width="100%", spacing="2", id="wizard-steps")


def _error() -> rx.Component:
    return rx.cond(
        S.error, rx.callout(S.error, icon="triangle_alert", color_scheme="red", id="wizard-error", width="100%")
    )


def _step_server() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.vstack(
                card_heading(
                    rx.cond(S.adding, "Add a Plex server", "Where is your Plex server?"),
                    "Enter one or more addresses SmartPlex can reach it at (local and remote); SmartPlex tries them all "
                    "at once and shows each one's answer as it comes.",
                    size="5",
                ),
                rx.text("Server addresses", as_="label", html_for="urls", size="2", weight="medium"),
                rx.text_area(
                    id="urls",
                    name="urls",
                    placeholder="http://192.168.1.10:32400\nhttps://plex.example.com:32400",
                    rows="3",
                    width="100%",
                    max_length=2048,
                ),
                rx.text("Plex token", as_="label", html_for="token", size="2", weight="medium"),
                rx.input(
                    id="token",
                    name="token",
                    type="password",
                    auto_complete="off",
                    width="100%",
                    max_length=256,
                    size="3",
                ),
                rx.text(
                    "Find it in Plex Web: open any item, choose Get Info, then View XML; the token is the "
                    "X-Plex-Token value in the address. It is stored encrypted and never shown again.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.button(
                    rx.icon("plug-zap", size=16),
                    "Test connection",
                    type="submit",
                    id="test-connection",
                    size="3",
                    loading=S.checking,
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.test_connection,
            width="100%",
        ),
        _error(),
        rx.cond(S.candidates.length() > 0, _candidates()),
        rx.cond(
            S.can_continue,
            rx.button(rx.icon("arrow-right", size=16), "Continue", on_click=S.go_on, id="continue", size="3"),
        ),
        spacing="3",
        width="100%",
    )


def _candidate(c: rx.Var) -> rx.Component:
    ok = c.ok
    checking = c.reason == CHECKING
    status = rx.cond(
        ok,
        rx.radio_group.root(rx.radio_group.item(value=c.url), value=S.chosen_url, on_change=S.choose),
        rx.cond(checking, rx.spinner(size="2"), rx.icon("circle-x", color=rx.color("red", 9), size=18)),
    )
    return rx.card(
        rx.hstack(
            status,
            rx.vstack(
                rx.code(c.url, size="2"),
                rx.text(
                    rx.cond(ok, c.name + " · " + c.latency_ms.to_string() + " ms", c.reason),
                    size="1",
                    color_scheme=rx.cond(ok | checking, "gray", "red"),
                ),
                spacing="1",
            ),
            align="center",
            spacing="3",
        ),
        width="100%",
        on_click=rx.cond(ok, S.choose(c.url), rx.noop()),
        cursor=rx.cond(ok, "pointer", "default"),
        class_name="candidate",
    )


def _candidates() -> rx.Component:
    return rx.vstack(rx.foreach(S.candidates, _candidate), width="100%", spacing="2", id="candidates")


def _step_connection() -> rx.Component:
    return rx.vstack(
        card_heading(
            "Pick the connection",
            "The fastest working address is selected; SmartPlex falls back to the others when it stops answering.",
            size="5",
        ),
        _error(),
        _candidates(),
        rx.hstack(
            rx.button("Back", variant="soft", color_scheme="gray", on_click=S.back),
            rx.button(
                rx.icon("download", size=16), "Save and sync library", on_click=S.save_and_sync, id="save-and-sync"
            ),
            spacing="3",
        ),
        spacing="4",
        width="100%",
    )


def _step_sync() -> rx.Component:
    return rx.vstack(
        card_heading(
            "Syncing your library",
            "SmartPlex reads every movie and show once; after this it only asks Plex for what changed.",
            size="5",
        ),
        sync_progress(S),
        rx.cond(
            (S.sync_status == "failed") | (S.sync_status == "cancelled"),
            rx.button(rx.icon("refresh_cw", size=16), "Try again", on_click=S.retry_sync, id="retry-sync"),
        ),
        spacing="3",
        width="100%",
    )


def _count(label: str, value: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(label, size="2", color_scheme="gray"), rx.heading(value, size="7"), spacing="1"),
        flex="1",
        min_width="110px",
    )


def _step_done() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("circle-check", color=rx.color("green", 9), size=28),
            rx.heading(S.server_name, " is connected", size="5"),
        ),
        rx.cond(S.sync_status == "succeeded", sync_progress(S)),
        rx.flex(
            _count("Movies", S.counts["movie"]),
            _count("Shows", S.counts["show"]),
            _count("Seasons", S.counts["season"]),
            _count("Episodes", S.counts["episode"]),
            _count("Items in all", S.library_total),
            spacing="3",
            wrap="wrap",
            width="100%",
            id="library-counts",
        ),
        card_heading(
            "Live updates from Plex",
            rx.cond(
                S.adding,
                "The same address as for your other servers: in this server's Plex Web open Settings > Webhooks, "
                "choose Add Webhook and paste it. Keep it private: it works like a password.",
                "In Plex Web open Settings > Webhooks, choose Add Webhook and paste this address. Plays and new items "
                "then reach SmartPlex within seconds. Keep it private: it works like a password.",
            ),
        ),
        webhook_address(S),
        rx.cond(
            S.adding,
            rx.link(
                rx.button(rx.icon("arrow-left", size=16), "Back to Plex", id="back-to-plex"), href=routes.ADMIN_PLEX
            ),
            rx.hstack(
                rx.link(rx.button("Go to the dashboard", id="to-dashboard"), href=routes.HOME),
                rx.link(rx.button("Plex settings", variant="soft"), href=routes.ADMIN_PLEX),
                spacing="3",
            ),
        ),
        spacing="4",
        width="100%",
    )


@app_page(routes.ONBOARDING, "Connect Plex", on_load=[S.load], admin=True)
def onboarding() -> rx.Component:
    return rx.card(
        rx.vstack(
            _stepper(),
            rx.divider(),
            rx.match(
                S.step,
                (1, _step_server()),
                (2, _step_connection()),
                (3, _step_sync()),
                _step_done(),
            ),
            spacing="5",
            width="100%",
        ),
        size="4",
        width="100%",
        max_width="760px",
    )
