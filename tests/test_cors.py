"""CORS on the whole backend under a real server: only the app's own origin and the configured ones may
call it with the user's credentials; another site's page gets no CORS grant and no websocket."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websocket

from tests.webhook_fixtures import free_port, serve_in_subprocess, stop

PUBLIC = "https://smartplex.example.com"
FRIEND = "https://dashboard.example.org"
FOREIGN = "https://evil.example.net"
# Our API, Reflex's own HTTP endpoints, and the websocket's path.
PATHS = ("/api/health", "/api/openapi.json", "/ping", "/_health")


@pytest.fixture(scope="module")
def base_url(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole backend as `reflex run --env prod` serves it, under granian, with a public URL and one
    more allowed origin configured."""
    db = tmp_path_factory.mktemp("cors") / "smartplex.db"
    shutil.copy(Path(migrated_template.removeprefix("sqlite:///")), db)
    port = free_port()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SMARTPLEX_DB_URL", f"sqlite:///{db}")
        mp.setenv("SMARTPLEX_PUBLIC_URL", PUBLIC + "/")
        mp.setenv("SMARTPLEX_CORS_ORIGINS", f" {FRIEND} , ")
        mp.setenv("SMARTPLEX_WEBHOOK_WORKER", "0")
        command = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", "127.0.0.1",
                   "--port", str(port), "--workers", "1", "benchmarks._webhook_app:smartplex"]  # fmt: skip
        proc = serve_in_subprocess(command, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def _preflight(base_url: str, path: str, origin: str) -> httpx.Response:
    return httpx.options(
        base_url + path,
        headers={"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )


@pytest.mark.parametrize("path", PATHS)
def test_foreign_origin_gets_no_grant(base_url: str, path: str) -> None:
    simple = httpx.get(base_url + path, headers={"Origin": FOREIGN, "Cookie": "sp_session=abc"})
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers  # (Starlette sends Allow-Credentials anyway)
    preflight = _preflight(base_url, path, FOREIGN)
    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code == 400


@pytest.mark.parametrize("origin", [PUBLIC, FRIEND])
@pytest.mark.parametrize("path", PATHS)
def test_own_and_configured_origins_are_granted(base_url: str, path: str, origin: str) -> None:
    for answer in (httpx.get(base_url + path, headers={"Origin": origin}), _preflight(base_url, path, origin)):
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == origin
        assert answer.headers["access-control-allow-credentials"] == "true"


def _websocket(base_url: str, origin: str) -> int:
    """The status of a socket.io websocket handshake sent from a page at `origin`."""
    url = base_url.replace("http://", "ws://") + "/_event/?EIO=4&transport=websocket"
    try:
        ws = websocket.create_connection(url, origin=origin, timeout=5)
    except websocket.WebSocketBadStatusException as exc:
        return exc.status_code
    status = ws.getstatus()
    ws.close()
    return status


def test_websocket_refuses_foreign_pages(base_url: str) -> None:
    assert _websocket(base_url, FOREIGN) != 101
    assert _websocket(base_url, base_url.replace("127.0.0.1", "127.0.0.2")) != 101  # same port, other host


@pytest.mark.parametrize("origin", ["own", PUBLIC, FRIEND])
def test_websocket_accepts_the_apps_pages(base_url: str, origin: str) -> None:
    assert _websocket(base_url, base_url if origin == "own" else origin) == 101
