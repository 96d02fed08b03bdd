"""/login: sign in with Plex, or with email and password."""

import reflex as rx

from smartplex import routes
from smartplex.components.form import field, form_error, submit_button
from smartplex.components.layout import public_page
from smartplex.components.plex_signin import plex_sign_in
from smartplex.state.plex_signin import PlexSignInState
from smartplex.state.signin import LoginState


@rx.page(route=routes.LOGIN, title="Sign in · SmartPlex", on_load=[LoginState.load, PlexSignInState.load])
def login() -> rx.Component:
    return public_page(
        "Sign in",
        "Your recommendations, history and requests are waiting.",
        plex_sign_in(),
        rx.form(
            rx.vstack(
                form_error(LoginState.form_error),
                field("Email", "email", LoginState.errors, type="email", autocomplete="username", autofocus=True),
                field("Password", "password", LoginState.errors, type="password", autocomplete="current-password"),
                submit_button("Sign in", LoginState.busy),
                spacing="3",
                width="100%",
            ),
            on_submit=LoginState.submit,
            no_validate=True,
            id="login-form",
            width="100%",
        ),
        rx.text(
            rx.cond(
                PlexSignInState.available,
                "New here? If the owner shares their Plex server with you, just sign in with Plex.",
                "New here? Ask the owner of your Plex server for an invite link.",
            ),
            size="1",
            color_scheme="gray",
        ),
    )
