"""The live progress of a library sync: bar, counts, what it is doing, elapsed time, cancel and outcome."""

from __future__ import annotations

import reflex as rx


def sync_progress(state: type[rx.State]) -> rx.Component:
    """Draw a SyncRunner state's sync; `state` is the page's state class (it mixes in SyncRunner). Nothing is
    drawn before the first sync, and a finished one shows its outcome, not an empty bar."""
    s = state
    bar = rx.vstack(
        rx.progress(value=s.percent, max=100, size="3", width="100%", id="sync-progress"),
        rx.hstack(
            rx.cond(
                s.total > 0,
                rx.text(s.done.to_string(), " / ", s.total.to_string(), " items", size="2", id="sync-counts"),
                rx.text("Connecting to Plex…", size="2", color_scheme="gray", id="sync-counts"),
            ),
            rx.spacer(),
            rx.text(s.percent, "%", size="2", weight="bold", id="sync-percent"),
            width="100%",
        ),
        spacing="2",
        width="100%",
    )
    running = rx.vstack(
        bar,
        rx.cond(s.activity, rx.text(s.activity, size="2", color_scheme="amber", id="sync-activity")),
        rx.hstack(
            rx.cond(
                s.section,
                rx.text(rx.text.strong(s.section), ": ", s.section_done, " / ", s.section_total, size="2", color_scheme="gray"),
            ),
            rx.spacer(),
            rx.text("Elapsed ", s.elapsed, size="2", color_scheme="gray", id="sync-elapsed"),
            width="100%",
        ),
        rx.button("Cancel", variant="soft", color_scheme="red", size="1", on_click=s.cancel_sync, id="cancel-sync"),
        spacing="2",
        width="100%",
    )
    return rx.cond(
        s.syncing,
        running,
        rx.match(
            s.sync_status,
            (
                "succeeded",
                rx.vstack(
                    rx.cond(s.total > 0, bar),
                    rx.callout(s.outcome, icon="circle-check", color_scheme="green", id="sync-done", width="100%"),
                    spacing="2",
                    width="100%",
                ),
            ),
            ("cancelled", rx.callout("The sync was cancelled.", icon="circle-pause", color_scheme="amber", id="sync-error", width="100%")),
            ("failed", rx.callout(s.sync_error, icon="triangle_alert", color_scheme="red", id="sync-error", width="100%")),
            rx.fragment(),
        ),
    )
