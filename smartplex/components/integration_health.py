"""The health strip of an integration's card: the status in words, version, last check, last failure, the circuit,
a 24-hour latency sparkline (bars per 15 minutes: green answers, amber slow ones, red failures) and "Test now"."""

from __future__ import annotations

import reflex as rx

from smartplex.state.integration_health import IntegrationHealthState as H

WORD_COLOURS = (("ok", "green"), ("slow", "amber"), ("degraded", "amber"), ("down", "red"), ("rejected", "red"))


def _id(prefix: str | rx.Var, part: str) -> str | rx.Var:
    """An element id under the strip's own (a plain string, or a Var for cards rendered by foreach)."""
    return f"{prefix}-{part}" if isinstance(prefix, str) else prefix + f"-{part}"


def sparkline(points: rx.Var, id: str | rx.Var) -> rx.Component:
    bar = {"stack_id": "latency", "is_animation_active": False}
    return rx.box(
        rx.cond(
            points.length() > 0,
            rx.recharts.bar_chart(
                rx.recharts.bar(data_key="ok", fill=rx.color("green", 9), name="ms", **bar),
                rx.recharts.bar(data_key="slow", fill=rx.color("amber", 9), name="ms (slow)", **bar),
                rx.recharts.bar(data_key="down", fill=rx.color("red", 9), name="failed", **bar),
                rx.recharts.x_axis(data_key="at", hide=True),
                rx.recharts.graphing_tooltip(cursor=False, separator=" "),
                data=points.to(list[dict]),
                bar_category_gap=0,
                margin={"top": 2, "right": 0, "bottom": 0, "left": 0},
                width="100%",
                height=44,
            ),
            rx.center(rx.text("No probes in the last 24 h", size="1", color_scheme="gray"), height="44px"),
        ),
        rx.text("Last 24 hours", size="1", color_scheme="gray", text_align="right"),
        width=["100%", "100%", "220px"],
        min_width="160px",
        id=id,
    )


def health_strip(card: rx.Var, id: str | rx.Var) -> rx.Component:
    """Nothing until the integration is configured (card.id 0)."""
    testing = H.testing.contains(card.id)
    return rx.cond(
        card.id > 0,
        rx.flex(
            rx.vstack(
                rx.text(card.summary, size="3", weight="medium", color_scheme=rx.match(card.status, *WORD_COLOURS, "gray"),
                        id=_id(id, "summary")),  # fmt: skip
                rx.flex(
                    rx.cond(card.version, rx.text("Version ", rx.text.strong(card.version), size="1", color_scheme="gray")),
                    rx.cond(card.checked_at, rx.text("Checked ", rx.moment(card.checked_at, from_now=True), size="1", color_scheme="gray"),
                            rx.text("Not checked yet", size="1", color_scheme="gray")),  # fmt: skip
                    rx.text(card.circuit_words, size="1", color_scheme=rx.cond(card.circuit == "closed", "gray", "red"),
                            id=_id(id, "circuit")),  # fmt: skip
                    gap="4px 14px",
                    wrap="wrap",
                ),
                rx.cond(
                    (card.last_failure != "") & (card.status != "down") & (card.status != "rejected"),  # else it is the summary
                    rx.text("Last failure ", rx.moment(card.last_failure_at, from_now=True), ": ", card.last_failure, size="1",
                            color_scheme="red", class_name="line-clamp-2", id=_id(id, "failure")),  # fmt: skip
                ),
                spacing="1",
                flex="1",
                min_width="220px",
            ),
            sparkline(card.points, _id(id, "sparkline")),
            rx.button(rx.icon("activity", size=14), "Test now", size="1", variant="soft", loading=testing,
                      on_click=H.test_now(card.id), id=_id(id, "test-now")),  # fmt: skip
            gap="16px",
            wrap="wrap",
            align="center",
            width="100%",
            padding="12px",
            border_radius="8px",
            background=rx.color("gray", 2),
            id=id,
        ),
    )
