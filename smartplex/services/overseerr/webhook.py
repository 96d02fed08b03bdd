"""Seerr's webhook (`POST /api/webhooks/overseerr/{secret}`): checked, applied and audited in one go.

Seerr posts its JSON template (the default one has every value as a string, and `media`/`request` null on a
test). The URL's secret names the integration; the Authorization header, when the admin configured one, must
match in constant time. Every delivery becomes one `webhook_event` row with source "overseerr": accepted (with
what it changed, or why it changed nothing), duplicate (the same payload accepted within a day), or rejected
with its reason. The rows are written processed, so the Plex queue worker never sees them. Deliveries are few
and applying one is a single transaction, so the work happens before the answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
import sqlalchemy as sa

from smartplex.db import get_engine, write_transaction
from smartplex.log import get_logger
from smartplex.models import WEBHOOK_EVENTS, IntegrationKind, WebhookStatus, iso, utcnow
from smartplex.services.integrations import webhooks as integration_webhooks
from smartplex.services.overseerr import people, wire
from smartplex.services.requests import tracking

log = get_logger(__name__)

SOURCE = "overseerr"
KIND = IntegrationKind.OVERSEERR
DUPLICATE_WINDOW = timedelta(hours=24)
STATUS_BY_TYPE = {
    "MEDIA_PENDING": wire.REQUEST_PENDING,
    "MEDIA_APPROVED": wire.REQUEST_APPROVED,
    "MEDIA_AUTO_APPROVED": wire.REQUEST_APPROVED,
    "MEDIA_DECLINED": wire.REQUEST_DECLINED,
    "MEDIA_FAILED": wire.REQUEST_FAILED,
    "MEDIA_AVAILABLE": wire.REQUEST_COMPLETED,
}


@dataclass(frozen=True)
class Receipt:
    status: str
    reason: str | None
    http_status: int


class _Rejected(Exception):
    def __init__(self, reason: str, http_status: int = 400, event: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.http_status, self.event = reason, http_status, event


def receive(secret: str, authorization: str | None, body: bytes, remote_ip: str) -> Receipt:
    """Check, apply and record one delivery."""
    event: str | None = None
    try:
        if integration_webhooks.kind_for_secret(secret) != KIND:
            raise _Rejected("unknown webhook URL", 404)
        if not integration_webhooks.authorization_matches(KIND, authorization):
            raise _Rejected("wrong or missing Authorization header", 401)
        data = _parse(body)
        event = data["notification_type"]
        digest = hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
        if _seen(digest):
            return _record(WebhookStatus.DUPLICATE, "same payload already accepted", 200, event, digest, remote_ip)
        outcome = _apply(data)
    except _Rejected as rejection:
        return _record(WebhookStatus.REJECTED, rejection.reason, rejection.http_status, rejection.event or event, None, remote_ip)
    except Exception as exc:
        log.exception("overseerr_webhook_failed")
        return _record(WebhookStatus.FAILED, f"internal error ({type(exc).__name__})", 503, event, None, remote_ip)
    return _record(WebhookStatus.ACCEPTED, outcome, 200, event, digest, remote_ip)


def _parse(body: bytes) -> dict[str, Any]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise _Rejected("payload is not valid JSON") from None
    if not isinstance(data, dict):
        raise _Rejected("payload is not a JSON object")
    event = data.get("notification_type")
    if not isinstance(event, str) or not event.strip():
        raise _Rejected("missing notification_type")
    data["notification_type"] = event.strip()[:64]
    return data


def request_from_payload(data: dict[str, Any]) -> wire.Request | None:
    """The request a MEDIA_* delivery is about, as far as the template tells; None when it names none."""
    status = STATUS_BY_TYPE.get(data.get("notification_type", ""))
    media = data.get("media") if isinstance(data.get("media"), dict) else {}
    request = data.get("request") if isinstance(data.get("request"), dict) else {}
    request_id, tmdb_id = wire.integer(request.get("request_id")), wire.integer(media.get("tmdbId"))
    if status is None or request_id is None or tmdb_id is None:
        return None
    media_type = media.get("media_type") if media.get("media_type") in ("movie", "tv") else "movie"
    seasons: tuple[int, ...] = ()
    for extra in data.get("extra") if isinstance(data.get("extra"), list) else []:
        if isinstance(extra, dict) and extra.get("name") == "Requested Seasons":
            seasons = tuple(n for part in wire.text(extra.get("value")).split(",") if (n := wire.integer(part)) is not None)
    media_status = wire.MEDIA_STATUS_BY_NAME.get(wire.text(media.get("status")).upper(), wire.MEDIA_UNKNOWN)
    season_status = {n: wire.MEDIA_AVAILABLE for n in seasons} if status == wire.REQUEST_COMPLETED else {}
    return wire.Request(
        id=request_id, status=status, media_type=media_type, tmdb_id=tmdb_id, tvdb_id=wire.integer(media.get("tvdbId")),
        media_status=wire.MEDIA_AVAILABLE if status == wire.REQUEST_COMPLETED and media_type == "movie" else media_status,
        seasons=seasons, season_status=season_status, requested_by_email=wire.text(request.get("requestedBy_email"), 254),
    )  # fmt: skip


def _apply(data: dict[str, Any]) -> str:
    event = data["notification_type"]
    if event == "TEST_NOTIFICATION":
        return "test notification"
    if event not in STATUS_BY_TYPE:
        return f"ignored: {event} is not about a request's status"
    request = request_from_payload(data)
    if request is None:
        raise _Rejected("no request or media in the payload", 400, event)
    return tracking.apply_seerr(request, people.person_for_email(request.requested_by_email))


def _seen(digest: str) -> bool:
    t = WEBHOOK_EVENTS
    with get_engine().connect() as conn:
        return conn.execute(
            sa.select(t.c.id).where(
                t.c.payload_hash == digest, t.c.source == SOURCE, t.c.status == WebhookStatus.ACCEPTED,
                t.c.received_at >= utcnow() - DUPLICATE_WINDOW,
            ).limit(1)
        ).first() is not None  # fmt: skip


def _record(status: str, reason: str | None, http_status: int, event: str | None, digest: str | None, ip: str) -> Receipt:
    now = utcnow()
    values = {"received_at": now, "source": SOURCE, "event": event[:64] if event else None, "status": status,
              "reason": reason[:500] if reason else None, "payload_hash": digest, "remote_ip": ip[:64],
              "processed_at": now}  # fmt: skip
    try:
        with write_transaction() as conn:
            conn.execute(WEBHOOK_EVENTS.insert().values(values))
    except Exception:
        log.exception("overseerr_webhook_record_failed")
        return Receipt(WebhookStatus.FAILED, "internal error (database)", 503)
    if status != WebhookStatus.ACCEPTED:
        log.info("overseerr_webhook_refused", status=status, reason=reason, remote_ip=ip)
    return Receipt(status, reason, http_status)


@dataclass(frozen=True)
class Delivery:
    """A recorded Seerr webhook for the admin: when, what, and what became of it."""

    received_at: str
    event: str
    status: str
    reason: str


def recent_deliveries(limit: int = 20) -> list[Delivery]:
    t = WEBHOOK_EVENTS
    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.select(t.c.received_at, t.c.event, t.c.status, t.c.reason)
            .where(t.c.source == SOURCE)
            .order_by(t.c.id.desc())
            .limit(limit)
        ).all()
    return [Delivery(iso(r.received_at) or "", r.event or "", r.status, r.reason or "") for r in rows]
