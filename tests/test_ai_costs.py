"""The price table, cost estimates, unpriced models, the monthly budget and the admin's cost report."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from smartplex.db import session
from smartplex.models import AiCall
from smartplex.services import auth
from smartplex.services.ai import costs
from smartplex.services.ai.costs import CostError, Price


def test_estimates_from_the_default_table(db_url: str) -> None:
    assert costs.estimate("gpt-4o-mini", 1_000_000, 1_000_000) == (0.75, True)
    assert costs.estimate("gpt-4o-mini-2024-07-18", 1000, 0) == (0.00015, True)  # a dated variant
    assert costs.price_for("gpt-4o-2024-08-06").model == "gpt-4o"  # the longest entry it starts with
    assert costs.price_for("gpt-4o-mini").model == "gpt-4o-mini"
    assert costs.estimate("llama3.1:8b", 5000, 500) == (0.0, False)


def test_an_unknown_model_costs_nothing_and_is_flagged(admin: auth.UserView) -> None:
    assert costs.record(user_id=admin.id, feature="chat", model="llama3.1", prompt_tokens=900, completion_tokens=100, latency_ms=800) == 0
    report = costs.report()
    assert [(s.name, s.unpriced_calls, s.cost) for s in report.by_model] == [("llama3.1", 1, 0.0)]


def test_the_admin_edits_prices(admin: auth.UserView, member: auth.UserView) -> None:
    costs.set_prices(admin.id, [Price("llama3.1", 0.05, 0.1), Price("gpt-4o-mini", 0.15, 0.6)])
    assert [p.model for p in costs.prices()] == ["gpt-4o-mini", "llama3.1"]
    assert costs.estimate("llama3.1", 1_000_000, 0) == (0.05, True)
    assert costs.estimate("gpt-4o", 1000, 0) == (0.0, False)  # no longer in the table
    with pytest.raises(auth.AuthError):
        costs.set_prices(member.id, [Price("gpt-4o", 0, 0)])


@pytest.mark.parametrize(
    "table, message",
    [
        ([Price("", 1, 1)], "model name"),
        ([Price("m" * 129, 1, 1)], "model name"),
        ([Price("a", -1, 1)], "between 0"),
        ([Price("a", float("nan"), 1)], "between 0"),
        ([Price("a", 1, float("inf"))], "between 0"),
        ([Price("a", 1, 5000)], "between 0"),
        ([Price("a", 1, 1), Price("a", 2, 2)], "twice"),
        ([Price(f"m{n}", 1, 1) for n in range(51)], "At most"),
    ],
)
def test_bad_prices_are_refused_and_nothing_changes(admin: auth.UserView, table: list[Price], message: str) -> None:
    before = costs.prices()
    with pytest.raises(CostError, match=message):
        costs.set_prices(admin.id, table)
    assert costs.prices() == before


def test_the_budget_and_this_months_spend(admin: auth.UserView, member: auth.UserView) -> None:
    assert costs.budget() is None and not costs.budget_state().exhausted
    costs.set_budget(admin.id, 0.01)
    costs.record(user_id=member.id, feature="chat", model="gpt-4o", prompt_tokens=2000, completion_tokens=400, latency_ms=10)
    state = costs.budget_state()
    assert state.spent == pytest.approx(0.009) and not state.exhausted
    costs.record(user_id=member.id, feature="chat", model="gpt-4o", prompt_tokens=400, completion_tokens=0, latency_ms=10)
    assert costs.budget_state().exhausted  # at 100 %
    with session() as s:  # last month's spend does not count
        s.add(AiCall(user_id=member.id, model="gpt-4o", cost_usd=50, created_at=datetime(2020, 1, 5, tzinfo=timezone.utc)))
    assert costs.spent_this_month() == pytest.approx(0.01)
    costs.set_budget(admin.id, None)
    assert not costs.budget_state().exhausted
    for bad in (-1, float("nan"), float("inf"), 10**7):
        with pytest.raises(CostError):
            costs.set_budget(admin.id, bad)
    with pytest.raises(auth.AuthError):
        costs.set_budget(member.id, 100)


def test_the_report_splits_by_member_model_and_feature(admin: auth.UserView, member: auth.UserView) -> None:
    costs.record(user_id=member.id, feature="chat", model="gpt-4o-mini", prompt_tokens=1000, completion_tokens=100, latency_ms=300)
    costs.record(user_id=member.id, feature="chat", model="gpt-4o-mini", prompt_tokens=1000, completion_tokens=100, latency_ms=500, status="error", error="HTTP 500")
    costs.record(user_id=admin.id, feature="admin_chat", model="gpt-4o", prompt_tokens=100, completion_tokens=10, latency_ms=100)
    costs.record(user_id=None, feature="chat", model="gpt-4o", prompt_tokens=100, completion_tokens=10, latency_ms=100)
    report = costs.report()
    assert report.calls == 4 and report.failed_calls == 1
    assert {s.name: s.calls for s in report.by_member} == {"Max Member": 2, "Ada Admin": 1, "(deleted member)": 1}
    assert {s.name: s.calls for s in report.by_feature} == {"chat": 3, "admin_chat": 1}
    mini = next(s for s in report.by_model if s.name == "gpt-4o-mini")
    assert (mini.prompt_tokens, mini.completion_tokens, mini.avg_latency_ms) == (2000, 200, 400)
    assert report.spent == pytest.approx(sum(s.cost for s in report.by_model))
