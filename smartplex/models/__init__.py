"""The schema: one table per concept (see DESIGN.md), one module per area. Changes go through an alembic revision.

Numbers that scores and statistics read are NOT NULL with a server default, so rows written by
any path (sync, webhook, migration) never hold NULL where arithmetic expects a number.

The upper-case names at the end are typed SQLAlchemy Core handles on the same tables, for the bulk
and analytical queries that bypass the ORM.
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlmodel import SQLModel

from smartplex.models.accounts import ApiToken, AuthSession, Invite, Role, User
from smartplex.models.ai import AiCall, AiFeedback, AiLearningItem, ChatConversation, ChatMessage
from smartplex.models.base import iso, utcnow
from smartplex.models.cleanup import DeletionLog
from smartplex.models.integrations import Integration, IntegrationKind, IntegrationProbe
from smartplex.models.jobs import RecurringJob
from smartplex.models.library import MediaItem, Server, WatchEvent, WatchEventKind
from smartplex.models.notifications import (
    AlertState,
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationPreference,
)
from smartplex.models.pipeline import SyncRun, SyncSchedule, WebhookEvent, WebhookStatus
from smartplex.models.preferences import AppSetting
from smartplex.models.requests import ContentRequest, RequestQuota, RequestStatus


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table behind a table model (SQLModel declares `__table__` untyped)."""
    return cast(sa.Table, model.__table__)  # type: ignore[attr-defined]


USERS = table_of(User)
SERVERS = table_of(Server)
MEDIA = table_of(MediaItem)
WATCH = table_of(WatchEvent)
SYNC_RUNS = table_of(SyncRun)
SYNC_SCHEDULES = table_of(SyncSchedule)
WEBHOOK_EVENTS = table_of(WebhookEvent)
REQUESTS = table_of(ContentRequest)
NOTIFICATIONS = table_of(Notification)
INTEGRATIONS = table_of(Integration)
PROBES = table_of(IntegrationProbe)
CHANNELS = table_of(NotificationChannel)
DELIVERIES = table_of(NotificationDelivery)
PREFERENCES = table_of(NotificationPreference)
ALERTS = table_of(AlertState)
RECURRING_JOBS = table_of(RecurringJob)
API_TOKENS = table_of(ApiToken)

AI_CALLS = table_of(AiCall)

__all__ = [
    "AI_CALLS",
    "ALERTS",
    "API_TOKENS",
    "CHANNELS",
    "DELIVERIES",
    "INTEGRATIONS",
    "MEDIA",
    "NOTIFICATIONS",
    "PREFERENCES",
    "PROBES",
    "RECURRING_JOBS",
    "REQUESTS",
    "SERVERS",
    "SYNC_RUNS",
    "SYNC_SCHEDULES",
    "USERS",
    "WATCH",
    "WEBHOOK_EVENTS",
    "AiCall",
    "AiFeedback",
    "AiLearningItem",
    "AlertState",
    "ApiToken",
    "AppSetting",
    "AuthSession",
    "ChatConversation",
    "ChatMessage",
    "ContentRequest",
    "DeletionLog",
    "Integration",
    "IntegrationKind",
    "IntegrationProbe",
    "Invite",
    "MediaItem",
    "Notification",
    "NotificationChannel",
    "NotificationDelivery",
    "NotificationPreference",
    "RecurringJob",
    "RequestQuota",
    "RequestStatus",
    "Role",
    "Server",
    "SyncRun",
    "SyncSchedule",
    "User",
    "WatchEvent",
    "WatchEventKind",
    "WebhookEvent",
    "WebhookStatus",
    "table_of",
    "iso",
    "utcnow",
]
