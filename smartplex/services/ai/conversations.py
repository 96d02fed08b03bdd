"""A member's chat conversations and their messages. Every function takes the member's id and touches only that
member's rows: another member's conversation reads as not found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, delete, select

from smartplex.db import session
from smartplex.models import ChatConversation, ChatMessage, iso, utcnow

TITLE_CHARS = 60
MAX_CONVERSATIONS = 200  # listed; older ones stay until deleted
CONTEXT_MESSAGES = 6  # earlier messages the model sees with a new question


class ConversationError(LookupError):
    """No such conversation for this member (or an unusable title); the message is safe to show."""


@dataclass(frozen=True)
class ConversationSummary:
    id: int
    title: str
    updated_at: str


@dataclass(frozen=True)
class StoredMessage:
    id: int
    role: str  # user | assistant
    content: str
    status: str  # complete | cut_off | stopped
    answered_by: str  # model | builtin | "" for the member's own
    extras: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""


def _owned(s: Session, user_id: int, conversation_id: int) -> ChatConversation:
    found = s.get(ChatConversation, conversation_id)
    if found is None or found.user_id != user_id:
        raise ConversationError("That conversation no longer exists.")
    return found


def title_from(question: str) -> str:
    """A conversation's first title: its first question, shortened at a word."""
    text = " ".join(question.split())
    if len(text) <= TITLE_CHARS:
        return text or "New chat"
    return text[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def listing(user_id: int) -> list[ConversationSummary]:
    with session() as s:
        rows = s.exec(
            select(ChatConversation)
            .where(ChatConversation.user_id == user_id)
            .order_by(col(ChatConversation.updated_at).desc(), col(ChatConversation.id).desc())
            .limit(MAX_CONVERSATIONS)
        )
        return [ConversationSummary(r.id or 0, r.title, iso(r.updated_at) or "") for r in rows]


def create(user_id: int, title: str) -> ConversationSummary:
    with session() as s:
        row = ChatConversation(user_id=user_id, title=title_from(title))
        s.add(row)
        s.flush()
        return ConversationSummary(row.id or 0, row.title, iso(row.updated_at) or "")


def rename(user_id: int, conversation_id: int, title: str) -> ConversationSummary:
    text = " ".join(title.split())
    if not text or len(text) > 120:
        raise ConversationError("Give the conversation a name of 1 to 120 characters.")
    with session() as s:
        row = _owned(s, user_id, conversation_id)
        row.title = text
        s.add(row)
        return ConversationSummary(row.id or 0, row.title, iso(row.updated_at) or "")


def remove(user_id: int, conversation_id: int) -> None:
    with session() as s:
        row = _owned(s, user_id, conversation_id)
        s.exec(delete(ChatMessage).where(col(ChatMessage.conversation_id) == conversation_id))  # type: ignore[call-overload]
        s.delete(row)


def messages(user_id: int, conversation_id: int) -> list[StoredMessage]:
    with session() as s:
        _owned(s, user_id, conversation_id)
        rows = s.exec(
            select(ChatMessage).where(ChatMessage.conversation_id == conversation_id).order_by(col(ChatMessage.id))
        )
        return [_stored(r) for r in rows]


def _stored(row: ChatMessage) -> StoredMessage:
    return StoredMessage(
        id=row.id or 0, role=row.role, content=row.content, status=row.status, answered_by=row.answered_by,
        extras=dict(row.extras or {}), created_at=iso(row.created_at) or "",
    )  # fmt: skip


def add(
    user_id: int,
    conversation_id: int,
    role: str,
    content: str,
    *,
    status: str = "complete",
    answered_by: str = "",
    extras: dict[str, Any] | None = None,
) -> StoredMessage:
    """Append a message to the member's conversation (which moves to the top of their list)."""
    with session() as s:
        conversation = _owned(s, user_id, conversation_id)
        row = ChatMessage(
            user_id=user_id, conversation_id=conversation_id, role=role, content=content, status=status,
            answered_by=answered_by, extras=extras or None,
        )  # fmt: skip
        conversation.updated_at = utcnow()
        s.add(row)
        s.add(conversation)
        s.flush()
        return _stored(row)


def take_back(user_id: int, message_id: int) -> tuple[int, StoredMessage]:
    """For Retry: delete an answer of the member's and return its conversation and the question it answered."""
    with session() as s:
        row = s.get(ChatMessage, message_id)
        if row is None or row.user_id != user_id or row.role != "assistant" or row.conversation_id is None:
            raise ConversationError("That answer no longer exists.")
        question = s.exec(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == row.conversation_id, ChatMessage.role == "user", col(ChatMessage.id) < message_id)
            .order_by(col(ChatMessage.id).desc())
            .limit(1)
        ).first()
        if question is None:
            raise ConversationError("There is no question to answer again.")
        conversation_id = row.conversation_id
        s.delete(row)
        return conversation_id, _stored(question)


def context(user_id: int, conversation_id: int, before_id: int) -> list[dict[str, str]]:
    """The conversation's last messages before `before_id`, as chat messages for the model (text only: tool
    results are not kept, the model calls the tools again)."""
    with session() as s:
        _owned(s, user_id, conversation_id)
        rows = s.exec(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == conversation_id, col(ChatMessage.id) < before_id)
            .order_by(col(ChatMessage.id).desc())
            .limit(CONTEXT_MESSAGES)
        ).all()
    return [{"role": r.role, "content": r.content} for r in reversed(rows) if r.content and r.role in ("user", "assistant")]

