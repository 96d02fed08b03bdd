"""Admin: which AI provider answers, the price table, the monthly budget and what the AI cost this month."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from smartplex.services.ai import costs, provider
from smartplex.services.ai.costs import CostError, Price, Share
from smartplex.services.ai.provider import ProviderView
from smartplex.services.auth import UserView
from smartplex.state.auth import admin_only

MAX_ROWS = costs.MAX_MODELS


@dataclass(frozen=True)
class PriceRow:
    index: int
    model: str
    prompt: str  # dollars per million tokens, as typed
    completion: str
    used: bool  # calls this month went to this entry's models


class AiAdminState(rx.State):
    provider: ProviderView = ProviderView()
    price_rows: list[PriceRow] = []
    price_error: str = ""
    budget_text: str = ""
    budget_error: str = ""
    month: str = ""
    spent: float = 0.0
    budget: float = 0.0  # 0 = no limit
    calls: int = 0
    failed_calls: int = 0
    by_member: list[Share] = []
    by_model: list[Share] = []
    by_feature: list[Share] = []
    unpriced_models: list[str] = []

    @rx.var
    def spent_text(self) -> str:
        """Dollars to the cent, or to a hundredth of a cent while spend is tiny."""
        return f"${self.spent:,.2f}" if self.spent >= 0.01 or not self.spent else f"${self.spent:.4f}"

    @rx.var
    def budget_percent(self) -> int:
        return min(100, round(self.spent * 100 / self.budget)) if self.budget else 0

    async def _refresh(self) -> None:
        self.provider = await asyncio.to_thread(provider.view)
        table = await asyncio.to_thread(costs.prices)
        report = await asyncio.to_thread(costs.report)
        used = {s.name for s in report.by_model}
        self.price_rows = [
            PriceRow(n, p.model, f"{p.prompt_per_million:g}", f"{p.completion_per_million:g}", any(m.startswith(p.model) for m in used))
            for n, p in enumerate(table)
        ]
        self.month, self.spent, self.calls, self.failed_calls = report.month, report.spent, report.calls, report.failed_calls
        self.budget = report.budget or 0.0
        self.budget_text = f"{report.budget:g}" if report.budget else ""
        self.by_member, self.by_model, self.by_feature = report.by_member, report.by_model, report.by_feature
        self.unpriced_models = [s.name for s in report.by_model if s.unpriced_calls]

    @rx.event
    @admin_only
    async def load(self, actor: UserView) -> None:
        self.price_error = self.budget_error = ""
        await self._refresh()

    @rx.event
    @admin_only
    async def add_price_row(self, actor: UserView) -> None:
        if len(self.price_rows) < MAX_ROWS:
            self.price_rows = [*self.price_rows, PriceRow(len(self.price_rows), "", "0", "0", False)]

    @rx.event
    @admin_only
    async def remove_price_row(self, actor: UserView, index: int) -> None:
        kept = [r for r in self.price_rows if r.index != int(index)]
        self.price_rows = [PriceRow(n, r.model, r.prompt, r.completion, r.used) for n, r in enumerate(kept)]

    @rx.event
    @admin_only
    async def save_prices(self, actor: UserView, form: dict[str, str]) -> rx.event.EventSpec | None:
        table = []
        for row in self.price_rows:
            model = str(form.get(f"model-{row.index}") or "").strip()
            if not model:
                continue  # an empty row is left out
            try:
                prompt = float(str(form.get(f"prompt-{row.index}") or "0"))
                completion = float(str(form.get(f"completion-{row.index}") or "0"))
            except ValueError:
                self.price_error = f"Prices for {model[:40]} must be numbers (dollars per million tokens)."
                return None
            table.append(Price(model, prompt, completion))
        try:
            await asyncio.to_thread(costs.set_prices, actor.id, table)
        except CostError as exc:
            self.price_error = str(exc)
            return None
        self.price_error = ""
        await self._refresh()
        return rx.toast.success("Prices saved.")

    @rx.event
    @admin_only
    async def save_budget(self, actor: UserView, form: dict[str, str]) -> rx.event.EventSpec | None:
        text = str(form.get("budget") or "").strip().lstrip("$")
        try:
            dollars = float(text) if text else None
            await asyncio.to_thread(costs.set_budget, actor.id, dollars)
        except (ValueError, CostError) as exc:
            self.budget_error = str(exc) if isinstance(exc, CostError) else "Enter the budget in dollars, like 5 or 12.50."
            return None
        self.budget_error = ""
        await self._refresh()
        return rx.toast.success("Budget saved." if text else "Budget removed: no monthly limit.")
