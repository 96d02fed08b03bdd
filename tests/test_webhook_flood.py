"""A flood of Plex webhooks against a real server: every delivery gets an HTTP answer, never a reset.

Rate-limited deliveries must carry their 429 and Retry-After to the client, and oversized ones their 413;
an answer sent before the body was read made the server close the connection with data unread, which
the client saw as a connection reset instead of the answer.
"""

from __future__ import annotations

import asyncio
import random
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from smartplex.simulators.plex import item_jpeg
from smartplex.simulators.plex_webhooks import webhook_multipart, webhook_payload
from tests.webhook_fixtures import (  # noqa: F401 - fixtures
    ALICE,
    Owner,
    free_port,
    fresh_caches,
    movie,
    owner_fixture,
    sim_fixture,
)

DELIVERIES = 400
CONCURRENCY = 32
RATE = "40/minute"

SERVERS = {
    "uvicorn": lambda port: [sys.executable, "-m", "uvicorn", "--factory", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning", "tests.webhook_fixtures:log_app"],
    "granian": lambda port: [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", "1", "--log-level", "warning",
                             "tests.webhook_fixtures:log_app"],
}  # fmt: skip


@pytest.fixture(params=list(SERVERS))
def base_url(request: pytest.FixtureRequest, owner: Owner, tmp_path: Path) -> Iterator[str]:
    """The API under a real server, limited to RATE deliveries per URL; its log goes to a file (a pipe
    nobody reads would fill up with a thousand warnings and stall the server)."""
    port = free_port()
    env = {**os.environ, "SMARTPLEX_WEBHOOK_RATE": RATE, "PYTHONUNBUFFERED": "1"}
    with (tmp_path / "server.log").open("wb") as out:
        proc = subprocess.Popen(SERVERS[request.param](port), env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(proc, f"http://127.0.0.1:{port}", tmp_path / "server.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_until_up(proc: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base_url}/api/health", timeout=0.5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not start: {log.read_text()}")


async def _flood(base_url: str, url: str, bodies: list[tuple[bytes, str]]) -> list[httpx.Response | Exception]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(body: bytes, content_type: str) -> httpx.Response | Exception:
            async with gate:
                try:
                    return await http.post(url, content=body, headers={"Content-Type": content_type})
                except httpx.TransportError as exc:
                    return exc

        return await asyncio.gather(*(one(body, content_type) for body, content_type in bodies))


def _outcomes(answers: list[httpx.Response | Exception]) -> Counter[str]:
    return Counter(
        type(a).__name__ if isinstance(a, Exception) else f"{a.status_code}{'+Retry-After' * ('retry-after' in a.headers)}"
        for a in answers
    )


def test_every_limited_delivery_gets_its_429(base_url: str, owner: Owner) -> None:
    # A poster's worth of bytes: small bodies sit whole in the server's buffers, and were answered even unread.
    thumb = item_jpeg(movie(owner.sim), 600, 900) + random.Random(7).randbytes(1536 * 1024)
    bodies = [
        webhook_multipart(webhook_payload(owner.sim, "media.pause", ALICE, movie(owner.sim), view_offset=n), thumb=thumb)
        for n in range(DELIVERIES)
    ]
    outcomes = _outcomes(asyncio.run(_flood(base_url, owner.url, bodies)))
    assert set(outcomes) <= {"200", "429+Retry-After"}, outcomes
    assert outcomes["200"] <= 40 and outcomes["429+Retry-After"] >= DELIVERIES - 40, outcomes


def test_every_oversized_delivery_gets_its_413(base_url: str, owner: Owner) -> None:
    oversized = [(b"x" * ((2 << 20) + 4096), "application/json")] * 39  # within RATE: each one counts
    outcomes = _outcomes(asyncio.run(_flood(base_url, owner.url, oversized)))
    assert outcomes == {"413": 39}, outcomes
