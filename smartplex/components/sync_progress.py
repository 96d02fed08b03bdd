"""The live progress of a library sync: bar, counts, section, elapsed time, cancel and outcome."""

from __future__ import annotations

import reflex as rx


def sync_progress(state: type[rx.State]) -> rx.Component:
    """Draw a SyncRunner state's progress; `state` is the page's state class (it mixes in SyncRunner)."""
    s = state
    return rx.vstack(
        rx.progress(value=s.percent, max=100, size="3", width="100%", id="sync-progress"),
        rx.hstack(
            rx.text(s.done, " / ", s.total, " items", size="2", id="sync-counts"),
            rx.spacer(),
            rx.text(s.percent, "%", size="2", weight="bold", id="sync-percent"),
            width="100%",
        ),
        rx.hstack(
            rx.cond(
                s.section,
                rx.text(rx.text.strong(s.section), ": ", s.section_done, " / ", s.section_total, size="2", color_scheme="gray"),
            ),
            rx.spacer(),
            rx.text("Elapsed ", s.elapsed, size="2", color_scheme="gray", id="sync-elapsed"),
            width="100%",
        ),
        rx.cond(
            s.syncing,
            rx.button("Cancel", variant="soft", color_scheme="red", size="1", on_click=s.cancel_sync, id="cancel-sync"),
            rx.match(
                s.sync_status,
                ("succeeded", rx.callout("Sync finished.", icon="circle-check", color_scheme="green", id="sync-done", width="100%")),
                ("cancelled", rx.callout("The sync was cancelled.", icon="circle-pause", color_scheme="amber", id="sync-error", width="100%")),
                rx.callout(s.sync_error, icon="triangle_alert", color_scheme="red", id="sync-error", width="100%"),
            ),
        ),
        spacing="2",
        width="100%",
    )
