"""The chat's view models: conversations and messages as pages show them (display-safe, typed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from smartplex.services.ai.conversations import ConversationSummary, StoredMessage
from smartplex.services.dashboard.cards import Card
from smartplex.state.views import CardView, ViewContext, card_view


@dataclass(frozen=True)
class ConversationView:
    id: int = 0
    title: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class MessageView:
    id: int = 0
    role: str = ""  # user | assistant
    content: str = ""
    builtin: bool = False  # "Answered without the AI model"
    note: str = ""  # why (no model, budget, provider down), or that the answer broke off
    cut_off: bool = False
    stopped: bool = False
    cards: list[CardView] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # titles named that are not on the server
    can_request: bool = False


def conversation_view(summary: ConversationSummary) -> ConversationView:
    return ConversationView(summary.id, summary.title, summary.updated_at)


def card_ids(messages: list[StoredMessage]) -> list[int]:
    return [int(i) for m in messages for i in m.extras.get("cards", []) if isinstance(i, int)]


def message_view(message: StoredMessage, cards: dict[int, Card], ctx: ViewContext) -> MessageView:
    extras = message.extras
    return MessageView(
        id=message.id,
        role=message.role,
        content=message.content,
        builtin=message.answered_by == "builtin",
        note=str(extras.get("note") or ""),
        cut_off=message.status == "cut_off",
        stopped=message.status == "stopped",
        cards=[card_view(cards[i], ctx) for i in extras.get("cards", []) if i in cards],
        missing=[str(t) for t in extras.get("missing", [])],
        can_request=bool(extras.get("can_request")),
    )
