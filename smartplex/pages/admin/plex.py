"""/admin/plex: the admin's Plex servers (a picker when there are several; adding and removing one), live updates,
schedules, syncs, webhooks and account links."""

import reflex as rx

from smartplex import routes
from smartplex.components.card_heading import card_heading
from smartplex.components.layout import app_page
from smartplex.components.play_links_setting import play_links_card
from smartplex.components.status_badge import status_badge
from smartplex.components.sync_progress import sync_progress
from smartplex.components.table import PHONE_HIDDEN, data_table, wide_column
from smartplex.components.webhook_address import webhook_address
from smartplex.state.plex_admin import PlexAdminState as S


def _status_banner() -> rx.Component:
    """What the last contact with Plex said, when it went wrong: a rejected token is not "unreachable"."""
    return rx.cond(
        S.server.status == "rejected",
        rx.callout(
            rx.text(
                "Plex rejects the stored token. Get a new token in Plex Web and ",
                rx.link("connect the server again", href=f"{routes.ONBOARDING}?reconnect=1", id="reconnect"),
                ". SmartPlex shows the data it already has.",
            ),
            icon="key-round",
            color_scheme="red",
            id="rejected-banner",
            width="100%",
        ),
        rx.cond(
            S.server.unreachable_since,
            rx.callout(
                rx.text(
                    "Plex unreachable since ",
                    rx.moment(S.server.unreachable_since, format="YYYY-MM-DD HH:mm"),
                    ". SmartPlex shows the data it already has and retries on schedule.",
                ),
                icon="wifi-off",
                color_scheme="red",
                id="unreachable-banner",
                width="100%",
            ),
        ),
    )


def _server_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("server", size=20),
                rx.heading(S.server.name, size="5", id="server-name"),
                rx.badge(S.server.version, variant="soft", color_scheme="gray"),
                rx.spacer(),
                rx.button(
                    rx.icon("trash-2", size=14),
                    "Remove server",
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=S.ask_removal,
                    id="remove-server",
                ),
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.data_list.root(
                rx.data_list.item(
                    rx.data_list.label("Connection"), rx.data_list.value(rx.code(S.server.preferred_connection_url))
                ),
                rx.data_list.item(
                    rx.data_list.label("Last full sync"),
                    rx.data_list.value(
                        rx.cond(
                            S.server.last_full_sync_at, rx.moment(S.server.last_full_sync_at, from_now=True), "never"
                        )
                    ),
                ),
                rx.data_list.item(
                    rx.data_list.label("Last incremental sync"),
                    rx.data_list.value(
                        rx.cond(
                            S.server.last_incremental_sync_at,
                            rx.moment(S.server.last_incremental_sync_at, from_now=True),
                            "never",
                        )
                    ),
                ),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            ),
            rx.hstack(
                rx.button(
                    rx.icon("refresh_cw", size=16),
                    "Sync changes",
                    on_click=S.sync_now("incremental"),
                    disabled=S.syncing,
                    id="sync-incremental",
                ),
                rx.button("Full sync", variant="soft", on_click=S.sync_now("full"), disabled=S.syncing, id="sync-full"),
                spacing="3",
                wrap="wrap",
            ),
            rx.cond((S.syncing | (S.sync_status != "")) & (S.sync_server_id == S.server.id), sync_progress(S)),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def _heading(title: str) -> rx.Component:
    """A section about the picked server: with several, its name says which."""
    return rx.heading(title, rx.cond(S.has_several, rx.text.span(" · ", S.server.name, color_scheme="gray")), size="4")


def _servers_bar() -> rx.Component:
    """Which server the page shows (when there are several) and the way to connect another."""
    return rx.hstack(
        rx.cond(
            S.has_several,
            rx.segmented_control.root(
                rx.foreach(S.owned, lambda s: rx.segmented_control.item(s.name, value=s.id.to_string())),
                value=S.server.id.to_string(),
                on_change=S.pick_server,
                id="server-picker",
            ),
            rx.text("More than one Plex server? Add each one: each syncs on its own.", size="2", color_scheme="gray"),
        ),
        rx.spacer(),
        rx.link(
            rx.button(rx.icon("plus", size=16), "Add a server", variant="soft"),
            href=f"{routes.ONBOARDING}?add=1",
            id="add-server",
        ),
        align="center",
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def _removal_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove ", S.server.name, "?"),
            rx.alert_dialog.description(S.removal_sentence, id="removal-sentence"),
            rx.text(
                "Its schedules stop and its webhooks are refused. Connecting it again later brings its library back.",
                size="2",
                color_scheme="gray",
                padding_top="8px",
            ),
            _confirm_buttons("Remove", S.remove_server, "confirm-remove"),
        ),
        open=S.removal_open,
        on_open_change=S.set_removal_open,
    )


