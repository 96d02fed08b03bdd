"""API tokens on Admin → Integrations: for scripts and monitors calling the admin API (a new one is shown once)."""

from __future__ import annotations

import reflex as rx

from smartplex.components.table import PHONE_HIDDEN, data_table, wide_column
from smartplex.state.api_tokens import NEW_TOKEN_FIELD, ApiTokensState as S

COPY = f"navigator.clipboard.writeText(document.getElementById('{NEW_TOKEN_FIELD}').value)"


def _token(t: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(t.name, weight="medium", size="2"), rx.code(t.hint, size="1"), spacing="0")),
        rx.table.cell(rx.moment(t.created_at, from_now=True), display=PHONE_HIDDEN),
        rx.table.cell(rx.cond(t.last_used_at, rx.moment(t.last_used_at, from_now=True), rx.text("never", color_scheme="gray"))),
        rx.table.cell(rx.button("Revoke", size="1", variant="ghost", color_scheme="red", on_click=S.revoke(t.id),
                                id="revoke-" + t.id.to_string())),  # fmt: skip
        align="center",
    )


def _new_token() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("key-round", size=16)),
        rx.vstack(
            rx.text("Copy the token now: it is not shown again.", weight="medium"),
            rx.hstack(
                rx.input(read_only=True, id=NEW_TOKEN_FIELD, font_family="monospace", flex="1", min_width="0"),
                rx.button(rx.icon("copy", size=14), "Copy", size="1", on_click=[rx.call_script(COPY), rx.toast.success("Copied.")]),
                rx.button("Done", size="1", variant="ghost", on_click=S.dismiss_token, id="token-done"),
                width="100%",
                align="center",
            ),
            spacing="2",
            width="100%",
        ),
        color_scheme="green",
        width="100%",
        display=rx.cond(S.token_shown, "flex", "none"),  # always rendered: the token is written into the field
        id="new-token",
    )


def api_tokens_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("key-round", size=20), rx.heading("API tokens", size="4"), align="center"),
            rx.text("For scripts and monitors: send one as Authorization: Bearer … to POST /api/integrations/{id}/test (the "
                    "ids are in /api/health). A token acts as you while you are an admin.", size="2", color_scheme="gray"),  # fmt: skip
            rx.form(
                rx.flex(
                    rx.input(name="name", placeholder="What will use it, e.g. Uptime Kuma", max_length=100, flex="1", min_width="220px",
                             id="token-name"),  # fmt: skip
                    rx.button("Make a token", type="submit", variant="soft", id="token-create"),
                    gap="8px",
                    wrap="wrap",
                    width="100%",
                ),
                on_submit=S.create,
                reset_on_submit=True,
                width="100%",
            ),
            rx.cond(S.error, rx.text(S.error, size="2", color_scheme="red", id="token-error")),
            _new_token(),
            rx.cond(
                S.tokens.length() > 0,
                data_table(["Token", wide_column("Made"), "Last used", ""], rx.foreach(S.tokens, _token), "api-tokens"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="api-tokens-card",
    )
