"""A value to copy (an invite link, a webhook URL) with its copy button."""

from __future__ import annotations

import reflex as rx


def copyable(value: rx.Var, id: str, label: str) -> rx.Component:
    return rx.hstack(
        rx.code(value, id=id, size="2", style={"word_break": "break-all"}),
        rx.icon_button(
            rx.icon("copy", size=16),
            variant="soft",
            on_click=[rx.set_clipboard(value), rx.toast.info("Copied")],
            aria_label=label,
        ),
        align="center",
        width="100%",
    )