def _confirm_buttons(label: str, on_click: rx.EventHandler, id: str) -> rx.Component:
    """An alert dialog's Cancel and its red, irreversible action."""
    return rx.hstack(
        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
        rx.alert_dialog.action(rx.button(label, color_scheme="red", on_click=on_click, id=id)),
        spacing="3",
        justify="end",
        padding_top="12px",
    )


def _webhook_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            card_heading(
                "Live updates (Plex webhooks)",
                "One address for all your servers: paste it in Plex Web under Settings > Webhooks on each of them. "
                "It identifies you like a password; rotate it if it leaks.",
            ),
            webhook_address(S),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(
                    rx.button("Rotate URL", variant="soft", color_scheme="red", id="rotate-secret")
                ),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Rotate the webhook URL?"),
                    rx.alert_dialog.description(
                        "The current URL stops working immediately; paste the new one into Plex."
                    ),
                    _confirm_buttons("Rotate", S.rotate_secret, "confirm-rotate"),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _schedule_row(s: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(s.kind, text_transform="capitalize", weight="medium")),
        rx.table.cell(
            rx.hstack(
                rx.input(
                    default_value=s.interval_minutes.to_string(),
                    type="number",
                    min=5,
                    width="90px",
                    on_blur=lambda v: S.set_interval(s.id, v),
                    id="interval-" + s.kind,
                ),
                rx.text("min", size="1", color_scheme="gray"),
                align="center",
            )
        ),
        rx.table.cell(rx.switch(checked=s.enabled, on_change=lambda v: S.set_enabled(s.id, v))),
        rx.table.cell(rx.cond(s.next_run_at, rx.moment(s.next_run_at, from_now=True), "—"), display=PHONE_HIDDEN),
        rx.table.cell(rx.text(s.run_count), display=PHONE_HIDDEN),
        rx.table.cell(rx.text(s.last_error, size="1", color_scheme="red")),
        rx.table.cell(rx.button("Run now", size="1", variant="ghost", on_click=S.run_schedule_now(s.id))),
        align="center",
    )


def _sync_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.moment(r.started_at, from_now=True)),
        rx.table.cell(rx.text(r.kind), rx.text(" · ", r.trigger, size="1", color_scheme="gray")),
        rx.table.cell(status_badge(r.status)),
        rx.table.cell(rx.text(r.items_changed, " / ", r.items_seen)),
        rx.table.cell(rx.text((r.duration_ms / 1000).to_string(), " s"), display=PHONE_HIDDEN),
        rx.table.cell(rx.text(r.error, size="1", color_scheme="red")),
    )


def _webhook_row(w: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.moment(w.received_at, format="HH:mm:ss")),
        rx.table.cell(rx.code(w.event, size="1")),
        rx.table.cell(status_badge(w.status)),
        rx.table.cell(rx.text(w.reason, size="1", color_scheme="gray")),
    )


def _accounts_card() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                card_heading(
                    "Plex accounts",
                    "Which Plex account is which person, and importing the people your server is shared with, "
                    "live on the Members page.",
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.link(rx.button("Members", variant="soft"), href=routes.ADMIN_MEMBERS, id="to-members"),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        width="100%",
    )


@app_page(routes.ADMIN_PLEX, "Plex", on_load=[S.load], admin=True, icon="server", order=10)
def plex() -> rx.Component:
    return rx.cond(
        S.has_server,
        rx.vstack(
            _servers_bar(),
            _status_banner(),
            _server_card(),
            _removal_dialog(),
            _heading("Schedules"),
            data_table(
                ["Sync", "Every", "On", wide_column("Next"), wide_column("Runs"), "Last error", ""],
                rx.foreach(S.schedules, _schedule_row),
                "schedules-table",
            ),
            rx.hstack(
                _heading("Recent syncs"),
                rx.spacer(),
                rx.icon_button(rx.icon("refresh_cw", size=14), size="1", variant="ghost", on_click=S.refresh),
                align="center",
                width="100%",
            ),
            data_table(
                ["Started", "Kind", "Status", "Changed / seen", wide_column("Took"), "Error"],
                rx.foreach(S.syncs, _sync_row),
                "syncs-table",
            ),
            _webhook_card(),
            play_links_card(S),
            _accounts_card(),
            rx.heading("Recent webhooks", size="4"),
            data_table(["Time", "Event", "Status", "Reason"], rx.foreach(S.webhooks, _webhook_row), "webhooks-table"),
            spacing="4",
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.heading("No Plex server yet", size="5"),
                rx.text("Connect your server to start syncing.", color_scheme="gray"),
                rx.link(rx.button("Connect Plex"), href=routes.ONBOARDING),
                spacing="3",
            ),
            width="100%",
        ),
    )
