"""Structured logs: one JSON object per line on stderr, secrets redacted before they are written.

Logging is configured once per process and writes to the real stderr, so each case runs in a
subprocess and reads what it printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from smartplex.config import PROJECT_ROOT

SECRETS = ("hunter2", "tok-123", "key-123", "abc123", "supersecret", "Bearer xyz")


def _log_lines(script: str, tmp_path: Path) -> tuple[list[dict[str, Any]], str]:
    env = {**os.environ, "SMARTPLEX_DB_URL": f"sqlite:///{tmp_path / 'log.db'}", "SMARTPLEX_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    for record in records:
        assert isinstance(record, dict) and {"timestamp", "level", "event"} <= set(record), record
    return records, done.stderr


def test_secrets_redacted_in_json_lines(tmp_path: Path) -> None:
    records, raw = _log_lines(
        """
        import logging
        from smartplex import log
        log.configure("INFO")
        log.get_logger("probe").info(
            "probe_event", password="hunter2", token="tok-123", api_key="key-123", authorization="Bearer xyz",
            user_id=7, detail="GET /library/metadata/1?X-Plex-Token=abc123 then POST /api/webhooks/plex/supersecret",
            link="/join?invite=invite-secret-1",
            request={"headers": {"Authorization": "Bearer nested-secret"}, "urls": ["/x?X-Plex-Token=abc123"]},
        )
        logging.getLogger("uvicorn.access").info("GET %s 200", "/photo?X-Plex-Token=abc123&width=200")
        log.get_logger("probe").debug("below_level")
        """,
        tmp_path,
    )
    assert [r["event"] for r in records] == ["probe_event", "GET /photo?X-Plex-Token=[redacted]&width=200 200"]
    probe = records[0]
    assert probe["level"] == "info" and probe["logger"] == "probe" and probe["user_id"] == 7
    assert probe["password"] == probe["token"] == probe["api_key"] == probe["authorization"] == "[redacted]"
    assert probe["detail"] == "GET /library/metadata/1?X-Plex-Token=[redacted] then POST /api/webhooks/plex/[redacted]"
    assert probe["link"] == "/join?invite=[redacted]"
    assert probe["request"] == {"headers": {"Authorization": "[redacted]"}, "urls": ["/x?X-Plex-Token=[redacted]"]}
    assert records[1]["logger"] == "uvicorn.access"
    for secret in SECRETS:
        assert secret not in raw


def test_http_request_log_line(tmp_path: Path) -> None:
    records, raw = _log_lines(
        """
        from starlette.testclient import TestClient
        from smartplex import log, migrations
        from smartplex.api import create_api
        migrations.upgrade()
        log.configure("INFO")
        client = TestClient(create_api())
        client.get("/api/health", headers={"X-Request-ID": "req-probe-1"})
        client.get("/api/webhooks/plex/supersecret")
        """,
        tmp_path,
    )
    requests = [r for r in records if r["event"] == "http_request"]
    assert [(r["method"], r["path"], r["logger"]) for r in requests] == [
        ("GET", "/api/health", "smartplex.http"),
        ("GET", "/api/webhooks/plex/[redacted]", "smartplex.http"),
    ]
    assert requests[0]["status"] == 200 and requests[0]["request_id"] == "req-probe-1"
    assert len(requests[1]["request_id"]) == 16
    assert all(isinstance(r["duration_ms"], int | float) for r in requests)
    assert "supersecret" not in raw
