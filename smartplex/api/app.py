"""The FastAPI app handed to Reflex. Built by a factory: Reflex adds middleware to it on startup."""

from __future__ import annotations

import time

from fastapi import FastAPI, Request, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from smartplex import __version__, log
from smartplex.api import health

logger = log.get_logger("smartplex.http")

DESCRIPTION = """SmartPlex's HTTP API: health for monitors and load balancers, and (in later releases)
Plex and Overseerr webhooks and the poster proxy. The browser app itself talks to SmartPlex over
Reflex's websocket; these routes are for machines."""


class RequestContext(BaseHTTPMiddleware):
    """Give every API request an id (honouring X-Request-ID), bind it to logs and log the outcome."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        request_id = request.headers.get("x-request-id", "")[:64] or log.new_request_id()
        log.clear()
        log.bind(request_id=request_id)
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        logger.info(
            "http_request",
            method=request.method,
            path=log.redact_text(request.url.path),
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return response


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
    return api
