"""POST /api/integrations/{id}/test (an admin's session or API token) and GET /api/health with every integration
and the age of the last sync and webhook, through the real FastAPI app."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from smartplex.api import create_api
from smartplex.db import session
from smartplex.models import ApiToken, IntegrationKind, Server, WebhookEvent, utcnow
from smartplex.services import api_tokens, auth
from smartplex.services.integrations import probes, status, store
from smartplex.simulators.overseerr import OverseerrSimulator
from smartplex.simulators.plex import PlexSimulator
from tests import factories


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_api()) as test_client:
        yield test_client


def signed_in(client: TestClient, session_token: str) -> TestClient:
    client.cookies.set(auth.SESSION_COOKIE, session_token)
    return client


@pytest.fixture
def seerr_id(admin: auth.UserView, seerr_sim: OverseerrSimulator) -> int:
    store.save(admin.id, IntegrationKind.OVERSEERR, base_url=seerr_sim.url, secret=seerr_sim.api_key)
    (target,) = probes.targets()
    return target.integration_id


def test_needs_a_session_or_token(client: TestClient, seerr_id: int) -> None:
    url = f"/api/integrations/{seerr_id}/test"
    assert client.post(url).status_code == 401
    assert client.post(url, headers={"Authorization": "Bearer spx_made-up"}).status_code == 401
    assert client.post(url, headers={"Authorization": "Bearer " + "x" * 5000}).status_code == 401
    assert signed_in(client, "forged").post(url).status_code == 401


def test_a_member_is_refused(client: TestClient, seerr_id: int, member_session: str, seerr_sim: OverseerrSimulator) -> None:
    response = signed_in(client, member_session).post(f"/api/integrations/{seerr_id}/test")
    assert response.status_code == 403 and response.json() == {"error": "only an admin can test integrations"}
    assert status.report(seerr_id).status == "unknown"  # nothing was probed


def test_an_admin_session_gets_the_report(client: TestClient, seerr_id: int, admin_session: str) -> None:
    response = signed_in(client, admin_session).post(f"/api/integrations/{seerr_id}/test")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["kind"], body["name"], body["status"]) == (seerr_id, "overseerr", "Overseerr / Seerr", "ok")
    assert body["summary"].startswith("Healthy · ") and body["version"] and body["checked_at"]
    assert body["circuit"] == {"state": "closed", "retry_at": None, "failures_in_a_row": 0}


def test_an_admin_api_token_works_until_revoked_or_demoted(
    client: TestClient, admin: auth.UserView, seerr_id: int, seerr_sim: OverseerrSimulator
) -> None:
    view, token = api_tokens.create(admin.id, "Uptime Kuma")
    assert token.startswith("spx_") and view.hint == token[:8] + "…"
    headers = {"Authorization": f"Bearer {token}"}
    seerr_sim.api_key = "regenerated"
    body = client.post(f"/api/integrations/{seerr_id}/test", headers=headers).json()
    assert (body["status"], body["summary"]) == ("rejected", "API key rejected")
    assert api_tokens.mine(admin.id)[0].last_used_at is not None
    other_admin = auth.create_user("Second Admin", "second@example.com", "correct horse battery", role="admin")
    auth.set_role(other_admin.id, admin.id, "member")
    assert client.post(f"/api/integrations/{seerr_id}/test", headers=headers).status_code == 403
    auth.set_role(other_admin.id, admin.id, "admin")
    api_tokens.revoke(admin.id, view.id)
    assert client.post(f"/api/integrations/{seerr_id}/test", headers=headers).status_code == 401


def test_tokens_are_an_admin_s_own(admin: auth.UserView, member: auth.UserView) -> None:
    with pytest.raises(auth.AuthError):
        api_tokens.create(member.id, "sneaky")
    with pytest.raises(api_tokens.TokenError):
        api_tokens.create(admin.id, "   ")
    view, token = api_tokens.create(admin.id, "Script")
    with pytest.raises(auth.AuthError):
        api_tokens.revoke(member.id, view.id)
    assert api_tokens.user_for_token(token) is not None
    with session() as s:
        stored = s.exec(select(ApiToken)).one()
    assert stored.token_hash != token and token not in stored.prefix + stored.name


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "99999999999999999999999"])
def test_unknown_and_malformed_ids(client: TestClient, admin_session: str, bad: str) -> None:
    response = signed_in(client, admin_session).post(f"/api/integrations/{bad}/test")
    assert response.status_code == 422


def test_an_id_that_is_not_an_integration(client: TestClient, admin_session: str) -> None:
    assert signed_in(client, admin_session).post("/api/integrations/4242/test").status_code == 404


def test_the_route_is_documented_with_both_ways_in(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    route = spec["paths"]["/api/integrations/{integration_id}/test"]["post"]
    assert {next(iter(s)) for s in route["security"]} == {"api_token", "session"}
    assert {"200", "401", "403", "404"} <= set(route["responses"])
    assert spec["components"]["securitySchemes"]["api_token"]["scheme"] == "bearer"
    health = spec["components"]["schemas"]["HealthReport"]["properties"]
    assert {"integrations", "last_sync", "last_webhook"} <= set(health)


# --------------------------------------------------------------------------- /api/health


def test_health_lists_integrations_and_how_fresh_the_data_is(
    client: TestClient, admin: auth.UserView, plex_sim: PlexSimulator, seerr_id: int, seerr_sim: OverseerrSimulator
) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    synced = utcnow() - timedelta(minutes=2)
    with session() as s:
        server = s.get(Server, server_id)
        server.last_incremental_sync_at, server.last_full_sync_at = synced, synced - timedelta(days=1)
        s.add(WebhookEvent(received_at=utcnow() - timedelta(seconds=30), owner_id=admin.id, server_id=server_id,
                           event="media.play", status="accepted"))  # fmt: skip
    seerr_sim.api_key = "regenerated"
    asyncio.run(probes.probe_all(2.0))
    body = client.get("/api/health").json()
    assert body["status"] == "degraded"
    by_kind = {i["kind"]: i for i in body["integrations"]}
    assert by_kind["overseerr"] | {"checked_at": None, "latency_ms": 0} == {
        "id": seerr_id, "kind": "overseerr", "name": "Overseerr / Seerr", "status": "rejected", "summary": "API key rejected",
        "checked_at": None, "latency_ms": 0,
    }  # fmt: skip
    assert by_kind["plex"]["status"] == "ok"
    assert 110 <= body["last_sync"]["seconds"] <= 180 and body["last_sync"]["at"] == synced.isoformat()
    assert 25 <= body["last_webhook"]["seconds"] <= 90


def test_health_never_calls_out(client: TestClient, seerr_id: int, seerr_sim: OverseerrSimulator) -> None:
    asyncio.run(probes.probe_all(2.0))
    seerr_sim.faults.hang = True
    began = time.monotonic()
    body = client.get("/api/health").json()
    seerr_sim.faults.reset()
    assert time.monotonic() - began < 0.5
    assert body["integrations"][0]["status"] == "ok" and body["last_sync"] is None and body["last_webhook"] is None


def test_health_before_any_probe_says_unknown(client: TestClient, seerr_id: int) -> None:
    body = client.get("/api/health").json()
    assert body["integrations"][0]["status"] == "unknown" and body["integrations"][0]["summary"] == "Not checked yet"
    assert body["status"] == "ok"
