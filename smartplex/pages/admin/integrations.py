"""/admin/integrations: every outside service SmartPlex talks to, one card each with its health (status in words,
version, last check and failure, circuit, 24-hour latency, Test now): each Plex server, Overseerr / Seerr, Tautulli
and the AI provider; then the API tokens for monitors. Probes run every few minutes; the page shows them live."""

import reflex as rx

from smartplex import routes
from smartplex.components.ai_provider_card import ai_provider_card
from smartplex.components.api_tokens_card import api_tokens_card
from smartplex.components.copyable import copyable
from smartplex.components.integration_card import connection_field, connection_form, integration_card, secret_input, section
from smartplex.components.integration_health import health_strip
from smartplex.components.layout import app_page
from smartplex.components.status_badge import status_badge
from smartplex.components.table import PHONE_HIDDEN, data_table, wide_column
from smartplex.components.tautulli_card import tautulli_card
from smartplex.state.ai_provider import AiProviderState
from smartplex.state.api_tokens import ApiTokensState
from smartplex.state.integration_health import IntegrationHealthState as H
from smartplex.state.integrations import IntegrationsState as S
from smartplex.state.tautulli import TautulliState


def _check(label: str, ok: rx.Var, id: str) -> rx.Component:
    return rx.hstack(
        rx.cond(ok, rx.icon("circle-check", size=16, color=rx.color("green", 10)), rx.icon("circle-x", size=16, color=rx.color("red", 10))),
        rx.text(label, size="2"),
        align="center",
        id=id,
    )


def _test_result() -> rx.Component:
    return rx.cond(
        S.tested,
        rx.vstack(
            rx.flex(
                _check("Reachable", S.reachable, "test-reachable"),
                _check("Key accepted", S.authenticated, "test-authenticated"),
                rx.text("Version ", rx.text.strong(rx.cond(S.version, S.version, "—")), size="2", id="test-version"),
                rx.text("Answered in ", rx.text.strong(S.latency_ms.to_string() + " ms"), size="2", id="test-latency"),
                spacing="5",
                wrap="wrap",
            ),
            rx.cond(S.test_message, rx.callout(S.test_message, icon="triangle_alert", color_scheme="amber", width="100%", id="test-message")),
            spacing="2",
            width="100%",
            id="test-result",
        ),
    )


def _connection() -> rx.Component:
    return rx.vstack(
        connection_form(
            connection_field("Address", rx.input(name="url", default_value=S.seerr_url, placeholder="http://192.168.1.20:5055",
                                                 max_length=512, width="100%", id="seerr-url", key=S.seerr_url), "seerr-url",
                             min_width="240px"),  # fmt: skip
            connection_field("API key", secret_input(S.seerr_key_mask, "From Seerr's Settings → General", "seerr-key", 256), "seerr-key",
                             min_width="240px"),  # fmt: skip
            on_submit=S.save_seerr,
            busy=S.busy,
            save_id="seerr-save",
        ),
        rx.cond(S.form_error, rx.callout(S.form_error, icon="triangle_alert", color_scheme="red", width="100%", id="seerr-form-error")),
        rx.cond(
            S.seerr_configured,
            rx.hstack(
                rx.button(rx.icon("activity", size=14), "Test", variant="soft", size="1", on_click=S.test_seerr, loading=S.busy, id="seerr-test"),
                rx.spacer(),
                rx.button("Disconnect", variant="ghost", color_scheme="red", size="1", on_click=S.disconnect_seerr, id="seerr-disconnect"),
                width="100%",
                align="center",
                wrap="wrap",
            ),
        ),
        _test_result(),
        spacing="3",
        width="100%",
    )


def _person(p: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(p.name, weight="medium"), rx.text(p.email, size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(id="seerr-user-" + p.user_id.to_string(), min_width="180px"),
                rx.select.content(rx.foreach(S.options, lambda o: rx.select.item(o.label, value=o.value))),
                value=p.seerr_user_id,
                on_change=lambda value: S.link_person(p.user_id, value),
            )
        ),
        rx.table.cell(rx.text(p.how, size="1", color_scheme="gray"), display=PHONE_HIDDEN),
        align="center",
    )


def _people() -> rx.Component:
    return section(
        "Who is who in Overseerr / Seerr",
        rx.hstack(
            rx.text("Requests go to Seerr as the person's own Seerr user, so Seerr's permissions, quotas and auto-approve "
                    "apply to them. People are matched by Plex account, else by email; change any link here.",
                    size="2", color_scheme="gray"),  # fmt: skip
            rx.button(rx.icon("refresh-cw", size=14), "Match again", variant="soft", size="1", on_click=S.refresh_people, id="seerr-refresh-people"),
            width="100%",
            align="start",
        ),
        data_table(["Person", "Seerr user", wide_column("How")], rx.foreach(S.links, _person), "seerr-people"),
    )


