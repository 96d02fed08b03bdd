"""/admin/ai: which AI provider answers (set up on Integrations), its prices, the monthly budget and this month's
cost."""

import reflex as rx

from smartplex import routes
from smartplex.components.card_heading import card_heading
from smartplex.components.integration_card import health_badge
from smartplex.components.layout import app_page
from smartplex.components.table import PHONE_HIDDEN, data_table, wide_column
from smartplex.state.ai_admin import AiAdminState as S


def _provider() -> rx.Component:
    """Which model answers, at a glance; it is set up on Integrations with the other services."""
    p = S.provider
    return rx.card(
        rx.flex(
            rx.icon("bot", size=20),
            rx.cond(
                p.configured,
                rx.vstack(
                    rx.hstack(rx.text(p.model, weight="bold", id="ai-provider-model"), health_badge(p.health_status), align="center"),
                    rx.text(p.base_url, size="1", color_scheme="gray", id="ai-provider-url"),
                    spacing="1",
                ),
                rx.text("No AI provider: members get answers from the built-in answerer.", size="2", id="ai-provider-none"),
            ),
            rx.spacer(),
            rx.link(rx.button(rx.cond(p.configured, "Change on Integrations", "Set one up on Integrations"), variant="soft", size="2"),
                    href=routes.ADMIN_INTEGRATIONS, id="ai-provider-link"),  # fmt: skip
            gap="3",
            align="center",
            wrap="wrap",
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
            card_heading(
                "Prices",
                "Dollars per million tokens. A model is priced by the longest entry its name starts with; "
                "models without a price cost $0 and are flagged.",
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


@app_page(routes.ADMIN_AI, "AI", on_load=[S.load], admin=True, icon="sparkles", order=14)
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
