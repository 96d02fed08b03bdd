"""The Members page's Plex pieces: the "Import from Plex" card and dialog, and a person's Plex account with the
dialog that changes it after showing which plays move."""

from __future__ import annotations

import reflex as rx

from smartplex.components.card_heading import card_heading
from smartplex.components.copyable import copyable
from smartplex.components.table import PHONE_HIDDEN, data_table, wide_column
from smartplex.state.plex_members import PlexMembersState as S

_STATUS_COLOURS = {"member": "gray", "match": "blue", "new": "green"}


def import_card() -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                card_heading(
                    "Import from Plex",
                    "Everyone your Plex server is shared with can become a member in one step, with their plays so "
                    "far. They sign in with Plex, or set a password through the link you send them.",
                ),
                spacing="1",
                flex="1",
            ),
            rx.button(rx.icon("download", size=16), "Import from Plex", on_click=S.open_import, id="import-from-plex"),
            direction=rx.breakpoints(initial="column", sm="row"),
            align=rx.breakpoints(initial="start", sm="center"),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def _messages() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.error, rx.callout(S.error, color_scheme="red", icon="triangle_alert", id="import-error", width="100%")
        ),
        rx.foreach(S.warnings, lambda w: rx.callout(w, color_scheme="amber", icon="info", size="1", width="100%")),
        width="100%",
        spacing="2",
    )


def _share_row(row: rx.Var) -> rx.Component:
    box = rx.checkbox(
        checked=S.selected.contains(row.plex_account_id),
        on_change=lambda checked: S.toggle(row.plex_account_id, checked),
        disabled=~row.importable,
        id="import-" + row.plex_account_id.to_string(),
    )
    return rx.table.row(
        rx.table.cell(box),
        rx.table.cell(
            rx.vstack(
                rx.text(row.name, weight="medium"),
                rx.cond(row.detail, rx.text(row.detail, size="1", color_scheme="gray")),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.match(
                row.status,
                ("member", rx.badge(row.status_text, color_scheme=_STATUS_COLOURS["member"], variant="soft")),
                ("match", rx.badge(row.status_text, color_scheme=_STATUS_COLOURS["match"], variant="soft")),
                rx.badge(row.status_text, color_scheme=_STATUS_COLOURS["new"], variant="soft"),
            )
        ),
        rx.table.cell(rx.text(row.plays.to_string()), display=PHONE_HIDDEN),
        align="center",
    )


def _imported_row(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("circle-check", size=16, color=rx.color("green", 10)), rx.text(row.name, weight="medium")),
        rx.text(row.note, size="1", color_scheme="gray"),
        rx.cond(row.invite_link, copyable(row.invite_link, "invite-" + row.name, "Copy invite link")),
        spacing="1",
        width="100%",
    )


def _results() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Send each person their link (it works once, for three days), or tell them to sign in with Plex.",
            size="2",
        ),
        rx.vstack(rx.foreach(S.imported, _imported_row), spacing="3", width="100%", id="imported"),
        rx.foreach(S.skipped, lambda line: rx.text(line, size="1", color_scheme="gray")),
        width="100%",
        spacing="3",
    )


def _listing() -> rx.Component:
    return rx.cond(
        S.loading,
        rx.center(rx.spinner(size="3"), padding="32px", width="100%"),
        rx.cond(
            S.rows.length() > 0,
            rx.box(
                data_table(
                    ["", "Person", "On SmartPlex", wide_column("Plays")],
                    rx.foreach(S.rows, _share_row),
                    "shares-table",
                ),
                max_height="50vh",
                overflow_y="auto",
                width="100%",
            ),
            rx.cond(~S.error, rx.text("Your server is not shared with anyone yet.", color_scheme="gray", size="2")),
        ),
    )


def import_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Import from Plex"),
            rx.dialog.description(
                rx.cond(
                    S.server_name, "People " + S.server_name + " is shared with, and everyone who has used it.", ""
                ),
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                _messages(),
                rx.cond(S.imported.length() + S.skipped.length() > 0, _results(), _listing()),
                rx.hstack(
                    rx.cond(
                        (S.selectable > 0) & (S.imported.length() == 0),
                        rx.button("Select all new", variant="ghost", size="2", on_click=S.select_all, id="import-all"),
                    ),
                    rx.spacer(),
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray", id="import-close")),
                    rx.cond(
                        S.imported.length() == 0,
                        rx.button(
                            rx.cond(S.selected.length() > 0, "Import " + S.selected.length().to_string(), "Import"),
                            on_click=S.import_selected,
                            disabled=S.selected.length() == 0,
                            loading=S.importing,
                            id="import-selected",
                        ),
                    ),
                    width="100%",
                    align="center",
                    padding_top="8px",
                ),
                spacing="3",
                width="100%",
                padding_top="12px",
            ),
            max_width="720px",
        ),
        open=S.import_open,
        on_open_change=S.set_import_open,
    )


def plex_cell(user: rx.Var) -> rx.Component:
    """A person's Plex account in the people table, with the button that changes it."""
    return rx.hstack(
        rx.cond(
            user.plex_account_id > 0,
            rx.text(rx.cond(user.plex_username, user.plex_username, "#" + user.plex_account_id.to_string()), size="2"),
            rx.text(rx.cond(user.owns_server, "Server owner", "Not linked"), size="2", color_scheme="gray"),
        ),
        rx.icon_button(
            rx.icon("pencil", size=14),
            size="1",
            variant="ghost",
            on_click=S.open_link(user.id),
            aria_label="Change Plex account",
            id="link-" + user.id.to_string(),
        ),
        align="center",
        spacing="2",
    )


def link_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Plex account of " + S.link_user_name),
            rx.dialog.description(
                "Their plays are the plays of this Plex account; when it changes, the plays move with it.",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                rx.cond(
                    S.loading,
                    rx.center(rx.spinner(size="2"), padding="16px", width="100%"),
                    rx.select.root(
                        rx.select.trigger(placeholder="Choose a Plex account", width="100%", id="link-choice"),
                        rx.select.content(rx.foreach(S.options, lambda o: rx.select.item(o.label, value=o.value))),
                        value=S.link_choice,
                        on_change=S.choose_link,
                    ),
                ),
                _messages(),
                rx.cond(
                    S.link_error,
                    rx.callout(S.link_error, color_scheme="red", icon="triangle_alert", width="100%", id="link-error"),
                ),
                rx.cond(
                    S.preview.length() > 0,
                    rx.callout.root(
                        rx.callout.icon(rx.icon("arrow-right-left")),
                        rx.vstack(rx.foreach(S.preview, lambda line: rx.callout.text(line)), spacing="1"),
                        color_scheme="blue",
                        width="100%",
                        id="link-preview",
                    ),
                ),
                rx.hstack(
                    rx.spacer(),
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Move plays and save",
                        on_click=S.confirm_link,
                        disabled=~S.can_confirm,
                        loading=S.moving,
                        id="link-confirm",
                    ),
                    width="100%",
                    padding_top="8px",
                ),
                spacing="3",
                width="100%",
                padding_top="12px",
            ),
            max_width="520px",
        ),
        open=S.link_open,
        on_open_change=S.set_link_open,
    )
