"""GET /api/health and the API's OpenAPI document, through the real FastAPI app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from starlette.testclient import TestClient

import smartplex
from smartplex.api import create_api
from tests.conftest import use_database

UNREACHABLE = "postgresql+psycopg://smartplex:hunter2-db-secret@127.0.0.1:1/smartplex"


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_api()) as test_client:
        yield test_client


def test_health_ok(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"] == smartplex.__version__
    assert body["components"]["database"] == {"status": "ok"}
    assert datetime.fromisoformat(body["checked_at"]).tzinfo is not None


def test_request_id_echoed_or_generated(client: TestClient) -> None:
    assert client.get("/api/health", headers={"X-Request-ID": "probe-42"}).headers["X-Request-ID"] == "probe-42"
    generated = [client.get("/api/health").headers["X-Request-ID"] for _ in range(2)]
    assert all(re.fullmatch(r"[0-9a-f]{16}", g) for g in generated)
    assert generated[0] != generated[1]
    assert client.get("/api/health", headers={"X-Request-ID": "r" * 200}).headers["X-Request-ID"] == "r" * 64


def test_health_503_when_database_unreachable(client: TestClient, db_url: str) -> None:
    use_database(UNREACHABLE)
    try:
        response = client.get("/api/health")
    finally:
        use_database(db_url)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    database = body["components"]["database"]
    assert database["status"] == "error" and database["error"]
    for secret in ("hunter2-db-secret", "127.0.0.1", "postgresql", "smartplex:"):
        assert secret not in response.text


def test_openapi_documents_health_with_example(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"]["/api/health"]["get"]
    assert {"200", "503"} <= set(operation["responses"])
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    example = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["examples"][0]
    assert example["status"] == "ok" and example["components"]["database"]["status"] == "ok"


@pytest.mark.parametrize("path", ["/api/docs", "/docs", "/redoc", "/api/redoc"])
def test_swagger_and_redoc_not_served(client: TestClient, path: str) -> None:
    """Their pages load scripts from a CDN, which would break offline and leak visits."""
    assert client.get(path).status_code == 404


def test_unreachable_plex_degrades_but_stays_200(client: TestClient, admin) -> None:  # noqa: ANN001
    from smartplex.db import session
    from smartplex.models import Server, utcnow
    from smartplex.services.plex import servers

    saved = servers.save_server(
        admin.id, name="Den", machine_id="m" * 40, urls=["http://127.0.0.1:9"], preferred_url="http://127.0.0.1:9", token="t", version=None
    )
    assert client.get("/api/health").json()["components"]["plex:Den"] == {"status": "ok"}
    with session() as s:
        s.get(Server, saved.id).unreachable_since = utcnow()
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["components"]["plex:Den"]["status"] == "error"
    assert body["components"]["plex:Den"]["error"].startswith("unreachable since ")


def test_unreachable_redis_degrades(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from smartplex.config import reload_settings

    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:1/0")
    reload_settings()
    try:
        body = client.get("/api/health").json()
    finally:
        monkeypatch.delenv("REFLEX_REDIS_URL")
        reload_settings()
    assert body["status"] == "degraded"
    assert body["components"]["redis"]["status"] == "error"


def test_unmigrated_database_is_an_error(tmp_path, db_url: str) -> None:  # noqa: ANN001
    use_database(f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_api()) as client:
        response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["components"]["database"]["error"].endswith("is the schema migrated?")
