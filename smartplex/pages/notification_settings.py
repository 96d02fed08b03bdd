"""/notifications/settings: which kinds of notification a person gets, where they go outside the app through Apprise
(which kinds where, "Send test", what each delivery did), and the limits of the admins' alerts."""

import reflex as rx

from smartplex import routes
from smartplex.components.card_heading import card_heading
from smartplex.components.integration_card import section
from smartplex.components.layout import app_page
from smartplex.components.notice import kind_icon
from smartplex.components.table import PHONE_HIDDEN, data_table, wide_column
from smartplex.state.auth import AuthState
from smartplex.state.notification_settings import NotificationSettingsState as S

APPRISE_WIKI = "https://github.com/caronc/apprise/wiki"
EXAMPLES = [
    ("Email", "mailto://you:app-password@gmail.com"),
    ("Discord", "discord://webhook_id/webhook_token"),
    ("Telegram", "tgram://bot_token/chat_id"),
    ("ntfy", "ntfy://ntfy.sh/your-topic"),
    ("Pushover", "pover://user_key@app_token"),
    ("A web hook", "json://host:port/path"),
]


def _switch(s: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.center(kind_icon(s.kind), width="30px", min_width="30px", height="30px", border_radius="999px",
                  background=rx.color("accent", 3), color=rx.color("accent", 11)),  # fmt: skip
        rx.vstack(
            rx.hstack(rx.text(s.label, weight="medium", size="2"), rx.cond(s.admin, rx.badge("Admins", size="1", variant="soft")),
                      align="center"),  # fmt: skip
            rx.text(s.about, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.switch(checked=s.enabled, on_change=lambda on: S.set_switch(s.kind, on), id="switch-" + s.kind),
        align="center",
        width="100%",
        spacing="3",
    )


def _kind_toggle(c: rx.Var, option: rx.Var) -> rx.Component:
    on = c.kinds.contains(option.kind)
    return rx.badge(
        rx.cond(on, rx.icon("check", size=12), rx.icon("plus", size=12)),
        option.label,
        variant=rx.cond(on, "solid", "outline"),
        color_scheme=rx.cond(on, "amber", "gray"),
        radius="full",
        cursor="pointer",
        on_click=S.set_channel_kind(c.id, option.kind, ~on),
        id="channel-" + c.id.to_string() + "-" + option.kind,
        user_select="none",
    )


def _channel(c: rx.Var) -> rx.Component:
    suffix = c.id.to_string()
    testing = S.testing_channel == c.id
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.hstack(rx.text(c.label, weight="bold"), rx.badge(c.service, variant="soft", size="1"), align="center"),
                    rx.code(rx.cond(c.masked, c.masked, "cannot be read: add it again"), size="1", class_name="line-clamp-2",
                            id="channel-url-" + suffix),  # fmt: skip
                    spacing="1",
                    min_width="0",
                ),
                rx.spacer(),
                rx.hstack(
                    rx.button(rx.icon("send", size=14), "Send test", size="1", variant="soft", loading=testing,
                              on_click=S.send_test(c.id), id="test-" + suffix),  # fmt: skip
                    rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red",
                                   on_click=S.remove_channel(c.id), aria_label="Remove", id="remove-" + suffix),  # fmt: skip
                    spacing="2",
                ),
                width="100%",
                gap="8px",
                wrap="wrap",
            ),
            rx.text("Send here:", size="1", color_scheme="gray"),
            rx.flex(rx.foreach(S.kind_options, lambda o: _kind_toggle(c, o)), gap="6px", wrap="wrap"),
            rx.cond(
                (S.test_channel == c.id) & (S.test_result != ""),
                rx.cond(
                    S.test_ok,
                    rx.callout(S.test_result, icon="circle-check", color_scheme="green", size="1", width="100%", id="test-result-" + suffix),
                    rx.callout(S.test_result, icon="triangle-alert", color_scheme="red", size="1", width="100%", id="test-result-" + suffix),
                ),
            ),
            rx.flex(
                rx.cond(c.last_sent_at, rx.text("Last delivered ", rx.moment(c.last_sent_at, from_now=True), size="1", color_scheme="gray")),
                rx.cond(c.last_error, rx.text("Last failure ", rx.moment(c.last_error_at, from_now=True), ": ", c.last_error, size="1",
                                              color_scheme="red", id="channel-error-" + suffix)),  # fmt: skip
                gap="12px",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id="channel-" + suffix,
        class_name="channel-card",
    )


