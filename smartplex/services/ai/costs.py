"""What the AI costs: every model call recorded in `ai_call` with its tokens (from the API's own usage report),
latency and estimated cost; the admin's price table and monthly budget; and the figures the admin page shows.

Prices are US dollars per million tokens, prompt and completion apart. A model is priced by the longest entry
its name starts with ("gpt-4o-mini-2024-07-18" by "gpt-4o-mini"); a model without an entry costs 0 and its
calls are flagged (`priced` False), so an unpriced model is visible rather than silently free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from smartplex.db import reading, session
from smartplex.models import AI_CALLS, USERS, AiCall, utcnow
from smartplex.services import preferences

PRICES = "ai_prices"
BUDGET = "ai_monthly_budget_usd"
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
}
MAX_PRICE = 1_000.0  # per million tokens; beyond it is a typo
MAX_MODELS = 50


class CostError(ValueError):
    """A price or budget cannot be stored as given; the message is safe to show."""


@dataclass(frozen=True)
class Price:
    model: str
    prompt_per_million: float
    completion_per_million: float


def prices() -> list[Price]:
    stored = preferences.get(PRICES)
    table = stored if isinstance(stored, dict) else {m: list(p) for m, p in DEFAULT_PRICES.items()}
    found = []
    for model, pair in table.items():
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, (int, float)) for v in pair):
            found.append(Price(str(model), float(pair[0]), float(pair[1])))
    return sorted(found, key=lambda p: p.model)


def set_prices(actor_id: int, table: list[Price]) -> list[Price]:
    """Replace the price table (admins only)."""
    if len(table) > MAX_MODELS:
        raise CostError(f"At most {MAX_MODELS} models.")
    stored: dict[str, list[float]] = {}
    for price in table:
        model = price.model.strip()
        if not model or len(model) > 128:
            raise CostError("Every row needs a model name of at most 128 characters.")
        if model in stored:
            raise CostError(f"{model} is listed twice.")
        for value in (price.prompt_per_million, price.completion_per_million):
            if not math.isfinite(value) or not 0 <= value <= MAX_PRICE:
                raise CostError(f"Prices for {model} must be between 0 and {MAX_PRICE:,.0f} dollars per million tokens.")
        stored[model] = [price.prompt_per_million, price.completion_per_million]
    preferences.put(actor_id, PRICES, stored)
    return prices()


def price_for(model: str, table: list[Price] | None = None) -> Price | None:
    """The table's entry for a model: exact, else the longest entry the model's name starts with."""
    candidates = [p for p in (table if table is not None else prices()) if model == p.model or model.startswith(p.model)]
    return max(candidates, key=lambda p: (p.model == model, len(p.model)), default=None)


def estimate(model: str, prompt_tokens: int, completion_tokens: int, table: list[Price] | None = None) -> tuple[float, bool]:
    """(cost in dollars, priced): 0 and False for a model without a price."""
    price = price_for(model, table)
    if price is None:
        return 0.0, False
    cost = (prompt_tokens * price.prompt_per_million + completion_tokens * price.completion_per_million) / 1_000_000
    return round(cost, 8), True


def record(
    *,
    user_id: int | None,
    feature: str,
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    latency_ms: int,
    status: str = "ok",
    error: str | None = None,
) -> float:
    """Write one `ai_call` row; its estimated cost."""
    cost, priced = estimate(model, prompt_tokens, completion_tokens)
    with session() as s:
        s.add(
            AiCall(
                user_id=user_id, feature=feature, model=model[:128], prompt_tokens=max(prompt_tokens, 0),
                completion_tokens=max(completion_tokens, 0), latency_ms=max(latency_ms, 0), cost_usd=cost, priced=priced,
                status=status, error=(error or None) and error[:1000],
            )  # fmt: skip
        )
    return cost


def budget() -> float | None:
    """The monthly budget in dollars; None for no limit."""
    value = preferences.get(BUDGET)
    return float(value) if isinstance(value, (int, float)) and value > 0 else None


def set_budget(actor_id: int, dollars: float | None) -> float | None:
    if dollars is not None and (not math.isfinite(dollars) or dollars < 0 or dollars > 1_000_000):
        raise CostError("Enter a budget between 0 and 1,000,000 dollars, or leave it empty for no limit.")
    preferences.put(actor_id, BUDGET, dollars if dollars else None)
    return budget()


def month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def spent_this_month(now: datetime | None = None) -> float:
    with reading() as c:
        total = c.execute(
            sa.select(sa.func.coalesce(sa.func.sum(AI_CALLS.c.cost_usd), 0.0)).where(AI_CALLS.c.created_at >= month_start(now or utcnow()))
        ).scalar_one()
    return float(total)


@dataclass(frozen=True)
class BudgetState:
    spent: float
    budget: float | None
    exhausted: bool


def budget_state(now: datetime | None = None) -> BudgetState:
    limit = budget()
    spent = spent_this_month(now)
    return BudgetState(spent, limit, limit is not None and round(spent, 6) >= limit)  # to the micro-dollar: sums of floats


@dataclass(frozen=True)
class Share:
    """Calls, tokens and cost of one member, model or feature this month."""

    name: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost: float
    unpriced_calls: int
    avg_latency_ms: int


@dataclass(frozen=True)
class CostReport:
    month: str  # "2026-12"
    spent: float
    budget: float | None
    calls: int
    failed_calls: int
    by_member: list[Share]
    by_model: list[Share]
    by_feature: list[Share]


def report(now: datetime | None = None) -> CostReport:
    """This month's figures (UTC months)."""
    start = month_start(now or utcnow())
    c_ = AI_CALLS.c
    figures = (
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(c_.prompt_tokens), 0),
        sa.func.coalesce(sa.func.sum(c_.completion_tokens), 0),
        sa.func.coalesce(sa.func.sum(c_.cost_usd), 0.0),
        sa.func.coalesce(sa.func.sum(sa.case((c_.priced.is_(False), 1), else_=0)), 0),
        sa.func.coalesce(sa.func.avg(c_.latency_ms), 0),
    )
    member = sa.func.coalesce(USERS.c.name, "(deleted member)")
    with reading() as c:
        def shares(label: sa.ColumnElement[str], source: sa.FromClause = AI_CALLS) -> list[Share]:
            rows = c.execute(
                sa.select(label.label("name"), *figures).select_from(source).where(c_.created_at >= start)
                .group_by(label).order_by(sa.desc(figures[3]), label)
            ).all()  # fmt: skip
            return [Share(r[0], r[1], int(r[2]), int(r[3]), round(float(r[4]), 6), int(r[5]), round(float(r[6]))) for r in rows]

        totals = c.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(c_.cost_usd), 0.0), sa.func.coalesce(sa.func.sum(sa.case((c_.status != "ok", 1), else_=0)), 0))
            .where(c_.created_at >= start)
        ).one()  # fmt: skip
        by_member = shares(member, AI_CALLS.outerjoin(USERS, USERS.c.id == c_.user_id))
        by_model, by_feature = shares(c_.model), shares(c_.feature)
    return CostReport(
        month=start.strftime("%Y-%m"),
        spent=round(float(totals[1]), 6),
        budget=budget(),
        calls=int(totals[0]),
        failed_calls=int(totals[2]),
        by_member=by_member,
        by_model=by_model,
        by_feature=by_feature,
    )
