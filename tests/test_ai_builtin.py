"""The built-in answerer's intents and the periods people ask about."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from smartplex.services import auth
from smartplex.services.ai import builtin, periods
from smartplex.services.ai.tools import Findings, Scope
from tests import factories
from tests.ai_fixtures import ChatLibrary

TODAY = date(2026, 3, 18)  # a Wednesday


@pytest.mark.parametrize(
    "question, start, end, label",
    [
        ("what did i watch yesterday", date(2026, 3, 17), date(2026, 3, 17), "yesterday"),
        ("what did i watch last week", date(2026, 3, 9), date(2026, 3, 15), "last week"),
        ("hours this week", date(2026, 3, 16), TODAY, "this week"),
        ("in march", date(2026, 3, 1), date(2026, 3, 31), "March 2026"),
        ("in april", date(2025, 4, 1), date(2025, 4, 30), "April 2025"),  # the last April
        ("in dec 2024", date(2024, 12, 1), date(2024, 12, 31), "December 2024"),
        ("last month", date(2026, 2, 1), date(2026, 2, 28), "February 2026"),
        ("this year", date(2026, 1, 1), TODAY, "this year"),
        ("last year", date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("the last 10 days", date(2026, 3, 9), TODAY, "the last 10 days"),
    ],
)
def test_periods(question: str, start: date, end: date, label: str) -> None:
    assert periods.parse(question, TODAY) == periods.Period(start, end, label)


def test_no_period_and_model_dates() -> None:
    assert periods.parse("what should i watch", TODAY) is None
    assert periods.from_dates("2026-03-31", "2026-03-01", TODAY).start == date(2026, 3, 1)  # swapped
    assert periods.from_dates(None, None, TODAY).start == TODAY - timedelta(days=29)
    with pytest.raises(ValueError):
        periods.from_dates("yesterday", None, TODAY)


@pytest.mark.parametrize(
    "question, title",
    [
        ("Do we have Alien?", "Alien"),
        ("do you have the movie 'Heat'", "Heat"),
        ("Is Amélie on the server?", "Amélie"),
        ("Can I watch Paddington 2?", "Paddington 2"),
        ("What should I watch?", None),
    ],
)
def test_wanted_title(question: str, title: str | None) -> None:
    assert builtin.wanted_title(question) == title


def _answer(library: ChatLibrary, user_id: int, question: str) -> tuple[builtin.BuiltinAnswer, Findings]:
    findings = Findings()
    return builtin.answer(Scope(user_id, library.server_id, library.now), question, findings), findings


def test_the_common_intents(chat_library: ChatLibrary, member: auth.UserView) -> None:
    cases = {
        "What should I watch tonight?": ("recommend", ["**For you**", "Because you watched Alien", "**Heat** (1995) — Trending on your server"]),
        "what's new?": ("new", ["**Recently added**", "**Amélie**"]),
        "What's trending?": ("trending", ["**Heat**", "3 people"]),
        "What did I watch this year?": ("history", ["**Alien**"]),
        "How many hours did I watch in the last 90 days?": ("hours", ["3.3 hours", "2 plays"]),
        "do we have amelie": ("have", ["Yes, it's on your server", "**Amélie**"]),
        "Do we have Blade Runner?": ("have", ["**Blade Runner** is not on your server"]),
        "Tell me a joke": ("help", ["What should I watch?"]),
    }
    for question, (intent, needles) in cases.items():
        answer, _findings = _answer(chat_library, member.id, question)
        assert answer.intent == intent, question
        for needle in needles:
            assert needle in answer.text, (question, needle, answer.text)


def test_history_is_the_members_own_and_says_when_empty(chat_library: ChatLibrary, member: auth.UserView) -> None:
    answer, _ = _answer(chat_library, member.id, "What did I watch yesterday?")
    assert "didn't watch anything" in answer.text and "yesterday" in answer.text
    answer, _ = _answer(chat_library, member.id, "what did I watch in the last 60 days")
    assert chat_library.other_only not in answer.text and "**Alien**" in answer.text


def test_unknown_and_untidy_items_do_not_break_it(chat_library: ChatLibrary, member: auth.UserView) -> None:
    factories.item(chat_library.server_id, "", year=0, genres=None)  # a row with nothing in it
    factories.play(chat_library.server_id, member.id, None, chat_library.now - timedelta(hours=1))  # item not synced
    for question in ("what did i watch today", "how many hours did i watch today", "what's new", "what should i watch"):
        answer, _ = _answer(chat_library, member.id, question)
        assert answer.text


def test_an_empty_server(admin: auth.UserView, member: auth.UserView) -> None:
    server_id = factories.server(admin.id)
    scope = Scope(member.id, server_id, datetime.combine(TODAY, time(12), UTC))
    assert "Nothing has been added" in builtin.answer(scope, "what's new", Findings()).text
    assert "Nothing is trending" in builtin.answer(scope, "what's trending", Findings()).text
    assert "nothing to suggest" in builtin.answer(scope, "what should i watch", Findings()).text