def _delivery(d: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.moment(d.received_at, from_now=True), display=PHONE_HIDDEN),
        rx.table.cell(rx.code(d.event, size="1")),
        rx.table.cell(status_badge(d.status)),
        rx.table.cell(rx.text(d.reason, size="1", class_name="line-clamp-2")),
        align="center",
    )


def _webhook() -> rx.Component:
    return section(
        "Webhook",
        rx.text("In Seerr: Settings → Notifications → Webhook. Enable it, paste this URL, keep the default JSON payload, "
                "tick the request notification types and save. SmartPlex also asks Seerr every few minutes, in case a "
                "delivery is lost.", size="2", color_scheme="gray"),  # fmt: skip
        copyable(S.webhook_url, "seerr-webhook-url", "Copy webhook URL"),
        rx.form(
            rx.flex(
                rx.input(name="authorization", type="password", auto_complete="off", max_length=512, flex="1", min_width="220px",
                         placeholder=rx.cond(S.webhook_auth_set, "A header is set — enter a new one, or leave empty for none",
                                             "Authorization header, if you set one in Seerr (optional)"),
                         id="seerr-webhook-auth"),  # fmt: skip
                rx.button("Save header", type="submit", variant="soft", id="seerr-webhook-auth-save"),
                rx.button(rx.icon("rotate-cw", size=14), "New URL", type="button", variant="ghost", color_scheme="red",
                          on_click=S.rotate_webhook, id="seerr-webhook-rotate"),  # fmt: skip
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            on_submit=S.save_webhook_auth,
            reset_on_submit=True,
            width="100%",
        ),
        rx.cond(
            S.deliveries.length() > 0,
            data_table([wide_column("When"), "Event", "Outcome", "What happened"], rx.foreach(S.deliveries, _delivery), "seerr-deliveries"),
            rx.text("No deliveries yet. Seerr's webhook settings have a Test button.", size="2", color_scheme="gray"),
        ),
    )


def _plex(card: rx.Var) -> rx.Component:
    return integration_card(
        card.name,
        "server",
        "The Plex Media Server: library, history and webhooks.",
        card.status,
        health_strip(card, "plex-health-" + card.id.to_string()),
        rx.link("Address, schedules and webhook on Admin → Plex", href=routes.ADMIN_PLEX, size="2"),
        id="integration-" + card.id.to_string(),
        badge_id="plex-badge-" + card.id.to_string(),
    )


def _intro() -> rx.Component:
    return rx.flex(
        rx.text("Each service is checked every 3 minutes (a cheap request that also checks SmartPlex's token or key); admins "
                "hear when one goes down or comes back.", size="2", color_scheme="gray", flex="1", min_width="240px"),  # fmt: skip
        rx.button(rx.icon("activity", size=14), "Test all now", variant="soft", on_click=H.test_all, loading=H.testing.length() > 0,
                  id="test-all"),  # fmt: skip
        gap="12px",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _anchor(kind: str, card: rx.Component) -> rx.Component:
    """The card, reachable as #integration-<id> from an alert's link."""
    health = getattr(H, kind)
    return rx.box(card, id=rx.cond(health.id > 0, "integration-" + health.id.to_string(), f"{kind}-anchor"), width="100%")


@app_page(
    routes.ADMIN_INTEGRATIONS, "Integrations", admin=True, icon="plug", order=11,
    on_load=[H.load, S.load, TautulliState.load, AiProviderState.load, ApiTokensState.load],
)  # fmt: skip
def integrations() -> rx.Component:
    return rx.vstack(
        _intro(),
        rx.foreach(H.plex_cards, _plex),
        _anchor(
            "seerr",
            integration_card(
                "Overseerr / Seerr",
                "circle-plus",
                "Members request movies and shows; SmartPlex tracks them until they are on the server.",
                H.seerr.status,
                _connection(),
                health_strip(H.seerr, "seerr-health"),
                rx.cond(S.seerr_configured, rx.fragment(_people(), _webhook())),
                id="seerr-card",
                badge_id="seerr-badge",
            ),
        ),
        _anchor("tautulli", tautulli_card()),
        _anchor("ai", ai_provider_card()),
        api_tokens_card(),
        spacing="5",
        width="100%",
        on_mount=H.start_watching,
        on_unmount=H.stop_watching,
    )
