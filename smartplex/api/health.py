"""GET /api/health: JSON status for monitors; 503 when a component is down."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from smartplex.services import health as health_service

router = APIRouter(tags=["health"])


class ComponentHealth(BaseModel):
    status: Literal["ok", "error"]
    error: str | None = Field(default=None, description="Why the component is not ok (never a secret).")


class IntegrationHealth(BaseModel):
    id: int = Field(description="For POST /api/integrations/{id}/test.")
    kind: Literal["plex", "overseerr", "tautulli", "openai"]
    name: str
    status: Literal["ok", "slow", "degraded", "down", "rejected", "unknown"] = Field(
        description="As the last probe found it: ok; slow or degraded (answering, with a problem); down; rejected "
        "(refusing SmartPlex's token or key); unknown (not probed yet)."
    )
    summary: str = Field(description="The status in words, e.g. 'Healthy · 42 ms' or 'Token rejected'.")
    checked_at: str | None = Field(description="When it was last probed (ISO 8601, UTC).")
    latency_ms: int


class Age(BaseModel):
    seconds: int = Field(description="How long ago, in seconds.")
    at: str = Field(description="When (ISO 8601, UTC).")


class HealthReport(BaseModel):
    status: Literal["ok", "degraded", "error"] = Field(
        description="'ok' when everything is; 'degraded' when Plex, Redis or an integration is not; 'error' when the "
        "database is not."
    )
    version: str
    checked_at: str = Field(description="ISO 8601 time of the check, UTC.")
    components: dict[str, ComponentHealth]
    integrations: list[IntegrationHealth] = Field(
        description="Every integration as its last scheduled probe (every few minutes) found it; never probed inline."
    )
    last_sync: Age | None = Field(description="The last successful library sync of any server (null: none yet).")
    last_webhook: Age | None = Field(description="The last Plex webhook accepted (null: none yet).")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "status": "ok",
                    "version": "0.1.0",
                    "checked_at": "2026-11-24T07:21:35.907455+00:00",
                    "components": {"database": {"status": "ok"}, "plex:Living Room": {"status": "ok"}},
                    "integrations": [
                        {"id": 1, "kind": "plex", "name": "Plex · Living Room", "status": "ok", "summary": "Healthy · 12 ms",
                         "checked_at": "2026-11-24T07:20:02.113000+00:00", "latency_ms": 12},
                        {"id": 2, "kind": "tautulli", "name": "Tautulli", "status": "rejected", "summary": "API key rejected",
                         "checked_at": "2026-11-24T07:20:02.131000+00:00", "latency_ms": 0},
                    ],
                    "last_sync": {"seconds": 120, "at": "2026-11-24T07:19:35.907455+00:00"},
                    "last_webhook": {"seconds": 7, "at": "2026-11-24T07:21:28.512000+00:00"},
                }  # fmt: skip
            ]
        }
    }


@router.get(
    "/api/health",
    response_model=HealthReport,
    summary="Overall, database, integration and freshness health",
    description="Answers from stored results (the scheduled probes, the last sync and webhook) in milliseconds; "
    "it never calls Plex, Seerr, Tautulli or the AI provider itself. 503 when the database is down.",
    responses={503: {"model": HealthReport, "description": "The database is failing."}},
)
async def get_health() -> Any:
    report = await asyncio.to_thread(health_service.report)
    return JSONResponse(report, status_code=503 if report["status"] == "error" else 200)
