"""Plex webhooks: `payload` parses a delivery, `receiving` checks and records it (the durable queue), `processing`
turns queued rows into watch events and item syncs, `worker` runs the processing for the life of the app."""

from smartplex.services.plex.webhooks.payload import Payload, WebhookRejected, parse_body
from smartplex.services.plex.webhooks.processing import process_pending
from smartplex.services.plex.webhooks.receiving import (
    Delivery,
    Receipt,
    forget_cached,
    receive,
    receive_async,
    receive_many,
    record_rejection,
)
from smartplex.services.plex.webhooks.worker import notify, worker_enabled, worker_lifespan

__all__ = [
    "Delivery",
    "Payload",
    "Receipt",
    "WebhookRejected",
    "forget_cached",
    "notify",
    "parse_body",
    "process_pending",
    "receive",
    "receive_async",
    "receive_many",
    "record_rejection",
    "worker_enabled",
    "worker_lifespan",
]
