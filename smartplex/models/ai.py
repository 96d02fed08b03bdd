"""The AI chat and what it costs and learns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from smartplex.models.base import fk, flag, num, utcnow


class ChatConversation(SQLModel, table=True):
    """One member's chat thread; only its owner ever reads it."""

    __tablename__ = "chat_conversation"
    __table_args__ = (sa.Index("ix_chat_conversation_user_updated", "user_id", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("user.id", index=False)
    title: str = Field(default="New chat", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_message"
    __table_args__ = (
        sa.Index("ix_chat_message_user_created", "user_id", "created_at"),
        sa.Index("ix_chat_message_conversation", "conversation_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("user.id", index=False)
    conversation_id: int | None = fk("chat_conversation.id", nullable=True, index=False)
    role: str = Field(max_length=16)
    content: str = Field(sa_type=sa.Text)
    scope: str = Field(default="user", max_length=8)
    # complete | cut_off (the provider failed mid-answer) | stopped (the member pressed Stop)
    status: str = Field(default="complete", max_length=16, sa_column_kwargs={"server_default": "complete"})
    answered_by: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})  # model | builtin
    # What the answer showed besides its text: poster cards, titles not on the server, a note to the member.
    extras: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)


class AiCall(SQLModel, table=True):
    __tablename__ = "ai_call"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = fk("user.id", ondelete="SET NULL", nullable=True)
    feature: str = Field(default="chat", max_length=32)
    model: str = Field(max_length=128)
    prompt_tokens: int = num(0)
    completion_tokens: int = num(0)
    latency_ms: int = num(0)
    cost_usd: float = num(0.0)
    priced: bool = flag(True)  # False: the model is not in the price table, so the cost above is 0
    status: str = Field(default="ok", max_length=16)
    error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class AiFeedback(SQLModel, table=True):
    __tablename__ = "ai_feedback"

    id: int | None = Field(default=None, primary_key=True)
    ai_call_id: int | None = fk("ai_call.id", ondelete="SET NULL", nullable=True)
    chat_message_id: int | None = fk("chat_message.id", ondelete="SET NULL", nullable=True)
    user_id: int | None = fk("user.id", ondelete="SET NULL", nullable=True)
    confidence: float = num(0.0)
    data_sources: list[str] = Field(default_factory=list, sa_type=JSON)
    missing_data: list[str] = Field(default_factory=list, sa_type=JSON)
    rating: int = num(0)
    comment: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class AiLearningItem(SQLModel, table=True):
    __tablename__ = "ai_learning_item"

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(max_length=2000)
    why_failed: str = Field(default="", max_length=2000)
    missing_data: list[str] = Field(default_factory=list, sa_type=JSON)
    times_asked: int = num(1)
    priority: int = num(0)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
