"""/admin/members: people, their Plex accounts and roles, invite links, and importing people from Plex."""

import reflex as rx

from smartplex import routes
from smartplex.components.card_heading import card_heading
from smartplex.components.copyable import copyable
from smartplex.components.layout import app_page
from smartplex.components.plex_members import import_card, import_dialog, link_dialog, plex_cell
from smartplex.components.table import PHONE_HIDDEN, data_table, wide_column
from smartplex.state.members import MembersState


def _role_select(user: rx.Var) -> rx.Component:
    return rx.select(
        ["member", "admin"],
        value=user.role,
        on_change=lambda role: MembersState.set_role(user.id, role),
        disabled=user.is_me,
        size="2",
    )


def _user_row(user: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.hstack(
                    rx.text(user.name, weight="medium"),
                    rx.cond(~user.has_password, rx.badge("Signs in with Plex", size="1", variant="soft")),
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(user.email, rx.text(user.email, size="1", color_scheme="gray")),
                spacing="0",
            )
        ),
        rx.table.cell(plex_cell(user)),
        rx.table.cell(_role_select(user)),
        rx.table.cell(rx.text(user.login_count, size="2"), display=PHONE_HIDDEN),
        rx.table.cell(rx.moment(user.created_at, from_now=True), display=PHONE_HIDDEN),
        align="center",
    )


def _invite_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            card_heading("Invite someone", "Create a one-time link and send it to them. It expires after three days."),
            rx.form(
                rx.flex(
                    rx.input(name="name", placeholder="Name (optional)", max_length=100, id="invite-name"),
                    rx.input(name="email", placeholder="Email (optional)", type="email", max_length=254, id="invite-email"),
                    rx.select(["member", "admin"], value=MembersState.invite_role, on_change=MembersState.set_invite_role),
                    rx.button(rx.icon("link", size=16), "Create invite link", type="submit", id="create-invite"),
                    spacing="2",
                    wrap="wrap",
                ),
                on_submit=MembersState.create_invite,
                reset_on_submit=True,
            ),
            rx.cond(MembersState.error, rx.callout(MembersState.error, color_scheme="red", icon="triangle_alert")),
            rx.cond(
                MembersState.invite_link,
                copyable(MembersState.invite_link, "invite-link", "Copy invite link"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _invite_row(invite: rx.Var) -> rx.Component:
    status = rx.cond(
        invite.used,
        rx.badge("used", color_scheme="green"),
        rx.cond(invite.expired, rx.badge("expired", color_scheme="gray"), rx.badge("open", color_scheme="amber")),
    )
    return rx.table.row(
        rx.table.cell(rx.text(rx.cond(invite.name, invite.name, "—"))),
        rx.table.cell(rx.badge(invite.role, variant="soft")),
        rx.table.cell(status),
        rx.table.cell(rx.moment(invite.expires_at, from_now=True), display=PHONE_HIDDEN),
        rx.table.cell(
            rx.cond(
                ~invite.used & ~invite.expired,
                rx.button("Revoke", size="1", variant="ghost", color_scheme="red", on_click=MembersState.revoke_invite(invite.id)),
            )
        ),
        align="center",
    )


@app_page(routes.ADMIN_MEMBERS, "Members", on_load=[MembersState.load], admin=True, icon="users", order=12)
def members() -> rx.Component:
    return rx.vstack(
        import_card(),
        _invite_form(),
        import_dialog(),
        link_dialog(),
        rx.heading("People", size="4"),
        data_table(
            ["Person", "Plex account", "Role", wide_column("Sign-ins"), wide_column("Joined")],
            rx.foreach(MembersState.users, _user_row),
            "members-table",
        ),
        rx.cond(
            MembersState.invites.length() > 0,
            rx.vstack(
                rx.heading("Invites", size="4"),
                data_table(
                    ["For", "Role", "Status", wide_column("Expires"), ""],
                    rx.foreach(MembersState.invites, _invite_row),
                    "invites-table",
                ),
                width="100%",
                spacing="3",
            ),
        ),
        spacing="5",
        width="100%",
    )
