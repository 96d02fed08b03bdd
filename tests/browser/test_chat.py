"""The member chat in real Chromium: streamed answers with poster cards, Stop and Retry, the built-in answerer
when the provider is down or the budget is spent, the rate-limit message, the panel, per-member conversations,
and no API key in any websocket frame."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from smartplex.models import utcnow
from smartplex.services import auth, ratelimit
from smartplex.services.ai import chat, costs, provider
from smartplex.simulators.openai import OpenAISimulator
from tests import factories
from tests.ai_fixtures import SIM_KEY
from tests.browser.conftest import DESKTOP, PHONE, shoot
from tests.conftest import PASSWORD

TIMEOUT = 30_000


@dataclass(frozen=True)
class World:
    sim: OpenAISimulator
    admin: auth.UserView
    member: auth.UserView
    other: auth.UserView


def _library(admin_id: int, member_id: int, other_id: int) -> None:
    server_id = factories.server(admin_id)
    now = utcnow()
    titles = {}
    for n, (title, genres, year) in enumerate([
        ("Amélie", ["Comedy", "Romance"], 2001), ("Alien", ["Horror", "Science Fiction"], 1979),
        ("Aliens", ["Action", "Science Fiction"], 1986), ("Heat", ["Crime", "Thriller"], 1995),
        ("Paddington 2", ["Comedy", "Family"], 2017), ("The Secret Garden", ["Family", "Drama"], 1993),
        ("Blade of the Immortal", ["Action"], 2017), ("Arrival", ["Science Fiction", "Drama"], 2016),
    ]):  # fmt: skip
        titles[title] = factories.item(
            server_id, title, genres=genres, year=year, summary=f"{title}: a film.", duration_ms=6_000_000,
            added_at=now - timedelta(days=n), audience_rating=7.5,
        )  # fmt: skip
    factories.play(server_id, member_id, titles["Alien"], now - timedelta(days=2))
    factories.play(server_id, other_id, titles["The Secret Garden"], now - timedelta(days=1))
    for name in ("Nia", "Noor", "Ned"):
        factories.play(server_id, factories.person(name), titles["Heat"], now - timedelta(days=1))


@pytest.fixture
def world(app_url: str) -> Iterator[World]:
    admin = auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
    member = auth.create_user("Max Member", "max@example.com", PASSWORD)
    other = auth.create_user("Olive Other", "olive@example.com", PASSWORD)
    _library(admin.id, member.id, other.id)
    ratelimit.reset()
    sim = OpenAISimulator(api_key=SIM_KEY, chunk_delay=0.03)
    server = sim.serve().start()
    provider.save(admin.id, base_url=f"{server.url}/v1", model="gpt-4o-mini", api_key=SIM_KEY, timeout_s=5)
    try:
        yield World(sim, admin, member, other)
    finally:
        sim.heal()
        server.stop()


def _sign_in(page: Page, app_url: str, email: str) -> None:
    page.goto(f"{app_url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    expect(page.locator("#welcome, #page-title")).not_to_have_count(0, timeout=TIMEOUT)
    page.wait_for_url(re.compile(r"/($|onboarding|\?)"), timeout=TIMEOUT)


def _frames(page: Page) -> tuple[list[str], list[str]]:
    """Every websocket frame the page (sent, received), as text."""
    sent: list[str] = []
    received: list[str] = []

    def watch(ws) -> None:  # noqa: ANN001 - playwright WebSocket
        ws.on("framereceived", lambda payload: received.append(str(payload)))
        ws.on("framesent", lambda payload: sent.append(str(payload)))

    page.on("websocket", watch)
    return sent, received


def _ask(page: Page, question: str, suffix: str = "") -> None:
    page.fill(f"#chat-input{suffix}", question)
    page.click(f"#chat-send{suffix}")


def test_a_streamed_answer_with_poster_cards(page: Page, app_url: str, world: World) -> None:
    sent, received = _frames(page)
    _sign_in(page, app_url, world.member.email)
    page.goto(f"{app_url}/chat")
    expect(page.locator("#chat-suggestions")).to_be_visible(timeout=TIMEOUT)
    shoot(page, "chat-new-desktop")
    page.get_by_role("button", name="What should I watch tonight?").click()
    streaming = page.locator("#chat-streaming")
    expect(streaming).to_be_visible(timeout=TIMEOUT)  # text arrives while the model is still writing
    partial = streaming.inner_text()
    answer = page.locator(".chat-answer").last
    expect(answer).to_contain_text("Because you watched Alien", timeout=TIMEOUT)
    assert len(partial) < len(answer.inner_text())
    expect(answer.locator("strong").first).to_be_visible()  # markdown, not asterisks
    expect(answer).not_to_contain_text("**")
    cards = answer.locator(".poster-card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 3
    expect(answer).to_contain_text("Trending on your server")
    expect(page.locator("#chat-conversations")).to_contain_text("What should I watch tonight?")
    shoot(page, "chat-answer-desktop", full_page=False)
    cards.first.click()
    expect(page.locator("#detail-drawer")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(500)
    shoot(page, "chat-detail-drawer", full_page=False)
    page.keyboard.press("Escape")

    _ask(page, "Do we have Blade Runner?")
    expect(page.locator(".chat-missing").last).to_contain_text("Blade Runner · not on your server", timeout=TIMEOUT)
    page.set_viewport_size(PHONE)
    page.locator(".chat-answer").first.scroll_into_view_if_needed()
    shoot(page, "chat-answer-phone", full_page=False)
    page.locator("#color-mode").click()
    page.wait_for_timeout(300)
    shoot(page, "chat-answer-phone-dark", full_page=False)
    assert received and not [f for f in sent + received if SIM_KEY[-12:] in f]


def test_stop_and_retry(page: Page, app_url: str, world: World) -> None:
    world.sim.chunk_delay = 0.25
    _sign_in(page, app_url, world.member.email)
    page.goto(f"{app_url}/chat")
    _ask(page, "What should I watch?")
    expect(page.locator("#chat-streaming")).to_be_visible(timeout=TIMEOUT)
    page.click("#chat-stop")
    expect(page.locator(".chat-cut-off")).to_contain_text("You stopped this answer.", timeout=TIMEOUT)
    expect(page.locator("#chat-send")).to_be_visible()
    stopped = page.locator(".chat-answer").last.inner_text()
    world.sim.chunk_delay = 0.0
    page.locator(".chat-retry").click()
    expect(page.locator(".chat-answer").last).to_contain_text("Trending on your server", timeout=TIMEOUT)
    expect(page.locator(".chat-cut-off")).to_have_count(0)
    assert len(page.locator(".chat-answer").last.inner_text()) > len(stopped)


def test_the_builtin_answerer_when_the_provider_is_down_and_a_cut_off_answer(page: Page, app_url: str, world: World) -> None:
    _sign_in(page, app_url, world.member.email)
    page.goto(f"{app_url}/chat")
    world.sim.fail("500", times=None)
    _ask(page, "What's trending?")
    answer = page.locator(".chat-answer").last
    expect(answer.locator(".chat-builtin")).to_contain_text("Answered without the AI model", timeout=TIMEOUT)
    expect(answer).to_contain_text("isn't answering right now")
    expect(answer).to_contain_text("Heat")
    shoot(page, "chat-builtin-provider-down")

    world.sim.heal()
    world.sim.chunk_delay = 0.05
    world.sim.fail("cut", times=1)
    _ask(page, "What should I watch?")
    expect(page.locator(".chat-cut-off").last).to_contain_text("The answer was cut off.", timeout=TIMEOUT)
    shoot(page, "chat-cut-off")
    page.locator(".chat-retry").last.click()
    expect(page.locator(".chat-answer").last).to_contain_text("Trending on your server", timeout=TIMEOUT)
    expect(page.locator(".chat-cut-off")).to_have_count(0)


def test_budget_stop_and_rate_limit_message(page: Page, app_url: str, world: World) -> None:
    costs.set_budget(world.admin.id, 0.001)
    costs.record(user_id=world.other.id, feature="chat", model="gpt-4o", prompt_tokens=1000, completion_tokens=0, latency_ms=5)
    _sign_in(page, app_url, world.member.email)
    page.goto(f"{app_url}/chat")
    _ask(page, "What's new?")
    answer = page.locator(".chat-answer").last
    expect(answer.locator(".chat-builtin")).to_contain_text("budget is used up", timeout=TIMEOUT)
    assert world.sim.requests == []
    shoot(page, "chat-budget-spent")

    for _ in range(19):
        ratelimit.hit(chat.CHAT_LIMIT, f"chat:{world.member.id}")
    _ask(page, "What's new?")
    expect(page.locator("#chat-error")).to_contain_text(re.compile(r"Try again in \d+ seconds?"), timeout=TIMEOUT)
    shoot(page, "chat-rate-limited")


def test_a_second_member_cannot_see_the_first_ones_chats(page: Page, app_url: str, world: World) -> None:
    _sign_in(page, app_url, world.member.email)
    page.goto(f"{app_url}/chat")
    _ask(page, "Do we have Amélie?")
    expect(page.locator(".chat-answer").last).to_contain_text("Amélie", timeout=TIMEOUT)
    expect(page.locator(".chat-conversation")).to_have_count(1)
    page.context.clear_cookies()

    _sign_in(page, app_url, world.other.email)
    page.goto(f"{app_url}/chat")
    expect(page.locator("#chat-suggestions")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".chat-conversation")).to_have_count(0)
    expect(page.locator("#chat-conversations")).to_contain_text("Your conversations appear here.")
    expect(page.locator("#chat-messages")).not_to_contain_text("Amélie")


def test_the_panel_from_any_page(page: Page, app_url: str, world: World) -> None:
    _sign_in(page, app_url, world.member.email)
    page.goto(f"{app_url}/history")
    page.click("#chat-panel-trigger")
    panel = page.locator("#chat-panel")
    expect(panel).to_be_visible(timeout=TIMEOUT)
    panel.get_by_role("button", name="What's trending?").click()
    expect(panel.locator(".chat-answer").last).to_contain_text("Heat", timeout=TIMEOUT)
    page.wait_for_timeout(400)
    shoot(page, "chat-panel-desktop", full_page=False)
    page.set_viewport_size(PHONE)
    shoot(page, "chat-panel-phone", full_page=False)
    page.click("#chat-panel-full")
    expect(page.locator("#chat-title")).to_have_text("What's trending?", timeout=TIMEOUT)
    expect(page.locator("#chat-panel-trigger")).to_have_count(0)  # not on the Chat page itself


def test_the_admin_ai_page_never_sends_the_key(page: Page, app_url: str, world: World) -> None:
    sent, received = _frames(page)
    costs.record(user_id=world.member.id, feature="chat", model="gpt-4o-mini", prompt_tokens=1200, completion_tokens=300, latency_ms=850)
    costs.record(user_id=world.other.id, feature="chat", model="llama3.1", prompt_tokens=900, completion_tokens=200, latency_ms=2100)
    costs.set_budget(world.admin.id, 5)
    _sign_in(page, app_url, world.admin.email)
    page.goto(f"{app_url}/admin/ai")
    expect(page.locator("#ai-provider-model")).to_have_text("gpt-4o-mini", timeout=TIMEOUT)
    expect(page.locator("#ai-unpriced")).to_contain_text("llama3.1")
    expect(page.locator("#ai-by-member")).to_contain_text("Max Member")
    shoot(page, "admin-ai-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "admin-ai-phone")
    page.set_viewport_size(DESKTOP)
    # The provider is set up on Integrations, with the other services; its key only ever comes back masked.
    page.click("#ai-provider-link")
    expect(page.locator("#ai-model")).to_have_value("gpt-4o-mini", timeout=TIMEOUT)
    assert page.locator("#ai-key").input_value() == ""
    page.fill("#ai-key", "sk-new-key-000000000000wxyz")
    page.click("#ai-save")
    expect(page.locator("#ai-key")).to_have_attribute("placeholder", re.compile("••••wxyz"), timeout=TIMEOUT)
    assert provider.current().api_key == "sk-new-key-000000000000wxyz"
    assert received and not [f for f in received if SIM_KEY[-12:] in f or "000000000000wxyz" in f]
    assert len([f for f in sent if "sk-new-key" in f]) == 1  # only the admin's own form submission carries it
