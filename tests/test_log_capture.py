"""What a running backend writes when a client sends a forged event: one JSON line, no session cookie.

Reflex logs a failed event with the event's repr, which carries the connection's headers and so the
`sp_session` cookie; under `reflex run` it printed that through its own console sink, over many lines and
past SmartPlex's redaction.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websocket

from smartplex.config import PROJECT_ROOT
from smartplex.log import redact_text
from tests.webhook_fixtures import free_port

FORGED = "reflex___state____state.smartplex___state___auth____auth_state.no_such_handler"

SERVERS = {
    # The production command, with Reflex's CLI-managed logging.
    "reflex-run": lambda port: [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only",
                                "--backend-port", str(port), "--backend-host", "127.0.0.1"],
    "uvicorn": lambda port: [sys.executable, "-m", "uvicorn", "--factory", "--host", "127.0.0.1", "--port", str(port),
                             "benchmarks._webhook_app:smartplex"],
}  # fmt: skip


@pytest.fixture(params=list(SERVERS))
def backend(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, file with everything the server printed)."""
    port = free_port()
    out = tmp_path / "server.log"
    env = {**os.environ, "SMARTPLEX_WEBHOOK_WORKER": "0", "REFLEX_CHECK_LATEST_VERSION": "false", "PYTHONUNBUFFERED": "1"}
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            SERVERS[request.param](port), cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
            start_new_session=True,  # reflex run starts worker processes: stop the whole group
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
            try:
                if httpx.get(f"{base_url}/ping", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base_url, out
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _send_forged_event(base_url: str, cookie: str, client_token: str) -> None:
    """Speak socket.io over the websocket as the browser does, then send an event for a handler that does not exist."""
    url = base_url.replace("http://", "ws://") + f"/_event/?EIO=4&transport=websocket&token={client_token}"
    ws = websocket.create_connection(url, origin=base_url, cookie=f"sp_session={cookie}; theme=dark", timeout=5)
    try:
        assert ws.recv().startswith("0")  # engine.io open
        ws.send("40/_event,")
        assert ws.recv().startswith("40/_event,")  # namespace joined
        ws.send("42/_event," + json.dumps(["event", {"name": FORGED, "payload": {}, "router_data": {"pathname": "/"}}]))
        time.sleep(1.0)
    finally:
        ws.close()


def test_forged_event_is_logged_as_one_json_line_without_the_session(backend: tuple[str, Path]) -> None:
    base_url, out = backend
    cookie, client_token = secrets.token_urlsafe(32), str(uuid.uuid4())
    _send_forged_event(base_url, cookie, client_token)
    deadline = time.monotonic() + 10
    while "No registered handler" not in out.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    text = out.read_text()
    assert cookie not in text and client_token not in text
    about_it = [line for line in text.splitlines() if FORGED in line or "Traceback" in line]
    assert len(about_it) == 1, text  # the record, traceback included, is one line
    record = json.loads(about_it[0])
    assert record["level"] == "error"
    assert "KeyError: 'No registered handler found for event" in record["exception"]
    assert "'cookie': '[redacted]'" in record["event"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cookie: theme=dark; sp_session=abc123\nHost: x", "Cookie: [redacted]\nHost: x"),
        ("{'cookie': 'sp_session=abc123; theme=dark', 'ip': '1.2.3.4'}", "{'cookie': '[redacted]', 'ip': '1.2.3.4'}"),
        ("set sp_session=abc123; theme=dark", "set sp_session=[redacted]; theme=dark"),
        ('{"Authorization": "Bearer abc123"}', '{"Authorization": "[redacted]"}'),
        ("router_data={'token': 'abc123', 'ip': '1.2.3.4'}", "router_data={'token': '[redacted]', 'ip': '1.2.3.4'}"),
    ],
)
def test_cookies_and_credentials_in_free_text_are_redacted(text: str, expected: str) -> None:
    assert redact_text(text) == expected
