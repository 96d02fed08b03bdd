"""From Plex's `library.new` webhook to "available" on the requester's open My requests page, in real Chromium
against the production build.

Runs the Plex and Seerr simulators in this process, seeds SmartPlex with the demo's members (Seerr connected,
people linked), serves `reflex run --env prod` on one port, and signs a member in with Playwright on /requests.
Each of RUNS rounds: the member requests a new movie through Seerr; Plex gets the movie (with its TMDB id); the
clock starts as Plex's webhook is posted and stops when the page shows the request "Available" and the live
notification badge, without a reload. Between rounds the notifications are marked read and the badge must go.

Baseline: Seerr itself notices a new title with its "Plex Recently Added Scan", every 5 minutes by default (and a
new season only with the full scan, hours later). Measured beside it in the same run, the floor of our path: the
Plex webhook received until the item sync it caused finished (fetched from Plex and written), from the audit and
the sync runs.

    .venv/bin/python benchmarks/request_available.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _prod_server import launch_chromium, serve_production, sign_in  # noqa: E402
from smartplex.simulators.server import free_port  # noqa: E402

RUNS = 10
TARGET_S = 2.0
SEERR_SCAN_S = 300  # Seerr's default "Plex Recently Added Scan" interval
SHOWN = """([id]) => {
  const status = document.querySelector('#status-' + id);
  return status && status.textContent.trim() === 'Available' && document.querySelector('#live-badge') !== null;
}"""


def _synced_s(event_id_after: int) -> float | None:
    """Seconds from receiving the first Plex webhook after `event_id_after` to the end of the item sync it caused."""
    import sqlalchemy as sa

    from smartplex.db import get_engine
    from smartplex.models import SYNC_RUNS as runs
    from smartplex.models import WEBHOOK_EVENTS as t

    for _ in range(100):
        with get_engine().connect() as conn:
            received = conn.execute(
                sa.select(t.c.received_at).where(t.c.id > event_id_after, t.c.source == "plex").order_by(t.c.id)
            ).scalar()
            finished = None if received is None else conn.execute(
                sa.select(runs.c.finished_at).where(runs.c.kind == "webhook", runs.c.started_at >= received)
                .order_by(runs.c.id)
            ).scalar()  # fmt: skip
        if received is not None and finished is not None:
            return (finished - received).total_seconds()
        time.sleep(0.05)
    return None


def _last_event_id() -> int:
    import sqlalchemy as sa

    from smartplex.db import get_engine
    from smartplex.models import WEBHOOK_EVENTS as t

    with get_engine().connect() as conn:
        return conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))).scalar_one()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="smartplex-bench-") as scratch:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        os.environ.update({"SMARTPLEX_DATA_DIR": str(Path(scratch) / "data"), "SMARTPLEX_SECRET_KEY": "bench"})
        from smartplex import demo
        from smartplex.services import auth, notifications
        from smartplex.services.plex import servers
        from smartplex.services.requests import requesting
        from smartplex.simulators.overseerr import OverseerrSimulator
        from smartplex.simulators.plex import PlexSimulator

        plex = PlexSimulator(movies=300, shows=5, seasons=2, episodes=4, seed=42, friendly_name="Bench Plex")
        seerr = OverseerrSimulator()
        with plex.serve() as plex_server, seerr.serve():
            secret = demo._seed(plex_server.url, plex)
            demo._seed_seerr(seerr, base)
            member = auth.user_by_email(f"{plex.accounts[2].name.lower()}@demo.smartplex")
            assert member is not None
            env = {**os.environ, "SMARTPLEX_SCHEDULER": "0", "SMARTPLEX_LOG_LEVEL": "WARNING"}
            app = serve_production(port, env)
            webhook = f"{base}{servers.webhook_path(secret)}"
            runs, floors = [], []
            try:
                with sync_playwright() as p:
                    browser = launch_chromium(p)
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    sign_in(page, base, member.email, demo.MEMBER_PASSWORD)
                    page.goto(f"{base}/requests")
                    page.wait_for_selector("#page-title", timeout=60_000)
                    for n in range(RUNS):
                        tmdb_id = 880_000 + n
                        seerr.add_title("movie", tmdb_id, f"Bench Premiere {n}", 2026)
                        row = requesting.submit(member.id, "movie", tmdb_id).row
                        notifications.mark_all_read(member.id)
                        page.goto(f"{base}/requests")  # made outside the page: show it (the clock has not started)
                        page.wait_for_selector(f"#status-{row.id}", timeout=30_000)
                        page.wait_for_selector("#live-badge", state="detached", timeout=30_000)
                        movie = plex.add_movie(f"Bench Premiere {n}", external_ids=(f"tmdb://{tmdb_id}",))
                        before = _last_event_id()
                        started = time.perf_counter()
                        answer = plex.fire_webhook(webhook, "library.new", 1, movie.rating_key)
                        page.wait_for_function(SHOWN, arg=[row.id], timeout=60_000, polling=10)
                        runs.append(time.perf_counter() - started)
                        assert answer.status_code == 200, answer.text
                        floor = _synced_s(before)
                        if floor is not None:
                            floors.append(floor)
                    browser.close()
            finally:
                app.terminate()
                app.wait(30)
    median = statistics.median(runs)
    floor = statistics.median(floors) if floors else None
    print(json.dumps({
        "benchmark": "request_available",
        "runs": RUNS,
        "median_s": round(median, 3),
        "runs_s": [round(r, 3) for r in runs],
        "max_s": round(max(runs), 3),
        "baseline": {
            "seerr_recently_added_scan_s": SEERR_SCAN_S,
            "floor_webhook_to_item_synced_s": round(floor, 3) if floor is not None else None,
        },
        "ratio_to_seerr_scan": round(median / SEERR_SCAN_S, 4),
        "target_s": TARGET_S,
        "meets_target": median < TARGET_S,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
