"""/join?invite=…: accept an invite and set a password."""

import reflex as rx

from smartplex import routes
from smartplex.components.form import field, form_error, submit_button
from smartplex.components.layout import public_page
from smartplex.state.signin import JoinState


@rx.page(route=routes.JOIN, title="Join · SmartPlex", on_load=JoinState.load)
def join() -> rx.Component:
    return public_page(
        "Join SmartPlex",
        "You were invited. Choose how you sign in from now on.",
        rx.cond(
            JoinState.invite_ok,
            rx.form(
                rx.vstack(
                    form_error(JoinState.form_error),
                    field("Your name", "name", JoinState.errors, autocomplete="name", default_value=JoinState.suggested_name),
                    field(
                        "Email",
                        "email",
                        JoinState.errors,
                        type="email",
                        autocomplete="email",
                        default_value=JoinState.suggested_email,
                    ),
                    field("Password", "password", JoinState.errors, type="password", autocomplete="new-password"),
                    field("Repeat password", "confirm", JoinState.errors, type="password", autocomplete="new-password"),
                    submit_button("Create my account", JoinState.busy),
                    rx.cond(
                        JoinState.for_member,
                        rx.text(
                            "You can also skip this and ",
                            rx.link("sign in with Plex", href=routes.LOGIN, id="join-with-plex"),
                            ".",
                            size="2",
                            color_scheme="gray",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=JoinState.submit,
                no_validate=True,
                id="join-form",
                width="100%",
            ),
            rx.vstack(
                form_error(JoinState.form_error),
                rx.link("Go to sign in", href=routes.LOGIN, id="to-login"),
                width="100%",
            ),
        ),
    )
