"""Helpers and fixtures for the Plex webhook tests: an owner with a connected (simulated) server, real-format
deliveries, and table reads. The fixtures are registered through conftest's `pytest_plugins`; tests ask for
them as `sim`, `owner` and `client`, and webhook test modules use `fresh_caches`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from starlette.testclient import TestClient

from smartplex import log
from smartplex.api import create_api
from smartplex.config import PROJECT_ROOT
from smartplex.db import get_engine, session
from smartplex.models import MediaItem, User
from smartplex.services import auth
from smartplex.services.plex import servers, webhooks
from tests import factories
from smartplex.simulators.plex import PlexSimulator, item_jpeg
from smartplex.simulators.plex_webhooks import webhook_multipart, webhook_payload

OWNER_ACCOUNT = 1
ALICE = 5129384  # a shared user we link to a SmartPlex member
BOB = 6620417  # a shared user nobody linked
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Owner:
    id: int
    secret: str
    server_id: int
    sim: PlexSimulator

    @property
    def url(self) -> str:
        return servers.webhook_path(self.secret)


@pytest.fixture(scope="module", name="sim")
def sim_fixture() -> PlexSimulator:
    return PlexSimulator(movies=12, shows=1, seasons=1, episodes=2, seed=11)


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Each test has a fresh database whose ids restart, so cached owners/servers must not leak across tests."""
    webhooks.forget_cached()
    yield
    webhooks.forget_cached()


@pytest.fixture(name="owner")
def owner_fixture(admin: auth.UserView, sim: PlexSimulator) -> Owner:
    server_id = factories.simulated_server(admin.id, sim, urls=[factories.NOWHERE])
    return Owner(admin.id, servers.ensure_webhook_secret(admin.id), server_id, sim)


@pytest.fixture(name="client")
def client_fixture(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_api()) as c:
        yield c


def link_account(user_id: int, plex_account_id: int) -> None:
    with session() as s:
        user = s.get(User, user_id)
        assert user is not None
        user.plex_account_id = plex_account_id


def add_media_item(server_id: int, rating_key: int | str, title: str = "Synced") -> int:
    with session() as s:
        item = MediaItem(server_id=server_id, rating_key=str(rating_key), type="movie", title=title)
        s.add(item)
        s.flush()
        return item.id or 0


def movie(plex: PlexSimulator, title: str | None = None) -> int:
    for item in plex.items.values():
        if item.type == "movie" and (title is None or item.title == title):
            return item.rating_key
    raise LookupError(title)


def post(
    client: TestClient,
    url: str,
    payload: dict[str, Any],
    *,
    thumb: int | None = None,
    as_json: bool = False,
    transport: str = "multipart",
) -> httpx.Response:
    """POST a delivery: multipart as Plex sends it (thumb part from item `thumb`), or a plain JSON body."""
    if transport == "json":
        return client.post(url, json=payload)
    body, content_type = webhook_multipart(
        payload, thumb=item_jpeg(thumb, 120, 180) if thumb is not None else None, as_json=as_json
    )
    return client.post(url, content=body, headers={"Content-Type": content_type})


def deliver(
    client: TestClient, owner: Owner, event: str, account: int, rating_key: int | None = None, **kw: Any
) -> httpx.Response:
    return post(client, owner.url, webhook_payload(owner.sim, event, account, rating_key), **kw)


def rows(table: str, order: str = "id") -> list[dict[str, Any]]:
    with get_engine().connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(f'SELECT * FROM "{table}" ORDER BY {order}'))]


def count(table: str) -> int:
    with get_engine().connect() as conn:
        return conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_app() -> FastAPI:
    """ASGI factory for the log-capture subprocess: SmartPlex's JSON logging plus the API."""
    log.configure("INFO")
    return create_api()


def log_app_granian_handlers() -> FastAPI:
    """As `log_app`, then granian's own logging config on top: what a forked Reflex prod worker ends up with
    (the supervisor imported the app, so ours ran first), leaving access lines to granian's plain handler."""
    from granian.log import LogLevels, configure_logging

    app = log_app()
    configure_logging(LogLevels.info)
    return app


def serve_in_subprocess(command: list[str], port: int) -> subprocess.Popen[bytes]:
    """Start an ASGI server (`command`) serving `log_app` on `port`; wait until /api/health answers."""
    proc = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=0.5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{command[2]} did not start: {proc.communicate()[0].decode(errors='replace')}")


def stop(proc: subprocess.Popen[bytes]) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out.decode(errors="replace")


SERVERS = {
    "uvicorn": lambda port: [sys.executable, "-m", "uvicorn", "--factory", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "info", "tests.webhook_fixtures:log_app"],
    "granian": lambda port: [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--access-log",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                             "tests.webhook_fixtures:log_app"],
    "granian-own-handlers": lambda port: [sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
                                          "--access-log", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                                          "tests.webhook_fixtures:log_app_granian_handlers"],
}  # fmt: skip
