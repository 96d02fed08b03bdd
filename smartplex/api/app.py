"""The FastAPI app handed to Reflex. Built by a factory: Reflex adds middleware to it on startup."""

from __future__ import annotations

import time

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartplex import __version__, log
from smartplex.api import health, images, integrations, overseerr_webhook, webhooks

logger = log.get_logger("smartplex.http")

DESCRIPTION = """SmartPlex's HTTP API: health for monitors and load balancers, the Plex webhook
receiver, and the poster proxy that serves Plex artwork without exposing the server or its token.
The browser app itself talks to SmartPlex over Reflex's websocket."""


class RequestContext:
    """Give every API request an id (honouring X-Request-ID), bind it to logs and log the outcome.

    A plain ASGI middleware: Starlette's BaseHTTPMiddleware costs a task and a stream per request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or log.new_request_id()
        log.clear()
        log.bind(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logger.info(
                "http_request",
                method=scope["method"],
                path=log.redact_text(scope["path"]),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )


def create_api() -> FastAPI:
    api = FastAPI(
        title="SmartPlex API",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # Swagger UI would load its assets from a CDN; the JSON document is served.
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    api.add_middleware(RequestContext)
    api.include_router(health.router)
    api.include_router(webhooks.router)
    api.include_router(overseerr_webhook.router)
    api.include_router(images.router)
    api.include_router(integrations.router)
    return api
