"""Helpers for the scheduler tests: servers with due schedules, and a claimer that runs as its own process.

`python -m tests.scheduler_fixtures` is one claimer: it opens SMARTPLEX_DB_URL, prints "ready", and for
every line read from stdin claims the due schedules once under its own worker name and prints
`{"owner": ..., "claimed": [...]}`; it exits at end of input.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import orjson
import sqlalchemy as sa

from smartplex.config import PROJECT_ROOT
from smartplex.db import database_ok, get_engine
from smartplex.models import SyncSchedule, utcnow
from smartplex.services import scheduler

TABLE = SyncSchedule.__table__  # type: ignore[attr-defined]


def closed_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def add_server(owner_id: int, n: int, url: str, *, token: str = "plex-token", machine_id: str | None = None) -> int:
    """A stored Plex server pointing at `url`; its id."""
    from smartplex.services.plex import servers  # not needed by the claimer processes, which start faster without

    view = servers.save_server(
        owner_id, name=f"Server {n}", machine_id=machine_id or f"machine-{n:04d}", urls=[url], preferred_url=url,
        token=token, version=None,
    )  # fmt: skip
    return view.id


def make_due(*schedule_ids: int) -> None:
    """Make schedules (all when none are named) due a minute ago, with a free lease."""
    stmt = sa.update(TABLE).values(next_run_at=utcnow() - timedelta(minutes=1), lease_owner=None, lease_expires_at=None)
    if schedule_ids:
        stmt = stmt.where(TABLE.c.id.in_(schedule_ids))
    with get_engine().begin() as conn:
        conn.execute(stmt)


def due_schedules(owner_id: int, count: int, url: str) -> list[int]:
    """`count` servers with their default schedules, all due now; the schedule ids."""
    ids = []
    for n in range(count):
        ids += [v.id for v in scheduler.ensure_default_schedules(add_server(owner_id, n, url))]
    make_due()
    return ids


def spawn_claimers(count: int, db_url: str) -> list[subprocess.Popen[str]]:
    """Start `count` claimer processes against `db_url` and wait until each has connected."""
    env = {**os.environ, "SMARTPLEX_DB_URL": db_url, "PYTHONPATH": str(PROJECT_ROOT)}
    command = [sys.executable, "-m", "tests.scheduler_fixtures"]
    procs = [
        subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        for _ in range(count)
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    return procs


def claim_round(procs: list[subprocess.Popen[str]]) -> dict[str, list[int]]:
    """Tell every claimer to claim at once; what each one got, by owner."""
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = {}
    for proc in procs:
        assert proc.stdout is not None
        answer = orjson.loads(proc.stdout.readline())
        results[answer["owner"]] = answer["claimed"]
    return results


def main() -> None:
    ok, error = database_ok()
    if not ok:
        raise SystemExit(f"database unavailable: {error}")
    owner = scheduler.worker_id()
    print("ready", flush=True)
    for _line in sys.stdin:
        claimed = scheduler.claim_due(utcnow(), owner, lease_seconds=600)
        print(orjson.dumps({"owner": owner, "claimed": claimed}).decode(), flush=True)


if __name__ == "__main__":
    main()