def _add_channel() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.flex(
                rx.input(name="url", placeholder="Apprise URL, e.g. ntfy://ntfy.sh/your-topic", type="password", auto_complete="off",
                         max_length=2048, flex="3", min_width="240px", id="channel-url"),  # fmt: skip
                rx.input(name="label", placeholder="Name (optional)", max_length=64, flex="1", min_width="140px", id="channel-label"),
                rx.button(rx.icon("plus", size=14), "Add", type="submit", loading=S.adding, id="channel-add"),
                gap="8px",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(S.add_error, rx.callout(S.add_error, icon="triangle-alert", color_scheme="red", size="1", width="100%",
                                            id="channel-add-error")),  # fmt: skip
            spacing="2",
            width="100%",
        ),
        on_submit=S.add_channel,
        reset_on_submit=True,  # the URL (it holds tokens) never stays in the page
        width="100%",
    )


def _examples() -> rx.Component:
    return rx.flex(
        *[rx.text(rx.text.strong(name), " ", rx.code(example, size="1"), size="1", color_scheme="gray") for name, example in EXAMPLES],
        rx.link("All 100+ services", href=APPRISE_WIKI, is_external=True, size="1"),
        gap="4px 14px",
        wrap="wrap",
    )


def _delivery(d: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.moment(d.created_at, from_now=True), display=PHONE_HIDDEN),
        rx.table.cell(rx.text(d.channel_label, size="2")),
        rx.table.cell(rx.text(d.title, size="2", class_name="line-clamp-2")),
        rx.table.cell(
            rx.vstack(
                rx.badge(d.status_label, color_scheme=rx.match(d.status, ("sent", "green"), ("failed", "red"), "amber"), variant="soft"),
                rx.cond(d.error, rx.text(d.error, size="1", color_scheme="gray", class_name="line-clamp-2")),
                rx.cond(d.next_attempt_at, rx.text("Next try ", rx.moment(d.next_attempt_at, from_now=True), size="1", color_scheme="gray")),
                spacing="1",
            )
        ),
        align="center",
    )


def _limits() -> rx.Component:
    def field(label: str, name: str, value: rx.Var, unit: str) -> rx.Component:
        return rx.vstack(
            rx.text(label, size="2", weight="medium", as_="label", html_for=f"limit-{name}"),
            rx.hstack(rx.input(name=name, default_value=value, key=value, placeholder="off", input_mode="numeric", width="90px",
                               id=f"limit-{name}"), rx.text(unit, size="2", color_scheme="gray"), align="center"),  # fmt: skip
            spacing="1",
        )

    return rx.cond(
        AuthState.is_admin,
        rx.card(
            rx.form(
                rx.vstack(
                    card_heading("When to alert admins", "Leave a field empty (or 0) to stop watching it."),
                    rx.flex(
                        field("No Plex webhook for", "webhook_hours", S.webhook_hours, "hours"),
                        field("Database larger than", "database_mb", S.database_mb, "MB"),
                        field("Free disk space below", "disk_percent", S.disk_percent, "%"),
                        gap="20px",
                        wrap="wrap",
                    ),
                    rx.cond(S.limits_error, rx.text(S.limits_error, size="2", color_scheme="red", id="limits-error")),
                    rx.button("Save limits", type="submit", variant="soft", id="limits-save"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save_limits,
                width="100%",
            ),
            width="100%",
            id="alert-limits",
        ),
    )


@app_page(routes.NOTIFICATION_SETTINGS, "Notification settings", on_load=[S.load])
def notification_settings() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("All notifications", size="2"), align="center"),
                href=routes.NOTIFICATIONS),  # fmt: skip
        rx.card(
            rx.vstack(
                card_heading("What you hear about", "Off means not at all: not here, not anywhere else."),
                rx.vstack(rx.foreach(S.switches, _switch), spacing="3", width="100%", padding_top="4px"),
                spacing="2",
                width="100%",
            ),
            width="100%",
            id="kind-switches",
        ),
        rx.card(
            rx.vstack(
                card_heading(
                    "Also send them to",
                    "Email, Discord, Telegram, ntfy, Pushover, Slack, Gotify and 100+ more, through Apprise URLs. They are "
                    "stored encrypted and shown with their secrets hidden.",
                ),  # fmt: skip
                _examples(),
                _add_channel(),
                rx.cond(
                    S.channels.length() > 0,
                    rx.vstack(rx.foreach(S.channels, _channel), spacing="3", width="100%", id="channel-list"),
                    rx.text("No destinations yet: notifications stay in SmartPlex.", size="2", color_scheme="gray", id="no-channels"),
                ),
                section(
                    "Latest deliveries",
                    rx.cond(
                        S.deliveries.length() > 0,
                        data_table([wide_column("When"), "Where", "What", "Outcome"], rx.foreach(S.deliveries, _delivery), "deliveries"),
                        rx.text("Nothing sent yet.", size="2", color_scheme="gray"),
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="channels",
        ),
        _limits(),
        spacing="4",
        width="100%",
    )
