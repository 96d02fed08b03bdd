"""/profile: the member's display name, time zone and password."""

import reflex as rx

from smartplex import routes
from smartplex.components.form import field
from smartplex.components.layout import app_page
from smartplex.services import clock
from smartplex.state.profile import ProfileState as S


def _zone_select() -> rx.Component:
    """A native select: hundreds of zones stay fast and searchable by typing, on phones too."""
    error = S.errors["time_zone"].to(str)
    return rx.vstack(
        rx.text("Time zone", as_="label", html_for="time_zone", size="2", weight="medium"),
        rx.el.select(
            *[rx.el.option(name.replace("_", " "), value=name) for name in clock.zone_names()],
            id="time_zone",
            name="time_zone",
            default_value=S.time_zone,
            key=S.time_zone,
            width="100%",
            height="40px",
            padding_x="10px",
            font_size="15px",
            border_radius="var(--radius-2)",
            border=f"1px solid {rx.color('gray', 7)}",
            background=rx.color("gray", 1),
            color=rx.color("gray", 12),
        ),
        rx.text("Dates, “this week” and plays by hour use it.", size="1", color_scheme="gray"),
        rx.cond(error, rx.text(error, id="time_zone-error", size="1", color_scheme="red")),
        spacing="1",
        width="100%",
    )


def _details() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Your details", size="4"),
                field("Display name", "name", S.errors, default_value=S.name, autocomplete="name"),
                _zone_select(),
                rx.button("Save", type="submit", size="3", id="profile-save"),
                spacing="4",
                width="100%",
                align="start",
            ),
            on_submit=S.save,
            key=S.name + S.time_zone,
            id="profile-form",
            width="100%",
        ),
        width="100%",
    )


def _password() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Password", size="4"),
                field("Current password", "current_password", S.password_errors, type="password", autocomplete="current-password"),
                field("New password", "new_password", S.password_errors, type="password", autocomplete="new-password"),
                field("Repeat the new password", "confirm", S.password_errors, type="password", autocomplete="new-password"),
                rx.button("Change password", type="submit", size="3", id="password-save"),
                spacing="4",
                width="100%",
                align="start",
            ),
            on_submit=S.change_password,
            reset_on_submit=False,
            key=S.password_form_key,
            id="password-form",
            width="100%",
        ),
        width="100%",
    )


@app_page(routes.PROFILE, "Profile", on_load=[S.load])
def profile() -> rx.Component:
    return rx.vstack(_details(), _password(), spacing="5", width="100%", max_width="560px")
