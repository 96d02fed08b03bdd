"""A notification written for a member, until it is visible in the member's open page, in real Chromium against the
production build.

Seeds an admin and a member, serves `reflex run --env prod` on one port, signs the member in with Playwright and
leaves the notifications page open. Each of RUNS rounds writes one notification for the member from this process
(as any feature would: a row in the database) and stops the clock when the open page shows it without a reload:
the bell's count went up and the new row is in the list. Between rounds the notifications are marked read and the
badge must go.

Baseline, measured in the same run: what the member would wait without live updates, at best: reloading the
page until the row shows (and they would have to know to reload).

    .venv/bin/python benchmarks/notification_latency.py
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
PASSWORD = "bench-password-1"
SHOWN = """([id, count]) => {
  const badge = document.querySelector('#live-badge');
  return badge !== null && badge.textContent.trim() === String(count) && document.querySelector('#notification-' + id) !== null;
}"""


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="smartplex-bench-") as scratch:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        os.environ.update({"SMARTPLEX_DATA_DIR": str(Path(scratch) / "data"), "SMARTPLEX_SECRET_KEY": "bench"})
        from smartplex import migrations
        from smartplex.services import auth, notifications
        from smartplex.services.notifications import kinds

        migrations.upgrade()
        auth.create_user("Bench Admin", "admin@bench.smartplex", PASSWORD)
        member = auth.create_user("Bench Member", "member@bench.smartplex", PASSWORD)
        env = {**os.environ, "SMARTPLEX_SCHEDULER": "0", "SMARTPLEX_LOG_LEVEL": "WARNING"}
        app = serve_production(port, env)
        runs, reloads = [], []
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                sign_in(page, base, member.email, PASSWORD)
                page.goto(f"{base}/notifications")
                page.wait_for_selector("#notifications-empty", timeout=60_000)
                for n in range(RUNS):
                    notifications.mark_all_read(member.id)
                    page.wait_for_selector("#live-badge", state="detached", timeout=30_000)
                    started = time.perf_counter()
                    written = notifications.notify(member.id, kinds.ANNOUNCEMENT, f"Bench news {n}", "Something happened.")
                    page.wait_for_function(SHOWN, arg=[written, 1], timeout=60_000, polling=10)
                    runs.append(time.perf_counter() - started)
                for n in range(3):  # the baseline: a reload shows what is there
                    written = notifications.notify(member.id, kinds.ANNOUNCEMENT, f"Reload news {n}")
                    started = time.perf_counter()
                    page.reload()
                    page.wait_for_selector(f"#notification-{written}", timeout=60_000)
                    reloads.append(time.perf_counter() - started)
                browser.close()
        finally:
            app.terminate()
            app.wait(30)
    median = statistics.median(runs)
    print(json.dumps({
        "benchmark": "notification_latency",
        "runs": RUNS,
        "median_s": round(median, 3),
        "runs_s": [round(r, 3) for r in runs],
        "max_s": round(max(runs), 3),
        "baseline": {"page_reload_median_s": round(statistics.median(reloads), 3), "runs_s": [round(r, 3) for r in reloads]},
        "ratio_to_reload": round(median / statistics.median(reloads), 3),
        "target_s": TARGET_S,
        "meets_target": median < TARGET_S,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
