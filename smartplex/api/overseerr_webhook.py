"""POST /api/webhooks/overseerr/{secret}: Seerr's webhook, checked, applied and recorded before the answer."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from smartplex.api.webhooks import MAX_BODY, _read_capped, client_ip, refuse_flood
from smartplex.services.integrations.webhooks import secret_hash
from smartplex.services.overseerr import webhook

router = APIRouter(tags=["webhooks"])

DESCRIPTION = """Overseerr / Seerr calls this URL for request events (pending, approved, declined, available,
failed): SmartPlex updates the request and tells the member who asked, within seconds.

**Setup:** copy the URL from SmartPlex (Admin → Integrations), then in Seerr open **Settings → Notifications →
Webhook**, enable it, paste the URL, keep the default JSON payload, tick the request notification types and save.
An Authorization header is optional: when you set one in Seerr, enter the same value in SmartPlex, and deliveries
without it are refused. The URL carries a secret: rotate it in SmartPlex if it leaks.

Every delivery is recorded (accepted with what it changed, duplicate, or rejected with its reason). Limits:
2 MiB per body; `SMARTPLEX_WEBHOOK_RATE` per URL and per client address."""

_EXAMPLE: dict[str, Any] = {
    "notification_type": "MEDIA_AVAILABLE",
    "event": "Movie Request Now Available",
    "subject": "Dune (2021)",
    "message": "",
    "image": "",
    "media": {"media_type": "movie", "tmdbId": "438631", "tvdbId": "", "status": "AVAILABLE", "status4k": "UNKNOWN"},
    "request": {"request_id": "12", "requestedBy_email": "max@example.com", "requestedBy_username": "max"},
    "issue": None,
    "comment": None,
    "extra": [],
}


def _error(description: str, reason: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"example": {"error": reason}}}}


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Recorded: `accepted` or `duplicate`.", "content": {"application/json": {"example": {"status": "accepted"}}}},
    400: _error("Not JSON, not an object, no notification_type, or a request event without a request.", "missing notification_type"),
    401: _error("The Authorization header is not the configured one.", "wrong or missing Authorization header"),
    404: _error("No integration has this webhook URL (wrong or rotated secret).", "unknown webhook URL"),
    413: _error("The body is larger than 2 MiB.", "body larger than 2 MiB"),
    429: _error("Too many deliveries for this URL or from this address; see Retry-After.", "too many webhooks"),
    503: _error("The delivery could not be recorded (database trouble).", "internal error (database)"),
}


@router.post(
    "/api/webhooks/overseerr/{secret}",
    summary="Receive an Overseerr / Seerr webhook",
    description=DESCRIPTION,
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"example": _EXAMPLE}}}},
    responses=RESPONSES,
    response_class=JSONResponse,
)
async def overseerr_webhook(
    request: Request,
    secret: str = Path(description="The secret part of the webhook URL, as shown in SmartPlex."),
) -> JSONResponse:
    ip = client_ip(request)
    flooded = await refuse_flood(request, secret_hash(secret), ip)
    if flooded is not None:
        return flooded
    try:
        body = await _read_capped(request, MAX_BODY)
    except ClientDisconnect:
        return JSONResponse({"error": "client disconnected"}, status_code=400)
    if body is None:
        return JSONResponse({"error": "body larger than 2 MiB"}, status_code=413)
    receipt = await asyncio.to_thread(webhook.receive, secret, request.headers.get("authorization"), body, ip)
    if receipt.http_status == 200:
        return JSONResponse({"status": receipt.status, "detail": receipt.reason})
    return JSONResponse({"error": receipt.reason}, status_code=receipt.http_status)
