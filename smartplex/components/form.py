"""Form pieces with an error message under each field."""

from __future__ import annotations

import reflex as rx


def field(
    label: str,
    name: str,
    errors: rx.Var,
    *,
    type: str = "text",
    placeholder: str = "",
    autocomplete: str = "off",
    default_value: rx.Var | str = "",
    autofocus: bool = False,
) -> rx.Component:
    error = errors[name].to(str)
    return rx.vstack(
        rx.text(label, as_="label", html_for=name, size="2", weight="medium"),
        rx.input(
            id=name,
            name=name,
            type=type,
            placeholder=placeholder,
            auto_complete=autocomplete,
            default_value=default_value,
            auto_focus=autofocus,
            max_length=2048,
            size="3",
            width="100%",
            color_scheme=rx.cond(error, "red", "gray"),
        ),
        rx.cond(error, rx.text(error, id=f"{name}-error", size="1", color_scheme="red")),
        spacing="1",
        width="100%",
    )


def form_error(message: rx.Var) -> rx.Component:
    return rx.cond(
        message,
        rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert", id="form-error", width="100%"),
    )


def submit_button(label: str, busy: rx.Var, id: str = "submit") -> rx.Component:
    return rx.button(label, type="submit", id=id, size="3", width="100%", loading=busy)
