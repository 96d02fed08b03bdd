"""The AI provider's card on Admin → Integrations: an OpenAI-compatible endpoint, its model and key, its health."""

from __future__ import annotations

import reflex as rx

from smartplex.components.integration_card import connection_field, connection_form, integration_card, secret_input
from smartplex.components.integration_health import health_strip
from smartplex.state.ai_provider import AiProviderState as S
from smartplex.state.integration_health import IntegrationHealthState as H


def ai_provider_card() -> rx.Component:
    form = connection_form(
        connection_field("Base URL", rx.input(name="url", default_value=S.url, key=S.url, placeholder="https://api.openai.com/v1",
                                              max_length=512, width="100%", id="ai-url"), "ai-url", min_width="200px"),  # fmt: skip
        connection_field("Model", rx.input(name="model", default_value=S.model, key=S.model, placeholder="gpt-4o-mini", max_length=128,
                                           width="100%", id="ai-model"), "ai-model", "1", "200px"),  # fmt: skip
        connection_field("Timeout (s)", rx.input(name="timeout_s", type="number", min=1, max=300, default_value=S.timeout, key=S.timeout,
                                                 placeholder="30", width="100%", id="ai-timeout"), "ai-timeout", "0 0 110px", "110px"),  # fmt: skip
        connection_field("API key", secret_input(S.key_mask, "Empty for local servers", "ai-key"), "ai-key", min_width="200px"),
        on_submit=S.save,
        busy=S.busy,
        save_id="ai-save",
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
