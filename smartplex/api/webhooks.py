"""POST /api/webhooks/plex/{secret}: Plex's webhook, checked, recorded and queued; the work happens later."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from smartplex import log
from smartplex.config import get_settings
from smartplex.services import ratelimit
from smartplex.services.plex import servers, webhooks

router = APIRouter(tags=["webhooks"])
logger = log.get_logger(__name__)

MAX_BODY = 2 * 1024 * 1024

DESCRIPTION = """Plex calls this URL for every event of the owner's account: plays, pauses, stops,
scrobbles and ratings become watch history; `library.new` refreshes that item from the server.

**Setup:** copy the webhook URL from SmartPlex (Admin → Plex), then in Plex open
**Settings → Webhooks → Add Webhook**, paste it and save. Webhooks need Plex Pass. The URL carries
a secret: treat it like a password, and rotate it in SmartPlex if it leaks.

Plex sends `multipart/form-data` with a `payload` part holding the event JSON and, for some events,
a `thumb` JPEG part (ignored). A plain `application/json` body with the same object is accepted too.
The answer comes at once; processing happens in the background. Every delivery is recorded
(accepted, duplicate or rejected with its reason) and shown to the owner; rate-limited ones are only logged.
Limits: 2 MiB per body; `SMARTPLEX_WEBHOOK_RATE` (default 100/minute) per URL and per client address."""

_PAYLOAD_EXAMPLE: dict[str, Any] = {
    "event": "media.play",
    "user": True,
    "owner": True,
    "Account": {"id": 1, "thumb": "https://plex.tv/users/1022b120ffbaa/avatar?c=1465525047", "title": "elan"},
    "Server": {"title": "Office", "uuid": "54664a3d8acc39983675640ec9ce00b70af9cc36"},
    "Player": {"local": True, "publicAddress": "200.200.200.200", "title": "Plex Web (Safari)", "uuid": "r6yf"},
    "Metadata": {"ratingKey": "1936545", "type": "movie", "title": "Amélie", "viewOffset": 0, "duration": 7320000},
}

OPENAPI_EXTRA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["payload"],
                    "properties": {
                        "payload": {"type": "string", "description": "The event as JSON text."},
                        "thumb": {"type": "string", "format": "binary", "description": "Poster JPEG (ignored)."},
                    },
                },
                "encoding": {"payload": {"contentType": "application/json"}, "thumb": {"contentType": "image/jpeg"}},
                "examples": {"media.play": {"summary": "What Plex sends", "value": {"payload": _PAYLOAD_EXAMPLE}}},
            },
            "application/json": {
                "schema": {"type": "object", "required": ["event", "Server"]},
                "examples": {"media.play": {"summary": "The payload alone", "value": _PAYLOAD_EXAMPLE}},
            },
        },
    }
}


def _error(description: str, reason: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"example": {"error": reason}}}}


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Recorded: `accepted` (queued for processing) or `duplicate` (the same payload was already accepted).",
        "content": {
            "application/json": {
                "examples": {
                    "accepted": {"value": {"status": "accepted"}},
                    "duplicate": {"value": {"status": "duplicate"}},
                }
            }
        },
    },
    400: _error(
        "Malformed body: no payload part, invalid JSON, not an object, no event or Server.uuid.", "missing event"
    ),
    403: _error("The payload's server is not one of this URL owner's servers.", "unknown server for this webhook URL"),
    404: _error("No owner has this webhook URL (wrong or rotated secret).", "unknown webhook URL"),
    413: _error("The body is larger than 2 MiB.", "body larger than 2 MiB"),
    415: _error("Neither multipart/form-data nor application/json.", "unsupported content type"),
    429: {
        **_error("Too many deliveries for this URL or from this address; see Retry-After.", "too many webhooks"),
        "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
    },
    503: _error("The delivery could not be recorded (database trouble).", "internal error (OperationalError)"),
}


@functools.cache
def _rule(spec: str) -> ratelimit.RateLimitItem:
    return ratelimit.rule(spec)


def client_ip(request: Request) -> str:
    """The peer address; behind a trusted proxy (SMARTPLEX_TRUST_PROXY=1) the address it appended to X-Forwarded-For."""
    if get_settings().trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.client.host if request.client else "unknown"


# Every refusal reads the body first, up to MAX_BODY. A server that answers with the body unread closes the
# connection with data still in its receive buffer; the kernel then resets it, and the client (Plex) gets a
# connection reset instead of the 429 and its Retry-After, or the 413. Granian did so for most deliveries
# of a few hundred KiB and more in a flood.


async def _discard(request: Request, limit: int) -> None:
    """Read and drop the body, stopping once more than `limit` bytes came."""
    size = 0
    with contextlib.suppress(ClientDisconnect):
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None once more than `limit` bytes came (read that far even when the declared length is
    over the limit already, so the client gets the 413)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def refuse_flood(request: Request, url_key: str, ip: str) -> JSONResponse | None:
    """The 429 (after reading the body) when this webhook URL or this address sent too many; None to go on."""
    verdict = ratelimit.hit(_rule(get_settings().webhook_rate), f"webhook:url:{url_key}", f"webhook:ip:{ip}")
    if verdict.allowed:
        return None
    logger.warning("webhook_rate_limited", remote_ip=ip, retry_after=verdict.retry_after)
    await _discard(request, MAX_BODY)
    return JSONResponse({"error": "too many webhooks"}, status_code=429, headers={"Retry-After": str(verdict.retry_after)})


async def _receive(request: Request, secret: str, ip: str) -> webhooks.Receipt:
    try:
        body = await _read_capped(request, MAX_BODY)
    except ClientDisconnect:
        return await asyncio.to_thread(webhooks.record_rejection, secret, ip, "client disconnected mid-body", 400)
    if body is None:
        return await asyncio.to_thread(webhooks.record_rejection, secret, ip, "body larger than 2 MiB", 413)
    return await webhooks.receive_async(secret, request.headers.get("content-type", ""), body, ip)


@router.post(
    "/api/webhooks/plex/{secret}",
    summary="Receive a Plex webhook",
    description=DESCRIPTION,
    openapi_extra=OPENAPI_EXTRA,
    responses=RESPONSES,
    response_class=JSONResponse,
)
async def plex_webhook(
    request: Request,
    secret: str = Path(description="The secret part of the owner's webhook URL, as shown in SmartPlex."),
) -> JSONResponse:
    ip = client_ip(request)
    flooded = await refuse_flood(request, servers.secret_hash(secret), ip)
    if flooded is not None:
        return flooded
    receipt = await _receive(request, secret, ip)
    if receipt.status == "accepted":
        webhooks.notify()
    if receipt.http_status == 200:
        return JSONResponse({"status": receipt.status})
    return JSONResponse({"error": receipt.reason}, status_code=receipt.http_status)
