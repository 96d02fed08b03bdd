"""The AI provider's card on Admin → Integrations: an OpenAI-compatible endpoint, its model and key, its health."""

from __future__ import annotations

import reflex as rx

from smartplex.components.integration_card import integration_card
from smartplex.components.integration_health import health_strip
from smartplex.state.ai_provider import AiProviderState as S
from smartplex.state.integration_health import IntegrationHealthState as H


def _field(label: str, control: rx.Component, html_for: str, flex: str = "2", min_width: str = "200px") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=html_for), control, spacing="1", flex=flex, min_width=min_width
    )


def ai_provider_card() -> rx.Component:
    form = rx.form(
        rx.flex(
            _field("Base URL", rx.input(name="url", default_value=S.url, key=S.url, placeholder="https://api.openai.com/v1",
                                        max_length=512, width="100%", id="ai-url"), "ai-url"),  # fmt: skip
            _field("Model", rx.input(name="model", default_value=S.model, key=S.model, placeholder="gpt-4o-mini", max_length=128,
                                     width="100%", id="ai-model"), "ai-model", "1"),  # fmt: skip
            _field("Timeout (s)", rx.input(name="timeout_s", type="number", min=1, max=300, default_value=S.timeout, key=S.timeout,
                                           placeholder="30", width="100%", id="ai-timeout"), "ai-timeout", "0 0 110px", "110px"),  # fmt: skip
            _field("API key", rx.input(name="api_key", type="password", auto_complete="off", max_length=512, width="100%", id="ai-key",
                                       placeholder=rx.cond(S.key_mask, "Stored " + S.key_mask + " — leave empty to keep",
                                                           "Empty for local servers")), "ai-key"),  # fmt: skip
            rx.button("Save and test", type="submit", loading=S.busy, id="ai-save", align_self="end"),
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        on_submit=S.save,
        reset_on_submit=True,
        width="100%",
    )
    return integration_card(
        "AI provider",
        "bot",
        "An OpenAI-compatible endpoint for the chat: OpenAI, or a local Ollama, LM Studio, vLLM or llama.cpp server.",
        H.ai.status,
        form,
        rx.cond(S.form_error, rx.callout(S.form_error, icon="triangle-alert", color_scheme="red", size="1", width="100%",
                                         id="ai-form-error")),  # fmt: skip
        health_strip(H.ai, "ai-health"),
        rx.cond(
            S.configured,
            rx.hstack(
                rx.text("Without a provider, members still get answers from the built-in answerer.", size="1", color_scheme="gray"),
                rx.spacer(),
                rx.cond(S.key_mask, rx.button("Remove key", variant="ghost", color_scheme="gray", size="1", on_click=S.clear_key,
                                              id="ai-clear-key")),  # fmt: skip
                rx.button("Remove", variant="ghost", color_scheme="red", size="1", on_click=S.disconnect, id="ai-disconnect"),
                width="100%",
                align="center",
            ),
        ),
        id="ai-card",
        badge_id="ai-badge",
    )
