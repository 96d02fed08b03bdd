"""/setup: create the admin account on first run."""

import reflex as rx

from smartplex import routes
from smartplex.components.form import field, form_error, submit_button
from smartplex.components.layout import public_page
from smartplex.state.signin import SetupState


@rx.page(route=routes.SETUP, title="Welcome · SmartPlex", on_load=SetupState.load)
def setup() -> rx.Component:
    return public_page(
        "Welcome to SmartPlex",
        "Create the admin account. You will connect your Plex server and invite your people next.",
        rx.form(
            rx.vstack(
                form_error(SetupState.form_error),
                field("Your name", "name", SetupState.errors, autocomplete="name", autofocus=True),
                field("Email", "email", SetupState.errors, type="email", autocomplete="email", placeholder="you@example.com"),
                field("Password", "password", SetupState.errors, type="password", autocomplete="new-password"),
                field("Repeat password", "confirm", SetupState.errors, type="password", autocomplete="new-password"),
                submit_button("Create admin account", SetupState.busy),
                spacing="3",
                width="100%",
            ),
            on_submit=SetupState.submit,
            no_validate=True,
            id="setup-form",
            width="100%",
        ),
    )
