"""POST /api/integrations/{id}/test: probe one integration now and answer with its health report, the same one the
Integrations page shows (for an admin's session or an admin's API token)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Path, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from smartplex.api.security import api_token, caller, session_cookie
from smartplex.services.integrations import probes, status

router = APIRouter(tags=["integrations"])


class Circuit(BaseModel):
    state: Literal["closed", "open", "half_open"] = Field(
        description="The circuit breaker: 'open' while SmartPlex stops calling a failing service for a cool-down."
    )
    retry_at: str | None = Field(description="While open: when calls go through again (ISO 8601, UTC).")
    failures_in_a_row: int


class IntegrationReport(BaseModel):
    id: int
    kind: Literal["plex", "overseerr", "tautulli", "openai"]
    name: str = Field(description="'Plex · <server name>', 'Overseerr / Seerr', 'Tautulli' or 'The AI provider'.")
    status: Literal["ok", "slow", "degraded", "down", "rejected", "unknown"] = Field(
        description="ok: healthy; slow or degraded: answering, with a problem; down: not answering as it should; "
        "rejected: answering, but refusing SmartPlex's token or key."
    )
    summary: str = Field(description="The status in words, e.g. 'Healthy · 42 ms', 'Token rejected', 'Unreachable: "
                         "connection refused'.")  # fmt: skip
    latency_ms: int = Field(description="How long the last healthy answer took.")
    version: str = Field(description="The version the service reported ('' when it does not say).")
    checked_at: str | None = Field(description="When it was last checked (ISO 8601, UTC).")
    error: str = Field(description="What is wrong, in words ('' when healthy). Never a secret.")
    circuit: Circuit

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 3, "kind": "tautulli", "name": "Tautulli", "status": "down",
                    "summary": "Tautulli unreachable: connection refused", "latency_ms": 41, "version": "v2.15.3",
                    "checked_at": "2026-12-03T09:21:35.907455+00:00", "error": "Tautulli unreachable: connection refused",
                    "circuit": {"state": "closed", "retry_at": None, "failures_in_a_row": 1},
                }
            ]
        }
    }  # fmt: skip


class Problem(BaseModel):
    error: str


def as_json(report: status.Report) -> dict[str, Any]:
    return {
        "id": report.id, "kind": report.kind, "name": report.name, "status": report.status, "summary": report.summary,
        "latency_ms": report.latency_ms, "version": report.version, "checked_at": report.checked_at,
        "error": report.error,
        "circuit": {"state": report.circuit, "retry_at": report.retry_at, "failures_in_a_row": report.failures_in_a_row},
    }  # fmt: skip


def _problem(status_code: int, error: str) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status_code, headers={"Cache-Control": "no-store"})


@router.post(
    "/api/integrations/{integration_id}/test",
    response_model=IntegrationReport,
    summary="Test one integration now",
    description="""Probes the integration at once (one cheap request that also checks SmartPlex's credentials,
bounded by the probe timeout, 5 s by default), stores the result like a scheduled probe, and answers with its
health report: the same status, words, version, last error and circuit state the Integrations page shows. The ids
are those in `GET /api/health` under `integrations`. Needs an admin: a signed-in admin's session, or an admin's API
token as `Authorization: Bearer spx_…` (Admin → Integrations → API tokens).""",
    responses={
        401: {"model": Problem, "description": "No valid session or API token."},
        403: {"model": Problem, "description": "The caller is not an admin."},
        404: {"model": Problem, "description": "No integration with this id."},
    },
)
async def test_integration(
    integration_id: int = Path(ge=1, le=2**31 - 1, description="The integration's id (see GET /api/health)."),
    bearer: HTTPAuthorizationCredentials | None = Security(api_token),
    session_token: str | None = Security(session_cookie),
) -> Any:
    who = await caller(bearer, session_token)
    if who is None:
        return _problem(401, "sign in, or send an admin's API token")
    if not who.is_admin:
        return _problem(403, "only an admin can test integrations")
    target = await asyncio.to_thread(probes.target, integration_id)
    if target is None:
        return _problem(404, "no such integration")
    await probes.probe(target)
    report = await asyncio.to_thread(status.report, integration_id)
    if report is None:  # removed while it was being tested
        return _problem(404, "no such integration")
    return JSONResponse(as_json(report), headers={"Cache-Control": "no-store"})
