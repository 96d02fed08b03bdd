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
