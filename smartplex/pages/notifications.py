"""/notifications: every notification, newest first and paged; each opens its page, a digest's titles open their
detail drawer here; mark read; admins announce to everyone. Live."""

import reflex as rx

from smartplex import routes
from smartplex.components.detail_drawer import detail_drawer
from smartplex.components.layout import app_page
from smartplex.components.notice import ago, kind_badge, unread_dot
from smartplex.pages.requests import pager
from smartplex.state.auth import AuthState
from smartplex.state.notifications import NotificationsState as S


def _titles(n: rx.Var) -> rx.Component:
    return rx.cond(
        n.titles.length() > 0,
        rx.flex(
            rx.foreach(
                n.titles,
                lambda t: rx.button(rx.icon("clapperboard", size=12), t.label, size="1", variant="soft", radius="full",
                                    on_click=S.open_detail(t.id), id="title-" + t.id.to_string()),  # fmt: skip
            ),
            gap="6px",
            wrap="wrap",
            padding_top="4px",
        ),
    )


def _row(n: rx.Var) -> rx.Component:
    suffix = n.id.to_string()
    return rx.hstack(
        kind_badge(n),
        rx.vstack(
            rx.hstack(
                rx.text(n.title, size="3", weight=rx.cond(n.read, "regular", "bold"), on_click=S.open(n.id),
                        cursor=rx.cond(n.link, "pointer", "default")),  # fmt: skip
                rx.spacer(),
                unread_dot(n),
                width="100%",
                align="start",
            ),
            rx.cond(n.body, rx.text(n.body, size="2", color_scheme="gray")),
            _titles(n),
            rx.hstack(
                ago(n.created_at),
                rx.cond(n.link, rx.link(rx.hstack(rx.text("Open"), rx.icon("arrow-right", size=12), spacing="1", align="center"),
                                        on_click=S.open(n.id), size="1", cursor="pointer", id="open-" + suffix)),  # fmt: skip
                rx.cond(
                    n.read,
                    rx.link("Mark unread", size="1", color_scheme="gray", cursor="pointer", on_click=S.set_read(n.id, False), id="unread-" + suffix),
                    rx.link("Mark read", size="1", cursor="pointer", on_click=S.set_read(n.id, True), id="read-" + suffix),
                ),  # fmt: skip
                spacing="4",
                align="center",
                padding_top="2px",
            ),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        spacing="3",
        align="start",
        width="100%",
        padding="14px 16px",
        background=rx.cond(n.read, "transparent", rx.color("accent", 2)),
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        id="notification-" + suffix,
        class_name="notification-row",
    )


def _announce() -> rx.Component:
    """Admins only: a button that opens the announcement form."""
    form = rx.form(
        rx.vstack(
            rx.input(name="title", placeholder="Title, e.g. Movie night on Friday", max_length=120, width="100%", id="announce-title"),
            rx.text_area(name="body", placeholder="Message (optional)", max_length=1000, width="100%", rows="3", id="announce-body"),
            rx.cond(S.announce_error, rx.text(S.announce_error, size="2", color_scheme="red", id="announce-error")),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                rx.button(rx.icon("send", size=14), "Send to everyone", type="submit", loading=S.announcing, id="announce-send"),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.announce,
        reset_on_submit=True,
        width="100%",
    )
    return rx.cond(
        AuthState.is_admin,
        rx.dialog.root(
            rx.dialog.trigger(rx.button(rx.icon("megaphone", size=14), "Announce", size="1", variant="soft", id="announce-open")),
            rx.dialog.content(
                rx.dialog.title("Announce to everyone"),
                rx.dialog.description("Everyone gets it here, and wherever they send their announcements.", size="2",
                                      color_scheme="gray", margin_bottom="12px"),  # fmt: skip
                form,
                max_width="520px",
                id="announce",
            ),
            open=S.announce_open,
            on_open_change=S.set_announce_open,
        ),
    )


def _empty() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("bell", size=32, color=rx.color("accent", 9)),
            rx.cond(S.unread_only, rx.heading("Nothing unread", size="4"), rx.heading("No notifications yet", size="4")),
            rx.text("Requests you make, new titles in the genres you watch and news from the admin land here.",
                    color_scheme="gray", size="2", text_align="center"),  # fmt: skip
            align="center",
            spacing="2",
            padding="16px",
        ),
        width="100%",
        id="notifications-empty",
    )


@app_page(routes.NOTIFICATIONS, "Notifications", on_load=[S.load], icon="bell", order=7)
def notifications_page() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.segmented_control.root(
                rx.segmented_control.item("All", value="all"),
                rx.segmented_control.item("Unread", value="unread"),
                value=rx.cond(S.unread_only, "unread", "all"),
                on_change=lambda v: S.set_unread_only(v == "unread"),
                size="1",
                id="notifications-filter",
            ),
            rx.text(S.unread, " unread", size="2", color_scheme="gray", id="notifications-unread"),
            rx.spacer(),
            rx.hstack(
                _announce(),
                rx.button(rx.icon("check-check", size=14), "Mark all read", size="1", variant="soft", on_click=S.mark_all_read,
                          disabled=S.unread == 0, id="notifications-mark-all"),  # fmt: skip
                rx.link(rx.button(rx.icon("settings", size=14), "Settings", size="1", variant="soft", color_scheme="gray"),
                        href=routes.NOTIFICATION_SETTINGS, id="notifications-settings"),  # fmt: skip
                spacing="2",
            ),
            width="100%",
            align="center",
            gap="12px",
            wrap="wrap",
        ),
        rx.cond(
            S.rows.length() > 0,
            rx.card(rx.vstack(rx.foreach(S.rows, _row), spacing="0", width="100%"), size="1", padding="0", width="100%",
                    overflow="hidden", id="notification-list"),  # fmt: skip
            rx.cond(S.loaded, _empty(), rx.center(rx.spinner(size="3"), padding="48px", width="100%")),
        ),
        pager(S, "notifications"),
        detail_drawer(S.detail, S.detail_open, S.set_detail_open, S.open_detail),
        spacing="4",
        width="100%",
    )
