"""A card's or step's title with the sentence under it that says what it is for."""

from __future__ import annotations

import reflex as rx


def card_heading(title: str | rx.Var, explanation: str | rx.Var, size: str = "4") -> rx.Component:
    """A fragment, so the parent's spacing applies as it would to the two pieces."""
    return rx.fragment(rx.heading(title, size=size), rx.text(explanation, size="2", color_scheme="gray"))
