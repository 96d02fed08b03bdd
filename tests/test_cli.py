"""`python -m smartplex` as an operator runs it: a real subprocess against a real database file.

Log lines on stderr are JSON; the only other stderr lines allowed are the CLI's own messages to the
operator, which each test names exactly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import func, select

from smartplex import migrations
from smartplex.config import PROJECT_ROOT
from smartplex.db import session
from smartplex.models import Role, User

ADMIN_PASSWORD = "Cli-Secret-Passw0rd"


@dataclass
class Run:
    code: int
    stdout: str
    logs: list[dict[str, Any]]
    messages: list[str]  # stderr lines that are not JSON


def _cli(*args: str, db_url: str, data_dir: Path, password: str | None = None) -> Run:
    env = {k: v for k, v in os.environ.items() if k != "SMARTPLEX_ADMIN_PASSWORD"}
    env.update(SMARTPLEX_DB_URL=db_url, SMARTPLEX_DATA_DIR=str(data_dir), SMARTPLEX_LOG_LEVEL="INFO")
    if password is not None:
        env["SMARTPLEX_ADMIN_PASSWORD"] = password
    done = subprocess.run(
        [sys.executable, "-m", "smartplex", *args],
        cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )
    assert ADMIN_PASSWORD not in done.stdout + done.stderr
    logs, messages = [], []
    for line in filter(str.strip, done.stderr.splitlines()):
        try:
            record = json.loads(line)
        except ValueError:
            messages.append(line)
            continue
        assert isinstance(record, dict) and {"event", "level", "timestamp"} <= set(record), line
        logs.append(record)
    return Run(done.returncode, done.stdout, logs, messages)


def _users() -> list[tuple[str, str]]:
    with session() as s:
        return [(u.email, u.role) for u in s.exec(select(User))]


def test_migrate_fresh_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    run = _cli("migrate", db_url=url, data_dir=tmp_path / "data")
    assert run.code == 0, run
    assert f"revision {migrations.head_revision()}" in run.stdout
    assert run.logs and run.messages == []
    engine = sa.create_engine(url)
    try:
        assert "user" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_create_admin_once(db_url: str, tmp_path: Path) -> None:
    args = ("create-admin", "--name", "Ops Admin", "--email", "Ops@Example.com")
    first = _cli(*args, db_url=db_url, data_dir=tmp_path, password=ADMIN_PASSWORD)
    assert first.code == 0, first
    assert "Created admin Ops Admin <ops@example.com>." in first.stdout
    assert [r["event"] for r in first.logs] == ["admin_created"] and first.messages == []
    assert _users() == [("ops@example.com", Role.ADMIN)]

    second = _cli(*args, db_url=db_url, data_dir=tmp_path, password=ADMIN_PASSWORD)
    assert second.code == 1
    assert second.messages == ["SmartPlex already has an admin. Sign in instead."]
    assert _users() == [("ops@example.com", Role.ADMIN)]


def test_create_admin_invalid_email(db_url: str, tmp_path: Path) -> None:
    args = ("create-admin", "--name", "Ops", "--email", "not-an-email")
    run = _cli(*args, db_url=db_url, data_dir=tmp_path, password=ADMIN_PASSWORD)
    assert run.code == 2
    assert run.messages == ["email: Enter a valid email address, like you@example.com."]
    assert _users() == []


def test_create_admin_without_password_or_tty(db_url: str, tmp_path: Path) -> None:
    run = _cli("create-admin", "--name", "Ops", "--email", "ops@example.com", db_url=db_url, data_dir=tmp_path)
    assert run.code == 2
    assert run.messages == ["Set SMARTPLEX_ADMIN_PASSWORD or run interactively to enter a password."]
    with session() as s:
        assert s.exec(select(func.count()).select_from(User)).one() == 0


def test_health_ok(db_url: str, tmp_path: Path) -> None:
    run = _cli("health", db_url=db_url, data_dir=tmp_path)
    assert run.code == 0, run
    report = json.loads(run.stdout)
    assert report["status"] == "ok" and report["components"]["database"]["status"] == "ok"
    assert run.messages == []


def test_health_unreachable_database(tmp_path: Path) -> None:
    url = "postgresql+psycopg://smartplex:hunter2-db-secret@127.0.0.1:1/smartplex"
    run = _cli("health", db_url=url, data_dir=tmp_path)
    assert run.code == 1
    report = json.loads(run.stdout)
    assert report["status"] == "error" and report["components"]["database"]["status"] == "error"
    assert "hunter2-db-secret" not in run.stdout + json.dumps(run.logs)
    assert run.messages == []


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    run = _cli("frobnicate", db_url=f"sqlite:///{tmp_path / 'x.db'}", data_dir=tmp_path)
    assert run.code == 2
    assert any("invalid choice" in m for m in run.messages)

