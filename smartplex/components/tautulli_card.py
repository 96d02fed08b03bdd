"""Tautulli's card on Admin → Integrations: where it is and its API key, its health, and importing its history with
live progress and the result in words."""

from __future__ import annotations

import reflex as rx

from smartplex.components.integration_card import connection_field, connection_form, integration_card, secret_input, section
from smartplex.components.integration_health import health_strip
from smartplex.state.integration_health import IntegrationHealthState as H
from smartplex.state.tautulli import TautulliState as S


def _form() -> rx.Component:
    return connection_form(
        connection_field("Address", rx.input(name="url", default_value=S.url, key=S.url, placeholder="http://192.168.1.20:8181",
                                             max_length=512, width="100%", id="tautulli-url"), "tautulli-url"),  # fmt: skip
        connection_field("API key", secret_input(S.key_mask, "From Tautulli's Settings → Web Interface", "tautulli-key", 128), "tautulli-key"),
        on_submit=S.save,
        busy=S.busy,
        save_id="tautulli-save",
    )


def _import() -> rx.Component:
    return section(
        "Watch history",
        rx.text("Tautulli may know plays from before SmartPlex was connected. Importing adds them to everyone's history and "
                "stats; plays Plex already reported are recognised and not counted twice.", size="2", color_scheme="gray"),  # fmt: skip
        rx.hstack(
            rx.button(rx.icon("download", size=14), "Import history", on_click=S.start_import, loading=S.importing, variant="soft",
                      id="tautulli-import"),  # fmt: skip
            rx.cond(S.last_import_at, rx.text("Last import ", rx.moment(S.last_import_at, from_now=True), size="1", color_scheme="gray")),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.importing,
            rx.vstack(
                rx.progress(value=S.import_percent, width="100%", id="tautulli-progress"),
                rx.text(rx.cond(S.import_total > 0, S.import_done.to_string() + " of " + S.import_total.to_string() + " rows read",
                                "Asking Tautulli…"), size="1", color_scheme="gray", id="tautulli-progress-text"),  # fmt: skip
                width="100%",
                spacing="1",
            ),
        ),
        rx.cond(S.import_error, rx.callout(S.import_error, icon="triangle-alert", color_scheme="red", size="1", width="100%",
                                           id="tautulli-import-error")),  # fmt: skip
        rx.cond(S.last_import & ~S.importing, rx.text(S.last_import, size="2", id="tautulli-import-result")),
    )


def tautulli_card() -> rx.Component:
    return integration_card(
        "Tautulli",
        "chart-no-axes-column",
        "Optional: brings in the watch history Tautulli recorded.",
        H.tautulli.status,
        _form(),
        rx.cond(S.form_error, rx.callout(S.form_error, icon="triangle-alert", color_scheme="red", size="1", width="100%",
                                         id="tautulli-form-error")),  # fmt: skip
        health_strip(H.tautulli, "tautulli-health"),
        rx.cond(
            S.configured,
            rx.fragment(
                _import(),
                rx.hstack(
                    rx.spacer(),
                    rx.button("Disconnect", variant="ghost", color_scheme="red", size="1", on_click=S.disconnect, id="tautulli-disconnect"),
                    width="100%",
                ),
            ),
        ),
        id="tautulli-card",
        badge_id="tautulli-badge",
    )
