"""/admin/ai: the AI provider (any OpenAI-compatible endpoint), its prices, the monthly budget and this month's
cost. (To be folded into the Integrations page once it lands.)"""

import reflex as rx

from smartplex import routes
from smartplex.components.layout import app_page
from smartplex.components.status_badge import status_badge
from smartplex.components.table import PHONE_HIDDEN, data_table, wide_column
from smartplex.state.ai_admin import AiAdminState as S


def _labelled(label: str, control: rx.Component, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        control,
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
    )


def _provider() -> rx.Component:
    p = S.provider
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("AI provider", size="4"),
                rx.cond(
                    p.configured,
                    rx.cond(p.health_status == "unknown", rx.badge("not called yet", color_scheme="gray", variant="soft"), status_badge(p.health_status)),
                    rx.badge("not set up", color_scheme="gray", variant="soft"),
                ),
                rx.cond(p.circuit_state != "closed", rx.badge("circuit ", p.circuit_state, color_scheme="red", variant="soft")),
                rx.spacer(),
                align="center",
                width="100%",
            ),
            rx.text(
                "Any OpenAI-compatible chat API: OpenAI, or a local Ollama, LM Studio, vLLM or llama.cpp server. "
                "Without one, members still get answers from the built-in answerer.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    _labelled("Base URL", rx.input(name="base_url", default_value=p.base_url, placeholder="https://api.openai.com/v1", width="100%", id="ai-base-url")),
                    rx.flex(
                        _labelled("Model", rx.input(name="model", default_value=p.model, placeholder="gpt-4o-mini", width="100%", id="ai-model")),
                        _labelled("Timeout (seconds)", rx.input(name="timeout_s", default_value=p.timeout_s.to_string(), type="number", min=1, max=300, width="100%", id="ai-timeout")),
                        gap="3",
                        width="100%",
                        direction=rx.breakpoints(initial="column", sm="row"),
                    ),
                    _labelled(
                        "API key",
                        rx.input(name="api_key", type="password", placeholder=rx.cond(p.key_mask, p.key_mask + " (leave empty to keep)", "sk-…"), auto_complete="off", width="100%", id="ai-api-key"),
                        "Stored encrypted; never shown again or sent to browsers.",
                    ),
                    rx.cond(S.provider_error, rx.callout(S.provider_error, icon="triangle_alert", color_scheme="red", width="100%", id="ai-provider-error")),
                    rx.cond(p.last_error, rx.text("Last error: ", p.last_error, size="1", color_scheme="red")),
                    rx.hstack(
                        rx.button("Save provider", type="submit", id="ai-save-provider"),
                        rx.cond(p.key_mask, rx.button("Remove key", type="button", variant="soft", color_scheme="gray", on_click=S.clear_key)),
                        rx.cond(p.configured, rx.button("Remove provider", type="button", variant="soft", color_scheme="red", on_click=S.remove_provider, id="ai-remove-provider")),
                        wrap="wrap",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save_provider,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _figure(label: str, value: rx.Var, id: str) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.heading(value, size="6", id=id), spacing="1", min_width="120px")


def _spend() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading("This month", size="4"), rx.text(S.month, size="2", color_scheme="gray"), align="baseline", width="100%"),
            rx.flex(
                _figure("Estimated spend", S.spent_text, "ai-spent"),
                _figure("Model calls", S.calls, "ai-calls"),
                _figure("Failed calls", S.failed_calls, "ai-failed"),
                spacing="7",
                wrap="wrap",
            ),
            rx.cond(
                S.budget > 0,
                rx.vstack(
                    rx.progress(value=S.budget_percent, width="100%", color_scheme=rx.cond(S.budget_percent >= 100, "red", rx.cond(S.budget_percent >= 80, "amber", "green"))),
                    rx.text(S.budget_percent, "% of the $", S.budget.to_string(), " budget", size="2", color_scheme="gray", id="ai-budget-used"),
                    width="100%",
                    spacing="1",
                ),
            ),
            rx.cond(
                S.unpriced_models.length() > 0,
                rx.callout(
                    rx.text("No price for ", rx.text.strong(S.unpriced_models.join(", ")), ": their calls count as $0. Add them to the price table."),
                    icon="circle_alert",
                    color_scheme="amber",
                    width="100%",
                    id="ai-unpriced",
                ),
            ),
            rx.form(
                rx.hstack(
                    rx.input(name="budget", default_value=S.budget_text, placeholder="No limit", type="number", min=0, step="0.01", id="ai-budget"),
                    rx.button("Save budget", type="submit", variant="soft", id="ai-save-budget"),
                    align="center",
                    wrap="wrap",
                ),
                on_submit=S.save_budget,
            ),
            rx.text("Monthly budget in dollars. At 100 % the model is not called and members get the built-in answerer.", size="1", color_scheme="gray"),
            rx.cond(S.budget_error, rx.text(S.budget_error, size="1", color_scheme="red", id="ai-budget-error")),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _share_row(share: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.hstack(rx.text(share.name, weight="medium"), rx.cond(share.unpriced_calls > 0, rx.badge("unpriced", color_scheme="amber", variant="soft")))),
        rx.table.cell(share.calls),
        rx.table.cell(share.prompt_tokens, " / ", share.completion_tokens, display=PHONE_HIDDEN),
        rx.table.cell(share.avg_latency_ms, " ms", display=PHONE_HIDDEN),
        rx.table.cell("$", share.cost.to_string()),
    )


