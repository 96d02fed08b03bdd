"""Shared set-up for the benchmarks: scratch SQLite databases, an admin, the Plex simulator in a subprocess.

Import this before any other SmartPlex module: settings are read from the environment on first use.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import resource
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp(prefix="smartplex-bench-"))
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)
os.environ["SMARTPLEX_DATA_DIR"] = str(SCRATCH)
os.environ["SMARTPLEX_SECRET_KEY"] = "benchmark-secret-key"
os.environ["SMARTPLEX_SCHEDULER"] = "0"

from smartplex import db, log, migrations  # noqa: E402
from smartplex.config import reload_settings  # noqa: E402
from smartplex.models import Role, User  # noqa: E402
from smartplex.services.plex import servers  # noqa: E402
from smartplex.simulators.server import subprocess_server  # noqa: E402

TOKEN = "benchmark-token"
MACHINE_ID = "b" * 40
log.configure("WARNING")  # logs go to stderr; stdout carries only the JSON figures


def fresh_database(name: str) -> int:
    """Point SmartPlex at a new migrated SQLite file in the scratch folder; returns the id of its owner.

    The owner row is inserted directly: hashing a password with argon2 would put its 64 MiB into
    the peak RSS we report for the sync.
    """
    url = f"sqlite:///{SCRATCH / name}.db"
    os.environ["SMARTPLEX_DB_URL"] = url
    db.dispose_engines()
    reload_settings()
    migrations.upgrade(url)
    with db.session() as s:
        owner = User(name="Bench Admin", email="bench@example.com", role=Role.ADMIN, password_hash="!")
        s.add(owner)
        s.flush()
        return owner.id or 0


def connect(owner_id: int, url: str) -> int:
    """Store the simulator as the owner's server, its URL preferred; returns the server id."""
    view = servers.save_server(
        owner_id, name="Bench Plex", machine_id=MACHINE_ID, urls=[url], preferred_url=url, token=TOKEN, version=None
    )
    return view.id


@contextlib.contextmanager
def simulator(*args: str) -> Iterator[str]:
    """The Plex simulator in a child process (its own GIL); yields its base URL."""
    options = ["--token", TOKEN, "--machine-identifier", MACHINE_ID, *args]
    with subprocess_server("smartplex.simulators.plex", options, ready_path="/identity", timeout=300) as url:
        yield url


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)
