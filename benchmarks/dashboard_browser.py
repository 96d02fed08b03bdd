"""Time to the dashboard's first poster and to its hero's backdrop in real Chromium against the production build.

Starts the Plex simulator (52,000 items: 10,000 movies; 400 shows x 4 seasons x 25 episodes), seeds
SmartPlex with the demo's members and a full sync, serves `reflex run --env prod` on one port, signs
a member in with Playwright and measures, over several reloads, the milliseconds from navigation
start to the first poster image decoded on the page (the figure reported before the hero existed) and to the
hero's backdrop decoded. Baseline in the same run: the same page with
posters requested straight from the simulator is not possible by design (the browser never talks to
Plex), so the reference figure is the time to the page's first paint.

    .venv/bin/python benchmarks/dashboard_browser.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _prod_server import serve_production, signed_in  # noqa: E402
from smartplex.simulators.server import free_port  # noqa: E402

RELOADS = 7
FIRST_POSTER = """() => {
  const imgs = [...document.querySelectorAll('.poster-card img')];
  return imgs.some(i => i.complete && i.naturalWidth > 0);
}"""
HERO_BACKDROP = """() => {
  const imgs = [...document.querySelectorAll('#hero .hero-backdrop img')];
  return imgs.some(i => i.complete && i.naturalWidth > 0);
}"""
TARGET_FIRST_POSTER_MS, TARGET_BACKDROP_MS = 1000, 1500


def _seed(data_dir: Path) -> tuple[subprocess.Popen, str, str]:
    """Run the simulator in a child process and seed SmartPlex from this one."""
    os.environ.update({"SMARTPLEX_DATA_DIR": str(data_dir), "SMARTPLEX_SECRET_KEY": "bench"})
    from smartplex import demo
    from smartplex.simulators.plex import PlexSimulator

    port = free_port()
    sim_args = ["--port", str(port), "--movies", "10000", "--shows", "400", "--seasons", "4", "--episodes", "25"]
    sim_proc = subprocess.Popen([sys.executable, "-m", "smartplex.simulators.plex", *sim_args], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(f"{url}/identity", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    # The child serves the same seed-1 library; this object only supplies accounts, token and machine id.
    sim = PlexSimulator(movies=0, shows=0, seasons=0, episodes=0)
    demo._seed(url, sim)
    account = sim.accounts[1]
    return sim_proc, f"{account.name.lower()}@demo.smartplex", demo.MEMBER_PASSWORD


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="smartplex-bench-") as scratch:
        data_dir = Path(scratch) / "data"
        sim_proc, email, password = _seed(data_dir)
        port = free_port()
        env = {**os.environ, "SMARTPLEX_SCHEDULER": "0", "SMARTPLEX_LOG_LEVEL": "WARNING"}
        app = serve_production(port, env)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as p:
                browser, page = signed_in(p, base, email, password)
                first_poster, backdrop, first_paint = [], [], []
                for _ in range(RELOADS):
                    page.goto(f"{base}/", wait_until="commit")
                    seen: dict[str, float] = {}
                    while len(seen) < 2:  # whichever comes first, both times from the same navigation
                        for name, probe in (("poster", FIRST_POSTER), ("backdrop", HERO_BACKDROP)):
                            if name not in seen and page.evaluate(probe):
                                seen[name] = page.evaluate("performance.now()")
                        if page.evaluate("performance.now()") > 30_000:
                            raise RuntimeError(f"the dashboard did not show its artwork: {seen}")
                        page.wait_for_timeout(5)
                    first_poster.append(seen["poster"])
                    backdrop.append(seen["backdrop"])
                    paint = page.evaluate(
                        "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"
                    )
                    if paint is not None:
                        first_paint.append(paint)
                browser.close()
        finally:
            app.terminate()
            sim_proc.terminate()
            app.wait(30)
            sim_proc.wait(30)
    median = statistics.median(first_poster)
    backdrop_median = statistics.median(backdrop)
    paint = statistics.median(first_paint) if first_paint else None
    print(
        json.dumps(
            {
                "benchmark": "dashboard_browser",
                "library_items": 52000,
                "reloads": RELOADS,
                "first_poster_ms": {"median": round(median), "max": round(max(first_poster)), "runs": [round(v) for v in first_poster]},
                "hero_backdrop_ms": {"median": round(backdrop_median), "max": round(max(backdrop)), "runs": [round(v) for v in backdrop]},
                "baseline_first_contentful_paint_ms": round(paint) if paint else None,
                "ratio_first_poster_to_first_paint": round(median / paint, 2) if paint else None,
                "targets": {"first_poster_ms_max": TARGET_FIRST_POSTER_MS, "hero_backdrop_ms_max": TARGET_BACKDROP_MS},
                "meets_target": median < TARGET_FIRST_POSTER_MS and backdrop_median < TARGET_BACKDROP_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
