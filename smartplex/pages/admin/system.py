"""/admin/system: health of SmartPlex and what it depends on."""

import reflex as rx

from smartplex import routes
from smartplex.components.layout import app_page
from smartplex.components.status_badge import status_badge
from smartplex.components.table import data_table
from smartplex.state.system import SystemState


def _component_row(component: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(component.name, weight="medium")),
        rx.table.cell(status_badge(component.status, size="2")),
        rx.table.cell(rx.text(component.error, size="2", color_scheme="gray")),
        align="center",
    )


def _stray_webhooks() -> rx.Component:
    """Deliveries to webhook URLs nobody owns: the usual sign of a wrong or rotated URL pasted into Plex."""
    stray = SystemState.stray
    return rx.cond(
        stray.count > 0,
        rx.callout(
            rx.text(
                rx.text.strong(stray.count.to_string()),
                rx.cond(stray.count == 1, " delivery", " deliveries"),
                " in the last 24 hours went to a webhook URL that belongs to nobody, the latest ",
                rx.moment(stray.last_at, from_now=True),
                " from ",
                rx.code(stray.last_from),
                ". If that is your Plex server, paste the webhook URL from Admin → Plex into Plex again.",
                size="2",
            ),
            icon="webhook",
            color_scheme="amber",
            id="stray-webhooks",
            width="100%",
        ),
        rx.text("No deliveries to unknown webhook URLs in the last 24 hours.", size="2", color_scheme="gray", id="stray-webhooks"),
    )


@app_page(routes.ADMIN_SYSTEM, "System", on_load=[SystemState.load], admin=True, icon="activity", order=15)
def system() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Overall", size="4"),
            status_badge(SystemState.status, size="2"),
            rx.spacer(),
            rx.text("SmartPlex ", SystemState.version, size="2", color_scheme="gray"),
            rx.button(rx.icon("refresh_cw", size=16), "Check again", variant="soft", on_click=SystemState.load),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        data_table(["Component", "Status", "Detail"], rx.foreach(SystemState.components, _component_row), "health-table"),
        _stray_webhooks(),
        rx.text("Checked ", rx.moment(SystemState.checked_at, from_now=True), size="1", color_scheme="gray"),
        rx.link("Machine-readable: /api/health", href="/api/health", size="2", is_external=True),
        spacing="4",
        width="100%",
    )
