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


class HealthReport(BaseModel):
    status: Literal["ok", "degraded", "error"] = Field(
        description="'ok' when every component is ok; 'degraded' when Plex or Redis is not; 'error' when the database is not."
    )
    version: str
    checked_at: str = Field(description="ISO 8601 time of the check, UTC.")
    components: dict[str, ComponentHealth]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "status": "ok",
                    "version": "0.1.0",
                    "checked_at": "2026-11-24T07:21:35.907455+00:00",
                    "components": {"database": {"status": "ok"}, "plex:Living Room": {"status": "ok"}},
                }
            ]
        }
    }


@router.get(
    "/api/health",
    response_model=HealthReport,
    summary="Overall, database and dependency health",
    responses={503: {"model": HealthReport, "description": "The database is failing."}},
)
async def get_health() -> Any:
    report = await asyncio.to_thread(health_service.report)
    return JSONResponse(report, status_code=503 if report["status"] == "error" else 200)