def _shares(title: str, shares: rx.Var, id: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="3"),
        rx.cond(
            shares.length() > 0,
            data_table(["Name", "Calls", wide_column("Tokens in / out"), wide_column("Avg latency"), "Cost"], rx.foreach(shares, _share_row), id),
            rx.text("No calls yet this month.", size="2", color_scheme="gray"),
        ),
        width="100%",
        spacing="2",
    )


def _price_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.input(name="model-" + row.index.to_string(), default_value=row.model, placeholder="model name", size="1")),
        rx.table.cell(rx.input(name="prompt-" + row.index.to_string(), default_value=row.prompt, type="number", min=0, step="0.001", size="1")),
        rx.table.cell(rx.input(name="completion-" + row.index.to_string(), default_value=row.completion, type="number", min=0, step="0.001", size="1")),
        rx.table.cell(rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red", type="button", on_click=S.remove_price_row(row.index), aria_label="Remove")),
        key=row.index.to_string() + "-" + row.model,
    )


def _prices() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Prices", size="4"),
            rx.text(
                "Dollars per million tokens. A model is priced by the longest entry its name starts with; "
                "models without a price cost $0 and are flagged.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    data_table(["Model", "Prompt $/1M", "Completion $/1M", ""], rx.foreach(S.price_rows, _price_row), "ai-prices"),
                    rx.cond(S.price_error, rx.callout(S.price_error, icon="triangle_alert", color_scheme="red", width="100%", id="ai-price-error")),
                    rx.hstack(
                        rx.button(rx.icon("plus", size=14), "Add model", type="button", variant="soft", on_click=S.add_price_row, id="ai-add-price"),
                        rx.button("Save prices", type="submit", id="ai-save-prices"),
                    ),
                    width="100%",
                    spacing="3",
                ),
                on_submit=S.save_prices,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@app_page(routes.ADMIN_AI, "AI", on_load=[S.load], admin=True, icon="sparkles", order=13)
def ai_admin() -> rx.Component:
    return rx.vstack(
        _provider(),
        _spend(),
        _shares("By member", S.by_member, "ai-by-member"),
        _shares("By model", S.by_model, "ai-by-model"),
        _shares("By feature", S.by_feature, "ai-by-feature"),
        _prices(),
        spacing="5",
        width="100%",
    )
